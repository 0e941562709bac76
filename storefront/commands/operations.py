"""Operator commands: `seed-demo` loads the catalog file, `send-mail` runs the outbox sender."""

from __future__ import annotations

import time

import click
from flask import current_app
from sqlalchemy.exc import OperationalError

from ..domain.catalog import CatalogError
from ..extensions import db
from ..mail.sender import deliver_due, transport_from_config
from ..services.catalog import load_catalog_file
from .staff import echo_demo_staff


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the catalog file (idempotent: a second run changes nothing); a bad file stops with the field named."""
    try:
        added = load_catalog_file(current_app.config["CATALOG_PATH"])
    except CatalogError as exc:
        raise click.ClickException(f"{current_app.config['CATALOG_PATH']}: {exc}") from exc
    if any(added.values()):
        click.echo("Loaded demo data: " + ", ".join(f"{v} {k}" for k, v in added.items() if v))
    else:
        click.echo("Demo data already loaded; nothing changed.")
    if current_app.debug:
        echo_demo_staff()


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


COMMANDS = (seed_demo, send_mail)
