"""Staff commands: `flask --app storefront create-staff EMAIL` makes the first (and any) staff account."""

from __future__ import annotations

import sys

import click

from ..services.staff import StaffError, create_staff, ensure_demo_staff


@click.command("create-staff")
@click.argument("email")
def create_staff_command(email: str) -> None:
    """Create a staff account. Prompts for the password, or reads one line from stdin when piped."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        staff = create_staff(email, password)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created staff account {staff.email}.")


def echo_demo_staff() -> None:
    """Development only: make sure the demo staff login exists, and print it."""
    email, password, created = ensure_demo_staff()
    click.echo(f"Demo staff login{' (created)' if created else ''}: {email} / {password}  at /backoffice/login")


COMMANDS = (create_staff_command,)
