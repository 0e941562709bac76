"""The outbox: emails are written in the same transaction as the change they report."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import OutboxMessage


def enqueue(to_email: str, subject: str, body_text: str, dedupe_key: str) -> OutboxMessage | None:
    """Queue an email inside the caller's transaction; a repeated `dedupe_key` queues nothing.

    The unique constraint on dedupe_key is the backstop when two transactions race.
    """
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)) is not None:
        return None
    message = OutboxMessage(dedupe_key=dedupe_key, to_email=to_email, subject=subject, body_text=body_text)
    db.session.add(message)
    return message
