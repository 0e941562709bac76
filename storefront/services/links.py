"""Absolute links for emails, which are written outside any request. Pages use url_for's relative links."""

from __future__ import annotations

from flask import current_app

from ..models import Order


def status_url(order: Order) -> str:
    return f"{current_app.config['PUBLIC_URL']}/orders/{order.status_token}"


def calendar_url(order: Order) -> str:
    """The promised delivery window as an .ics file."""
    return f"{status_url(order)}/delivery.ics"
