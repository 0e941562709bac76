"""Staff commands: `flask --app storefront create-staff EMAIL` makes the first (and any) staff account."""

from __future__ import annotations

import sys

import click

from ..services.staff import StaffError, create_staff, deactivate, ensure_demo_staff, set_password


def _read_password() -> str:
    """Prompt for a password, or read one line from stdin when piped."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@click.command("create-staff")
@click.argument("email")
def create_staff_command(email: str) -> None:
    """Create a staff account. Prompts for the password, or reads one line from stdin when piped."""
    password = _read_password()
    try:
        staff = create_staff(email, password)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created staff account {staff.email}.")


@click.command("set-staff-password")
@click.argument("email")
def set_staff_password_command(email: str) -> None:
    """Give a staff account a new password (prompted or piped); every session of that account ends."""
    try:
        staff = set_password(email, _read_password())
    except StaffError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"New password set for {staff.email}; their sessions have ended.")


@click.command("deactivate-staff")
@click.argument("email")
def deactivate_staff_command(email: str) -> None:
    """Stop a staff account from signing in; every session of that account ends."""
    try:
        staff = deactivate(email)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Deactivated {staff.email}; their sessions have ended.")


def echo_demo_staff() -> None:
    """Development only: make sure the demo staff login exists, and print it."""
    email, password, created = ensure_demo_staff()
    click.echo(f"Demo staff login{' (created)' if created else ''}: {email} / {password}  at /backoffice/login")


COMMANDS = (create_staff_command, set_staff_password_command, deactivate_staff_command)
