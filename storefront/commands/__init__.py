"""Every `flask --app storefront ...` command, one module per audience, registered here once."""

from __future__ import annotations

from flask import Flask

from . import operations, payments, planning, staff


def init_app(app: Flask) -> None:
    for module in (operations, payments, planning, staff):
        for command in module.COMMANDS:
            app.cli.add_command(command)
