"""Flask CLI commands: `flask --app storefront seed-demo` and friends."""

from __future__ import annotations

import click
from flask import Flask, current_app

from .backoffice.cli import (
    create_staff_command,
    deactivate_staff_command,
    echo_demo_staff,
    set_staff_password_command,
)
from .services.catalog import load_catalog_file
from .simulation.cli import replan_command, simulate


def init_app(app: Flask) -> None:
    from .checkout.commands import reconcile_payments
    from .mail.commands import send_mail

    app.cli.add_command(seed_demo)
    app.cli.add_command(reconcile_payments)
    app.cli.add_command(send_mail)
    app.cli.add_command(create_staff_command)
    app.cli.add_command(set_staff_password_command)
    app.cli.add_command(deactivate_staff_command)
    app.cli.add_command(simulate)
    app.cli.add_command(replan_command)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the catalog file (idempotent: a second run changes nothing)."""
    added = load_catalog_file(current_app.config["CATALOG_PATH"])
    if any(added.values()):
        click.echo("Loaded demo data: " + ", ".join(f"{v} {k}" for k, v in added.items() if v))
    else:
        click.echo("Demo data already loaded; nothing changed.")
    if current_app.debug:
        echo_demo_staff()
