"""Absolute links for emails, which are written outside any request."""

from __future__ import annotations

from flask import current_app

from ..models import Order


def status_url(order: Order) -> str:
    return f"{current_app.config['PUBLIC_URL']}/orders/{order.status_token}"
