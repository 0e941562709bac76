"""The outbox: emails are written in the same transaction as the change they report."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from ..extensions import db
from ..models import OutboxMessage


def enqueue_mail(to_email: str, subject: str, template: str, dedupe_key: str, **context) -> OutboxMessage | None:
    """Queue the email written by templates/mail/<template>.txt (plain text) and .html (the same words, with
    inline-safe markup and no remote images), inside the caller's transaction."""
    text = render_template(f"mail/{template}.txt", **context).strip() + "\n"
    html = render_template(f"mail/{template}.html", **context)
    return enqueue(to_email, subject, text, dedupe_key, body_html=html)


def enqueue(
    to_email: str, subject: str, body_text: str, dedupe_key: str, body_html: str | None = None
) -> OutboxMessage | None:
    """Queue an email inside the caller's transaction; a repeated `dedupe_key` queues nothing.

    The unique constraint on dedupe_key is the backstop when two transactions race.
    """
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)) is not None:
        return None
    message = OutboxMessage(
        dedupe_key=dedupe_key, to_email=to_email, subject=subject, body_text=body_text, body_html=body_html
    )
    db.session.add(message)
    return message
