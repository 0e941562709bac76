"""`flask --app storefront send-mail`: the outbox sender, as a long-running loop or a single pass."""

from __future__ import annotations

import time

import click
from flask import current_app
from sqlalchemy.exc import OperationalError

from ..extensions import db
from .sender import deliver_due, transport_from_config


@click.command("send-mail")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes over the outbox.")
def send_mail(once: bool, interval: float) -> None:
    """Deliver queued emails over SMTP_URL (the console in development), retrying failures with backoff."""
    transport = transport_from_config(current_app.config)
    sender = current_app.config["MAIL_FROM"]
    while True:
        try:
            report = deliver_due(transport, sender)
            if once or report.sent or report.retried or report.dead:
                click.echo(f"send-mail: {report}")
        except OperationalError as exc:  # the database went away; try again on the next pass
            db.session.rollback()
            click.echo(f"send-mail: database unavailable ({exc.__class__.__name__}); retrying", err=True)
        if once:
            return
        try:
            time.sleep(interval)
        except KeyboardInterrupt:
            return
