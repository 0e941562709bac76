"""`flask --app storefront reconcile-payments`: catch payments whose webhook never came."""

from __future__ import annotations

from datetime import timedelta

import click

from ..services.checkout import reconcile


@click.command("reconcile-payments")
@click.option("--minutes", default=5, show_default=True, help="Only checkouts pending longer than this.")
def reconcile_payments(minutes: int) -> None:
    """Ask the payment provider about old pending checkouts; fulfil paid ones, expire abandoned ones."""
    report = reconcile(timedelta(minutes=minutes))
    click.echo(
        f"Checked {report.checked} pending checkout(s): {len(report.created)} order(s) created"
        + (f" ({', '.join(report.created)})" if report.created else "")
        + f", {report.expired} expired."
    )
    for error in report.errors:
        click.echo(f"  could not check {error}", err=True)


COMMANDS = (reconcile_payments,)
