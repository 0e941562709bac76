"""Planning commands: `replan` (run it nightly) and `simulate` (the promise-accuracy simulator)."""

from __future__ import annotations

import json
from datetime import date

import click
from flask import current_app

from ..clock import now
from ..services.planning import replan
from ..simulation.engine import SCENARIOS, WARM_UP_DAYS, SimConfig, run


@click.command("simulate")
@click.option("--days", default=90, show_default=True, help="Calendar days to score, after the warm-up.")
@click.option("--seed", default=1, show_default=True, help="Random seed: the same seed gives the same figures.")
@click.option(
    "--scenario",
    type=click.Choice(list(SCENARIOS)),
    default="default",
    show_default=True,
    help="default: 80% of the assembly slots; busy: 90%, more than the workshop builds once overruns and reworks "
    "take their bench days (the run warns); unreliable: suppliers late twice as often.",
)
@click.option("--rate", type=float, default=None, help="Orders per working day on average (default: the scenario's).")
@click.option("--fail-rate", default=0.05, show_default=True, help="Share of bike tests that fail.")
@click.option("--start", default="2027-03-01", show_default=True, help="First scored day.")
@click.option("--warm-up", default=WARM_UP_DAYS, show_default=True, help="Unscored days before it, to learn from.")
@click.option("--database-url", default=None, help="An empty database to use (default: a temporary SQLite file).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the scored figures.")
@click.option(
    "--breakdown",
    is_flag=True,
    help="Also show, for early, in-window and late bikes, how far assembly and delivery moved from the plan made "
    "at payment (working days -> bikes); with --json, under the key 'breakdown'.",
)
def simulate(days, seed, scenario, rate, fail_rate, start, warm_up, database_url, as_json, breakdown) -> None:
    """Run the real services against a synthetic workshop and print the promise-accuracy figures."""
    extra = {} if rate is None else {"rate": rate}
    config = SimConfig.for_scenario(
        scenario,
        days=days,
        seed=seed,
        test_fail_rate=fail_rate,
        start=date.fromisoformat(start),
        database_url=database_url,
        warm_up_days=warm_up,
        **extra,
    )
    report = run(config, current_app.extensions["app_factory"])
    if report.warning:
        click.echo(f"Warning: {report.warning}", err=True)
    if as_json:
        click.echo(json.dumps({**report.scores, **({"breakdown": report.breakdown} if breakdown else {})}))
        return
    for line in report.lines():
        click.echo(line)
    if breakdown:
        for name, group in report.breakdown.items():
            click.echo(
                f"{name}: {group['bikes']} bikes ({group['reworked']} reworked); assembly started vs the plan at "
                f"payment {_days(group['assembly_slip'])}; delivered vs planned {_days(group['delivery_slip'])}"
            )


def _days(counts: dict[int, int]) -> str:
    return ", ".join(f"{days:+d} wd: {bikes}" for days, bikes in counts.items()) or "none"


@click.command("replan")
def replan_command() -> None:
    """Re-plan every open work order now (run it nightly so yesterday's slots are released)."""
    result = replan(now(), cause="scheduled")
    click.echo(f"Planned {result.jobs} open work orders; {result.moved} moved; {len(result.slipped)} slips mailed.")


COMMANDS = (replan_command, simulate)
