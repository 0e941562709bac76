"""Deliver the outbox: SMTP (SMTP_URL) with retries and backoff, or the console in development.

A mail server that is down only delays mail: a failed attempt is recorded and retried later, and a message
leaves the outbox as sent only after the server accepted it.
"""

from __future__ import annotations

import logging
import smtplib
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, Protocol, TextIO
from urllib.parse import unquote, urlsplit

from sqlalchemy import select, update

from .. import clock
from ..config import ConfigError
from ..extensions import db
from ..models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpTransport:
    """smtp://[user:password@]host[:port] (STARTTLS with ?starttls=1), or smtps:// for TLS from the start."""

    def __init__(self, url: str, timeout: float = 10.0):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(f"SMTP_URL must look like smtp://host:port, not {parts.scheme or url!r}")
        self.tls = parts.scheme == "smtps"
        self.starttls = "starttls=1" in parts.query
        self.host, self.port = parts.hostname, parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        factory = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        with factory(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


class ConsoleTransport:
    """Development: print each message instead of sending it."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream

    def send(self, message: EmailMessage) -> None:
        stream = self.stream or sys.stdout
        print("-" * 72 + "\n" + message.as_string() + "\n" + "-" * 72, file=stream, flush=True)


def transport_from_config(config: dict[str, Any]) -> Transport:
    """SMTP when SMTP_URL is set; the console in development and tests; otherwise a clear error."""
    if config.get("SMTP_URL"):
        return SmtpTransport(config["SMTP_URL"])
    if config.get("DEBUG") or config.get("TESTING"):
        return ConsoleTransport()
    raise ConfigError("SMTP_URL is not set. Set it to your mail server, for example smtp://127.0.0.1:1025")


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 30 s, 1 min, 2 min ... at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def build_message(row: OutboxMessage, sender: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_email
    message["Subject"] = row.subject
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<outbox-{row.id}@{domain}>"  # stable, so a resend after a crash is recognisable
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    return message


def _permanent(exc: Exception) -> bool:
    """A 5xx answer means retrying cannot help (no such mailbox, message refused)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, will retry {self.retried}, gave up on {self.dead}"


CLAIM_LEASE = timedelta(minutes=5)  # a sender that dies mid-send leaves the message due again after this


def _claim(message_id: int, now: datetime) -> bool:
    """Take a due message for this sender alone, on any engine and any number of hosts. Commits.

    A conditional UPDATE is atomic everywhere (PostgreSQL re-checks it after a concurrent one, SQLite runs one at
    a time): the first sender moves the message's next attempt past the lease and counts the attempt, and every
    other sender's UPDATE then matches no row.
    """
    db.session.rollback()  # start from a fresh transaction, so the UPDATE sees the latest committed state
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .values(next_attempt_at=now + CLAIM_LEASE, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def deliver_due(transport: Transport, sender: str, batch: int = 50) -> SendReport:
    """Try every pending message whose time has come, committing the result of each one."""
    now = clock.now()
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
    ).all()
    report = SendReport()
    for message_id in due:
        _deliver_one(message_id, transport, sender, now, report)
    return report


def _deliver_one(message_id: int, transport: Transport, sender: str, now: datetime, report: SendReport) -> None:
    if not _claim(message_id, now):
        return
    row = db.session.get(OutboxMessage, message_id)
    try:
        transport.send(build_message(row, sender, now))
    except (OSError, smtplib.SMTPException) as exc:
        row.last_error = f"{exc.__class__.__name__}: {exc}"[:500]
        if _permanent(exc) or row.attempts >= MAX_ATTEMPTS:
            row.status = "dead"
            report.dead += 1
            log.error("giving up on outbox message %s to %s: %s", row.id, row.to_email, row.last_error)
        else:
            row.next_attempt_at = now + backoff(row.attempts)
            report.retried += 1
            log.warning("outbox message %s not sent (try %s): %s", row.id, row.attempts, row.last_error)
    else:
        row.status, row.sent_at, row.last_error = "sent", now, None
        report.sent += 1
    db.session.commit()
