"""Secret links and absolute links for emails, which are written outside any request. Pages use url_for's
relative links.

A secret link carries a random token of 256 bits; only its SHA-256 is stored, and a link is found by that hash.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app

from ..models import Order


def new_secret_token() -> tuple[str, str]:
    """A random token of 256 bits for a secret link, and the hash it is stored and looked up by."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def status_url(order: Order) -> str:
    return f"{current_app.config['PUBLIC_URL']}/orders/{order.status_token}"


def calendar_url(order: Order) -> str:
    """The promised delivery window as an .ics file."""
    return f"{status_url(order)}/delivery.ics"


def set_password_url(token: str) -> str:
    """A staff member's set-password link (an invitation or a reset)."""
    return f"{current_app.config['PUBLIC_URL']}/backoffice/set-password/{token}"
