"""Planning commands: `replan` (run it nightly) and `simulate` (the promise-accuracy simulator)."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app

from ..clock import now
from ..services.planning import replan
from ..simulation.engine import DEFAULT_RATE, SimConfig, run


@click.command("simulate")
@click.option("--days", default=90, show_default=True, help="Calendar days to simulate.")
@click.option("--seed", default=1, show_default=True, help="Random seed: the same seed gives the same figures.")
@click.option(
    "--rate", default=DEFAULT_RATE, show_default=True, help="Orders per working day on average (capacity is 4)."
)
@click.option("--fail-rate", default=0.05, show_default=True, help="Share of bike tests that fail.")
@click.option("--start", default="2027-03-01", show_default=True, help="First simulated day.")
@click.option("--database-url", default=None, help="An empty database to use (default: a temporary SQLite file).")
def simulate(days: int, seed: int, rate: float, fail_rate: float, start: str, database_url: str | None) -> None:
    """Run the real services against a synthetic workshop and print the promise-accuracy figures."""
    config = SimConfig(days, seed, rate, fail_rate, date.fromisoformat(start), database_url)
    for line in run(config, current_app.extensions["app_factory"]).lines():
        click.echo(line)


@click.command("replan")
def replan_command() -> None:
    """Re-plan every open work order now (run it nightly so yesterday's slots are released)."""
    result = replan(now(), cause="scheduled")
    click.echo(f"Planned {result.jobs} open work orders; {result.moved} moved; {len(result.slipped)} slips mailed.")


COMMANDS = (replan_command, simulate)
