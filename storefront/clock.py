"""The shop's clock: UTC now, and today's date in the shop's time zone. Tests pin it with FIXED_NOW."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from .timeutil import local_date, utcnow


def now() -> datetime:
    fixed = current_app.config.get("FIXED_NOW")
    return fixed if fixed is not None else utcnow()


def shop_today(tz: str) -> date:
    return local_date(now(), tz)
