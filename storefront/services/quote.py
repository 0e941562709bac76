"""Quote a build: validate it, price it, estimate its delivery and explain every option."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from .. import cache
from ..domain.build import Build, BuildError, Conflict, blocked_reason, conflicts, parse_build
from ..domain.catalog import Catalog
from ..domain.leadtime import Estimate, SlotCounts, Supply, estimate
from ..domain.pricing import PriceLine, price_lines, total_cents
from ..domain.slot_runs import SlotRuns
from ..timeutil import local_date
from . import plan_summary
from .catalog import NoCatalog, assembly_capacity, catalog_for, live_catalog, order_day_at
from .plan_version import current_stamp
from .reliability import learned
from .supply import booked_slots, component_needs, load_supplies


@dataclass(frozen=True)
class OptionInfo:
    blocked_reason: str | None
    days_delta: int | None  # calendar days the earliest delivery moves if this option is chosen


@dataclass(frozen=True)
class Quote:
    catalog: Catalog
    build: Build
    errors: list[BuildError]
    conflicts: list[Conflict]
    lines: list[PriceLine]
    total_cents: int
    estimate: Estimate
    options: dict[str, OptionInfo] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors and not self.conflicts

    def all_errors(self) -> list[BuildError]:
        return [*self.errors, *(c.error for c in self.conflicts)]


_quotes = cache.named("quotes")
_by_query = cache.named("quotes_by_query")  # the same quotes, found by the request's raw query string
_plans = cache.named("plans")  # the workshop's supply and slot picture per plan version and day


@dataclass(frozen=True)
class PlanInputs:
    catalog: Catalog
    supplies: dict[str, Supply]
    booked: SlotCounts | SlotRuns
    capacity: int


def plan_inputs(today: date, stamp: tuple[str | None, str | None] | None = None) -> PlanInputs:
    """Stock, incoming deliveries and booked slots, read once per plan version and shared by every quote.

    The plan stamp changes in the same transaction as anything these depend on, so sharing is exact. Sharing
    keeps a new build's quote from re-reading a long plan, and lets the slot index remember full runs.
    """
    stamp = stamp or current_stamp()

    def read() -> PlanInputs:
        catalog = catalog_for(stamp[0]) if stamp[0] else live_catalog()
        summary = plan_summary.read(stamp[1])  # the re-plan's own summary of this plan, when it wrote one
        learnt = learned(catalog, summary.history if summary else None)
        catalog = replace(catalog, workshop=learnt.workshop)  # with the learned window width
        booked = SlotRuns(summary.runs, catalog.workshop) if summary else booked_slots(today)
        return PlanInputs(catalog, load_supplies(learnt), booked, assembly_capacity(catalog))

    return _plans.get_or_make((stamp, today), read)


def cached_quote(
    raw: Mapping[str, Sequence[str]] | Callable[[], Mapping[str, Sequence[str]]], now: datetime, query: bytes = b""
) -> tuple[Quote, tuple]:
    """The quote for `raw` at `now`, recomputed only when the catalog, the plan or the shop's day changes.

    `raw` may be a function that parses the choices, called only when `query` (the request's raw query string)
    was not answered before under the same stamp and day. Returns the quote and its cache key.
    """
    stamp = current_stamp()
    if stamp[0] is None:
        raise NoCatalog("No catalog loaded. Run: flask --app storefront seed-demo")
    catalog = catalog_for(stamp[0])
    today, shop_day = quote_days(now, catalog)
    seen = (stamp, today, shop_day, query)
    found = _by_query.peek(seen) if query else None
    if found is not None:
        return found
    raw = raw() if callable(raw) else raw
    choices = tuple((k, tuple(v)) for k, v in sorted(raw.items()) if isinstance(v, (list, tuple)))
    key = (stamp, today, shop_day, choices)
    answer = _quotes.get_or_make(key, lambda: quote(raw, today, stamp, counted_from=shop_day)), key
    if query:
        _by_query.put(seen, answer)
    return answer


def quote_days(now: datetime, catalog: Catalog) -> tuple[date, date]:
    """(the order day a build paid `now` counts from, the shop's own day): after the cut-off the first is the
    next working day, while the plan still counts its drift from the second. Every quote shown takes both."""
    return order_day_at(now, catalog), local_date(now, catalog.timezone)


def quote_at(raw: Mapping[str, Sequence[str]], now: datetime, draft: Catalog | None = None) -> Quote:
    """The quote a customer (or, with a `draft` catalog, its editor) is shown at `now`, uncached."""
    today, shop_day = quote_days(now, draft or live_catalog())
    return quote(raw, today, catalog=draft, counted_from=shop_day)


def quote(
    raw: Mapping[str, Sequence[str]],
    today: date,
    stamp: tuple[str | None, str | None] | None = None,
    catalog: Catalog | None = None,
    counted_from: date | None = None,
) -> Quote:
    """Everything the configurator and the quote API show for the raw choices `raw` (`catalog`: a draft's;
    `today`: the order day; `counted_from`: the shop's day, `quote_days`)."""
    inputs = plan_inputs(today, stamp)
    catalog = catalog or inputs.catalog
    build, errors = parse_build(raw, catalog)

    def estimate_for(candidate: Build) -> Estimate:
        needs = component_needs(candidate, catalog)
        return estimate(needs, inputs.supplies, inputs.booked, catalog.workshop, today, inputs.capacity, counted_from)

    current = estimate_for(build)
    lines = price_lines(build, catalog)
    return Quote(
        catalog=catalog,
        build=build,
        errors=errors,
        conflicts=conflicts(build, catalog),
        lines=lines,
        total_cents=total_cents(lines),
        estimate=current,
        options=_option_infos(build, catalog, current, estimate_for),
    )


def _option_infos(build: Build, catalog: Catalog, current: Estimate, estimate_for) -> dict[str, OptionInfo]:
    infos = {}
    for group in catalog.groups:
        for option in group.options:
            reason = blocked_reason(option, build, catalog)
            delta = None
            if reason is None and not build.has(option.code):
                delta = (estimate_for(build.replacing(option, catalog)).earliest - current.earliest).days
            infos[option.code] = OptionInfo(reason, delta)
    return infos


def estimate_record(estimate: Estimate) -> dict:
    """An estimate as plain data: the checkout snapshot stores it and the quote API answers with it."""
    return {
        "earliest": estimate.earliest.isoformat(),
        "latest": estimate.latest.isoformat(),
        "steps": [
            {"kind": s.kind, "label": s.label, "date": s.date.isoformat(), "detail": s.detail, "sku": s.sku}
            for s in estimate.steps
        ],
    }


def line_record(line: PriceLine) -> dict:
    """A price line as plain data."""
    return {"group": line.group, "code": line.code, "label": line.label, "price_cents": line.price_cents}


def snapshot(current: Quote) -> dict:
    """The frozen record of a quote that a checkout, and later its order, keeps."""
    return {
        "build": {"picks": {g: list(c) for g, c in current.build.picks.items()}, "ral": current.build.ral},
        "lines": [line_record(line) for line in current.lines],
        "total_cents": current.total_cents,
        "currency": current.catalog.currency,
        "estimate": estimate_record(current.estimate),
        "components": component_needs(current.build, current.catalog),
    }
