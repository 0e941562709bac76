"""The catalog as frozen dataclasses, parsed from the shop's data file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation

from .holidays import ShopHolidays, UnknownHolidayRegion
from .regions import is_region_key
from .shipping import FREE_EVERYWHERE, ShippingRate, ShippingTable
from .tax import MAX_PERCENT, TaxRate, TaxRegion, TaxTable

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class CatalogError(ValueError):
    """The catalog data file is malformed."""


@dataclass(frozen=True)
class Option:
    group: str
    code: str
    label: str
    delta_cents: int
    component: str
    needs_ral: bool = False
    swatch: str | None = None
    shape: str | None = None  # frame outline for the bike picture
    quantity: int = 1  # how many of `component` one bike with this option uses
    offered: bool = True  # a retired option stays in the data (old orders name it) but cannot be chosen


@dataclass(frozen=True)
class Group:
    code: str
    label: str
    pick: str  # "one" or "many"
    options: tuple[Option, ...]
    default: str | None = None  # pick-one groups: the option a new build starts with (else the first offered)

    @property
    def pick_one(self) -> bool:
        return self.pick == "one"

    @property
    def offered(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.offered)

    @property
    def default_code(self) -> str | None:
        """The option a new build starts with: none for pick-many groups."""
        if not self.pick_one:
            return None
        return self.default or next((o.code for o in self.offered), None)


@dataclass(frozen=True)
class Rule:
    option: str
    kind: str  # "needs" or "excludes"
    targets: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Workshop:
    working_weekdays: frozenset[int]
    holidays: ShopHolidays | frozenset[date]  # anything that answers `day in holidays`
    capacity_per_day: int
    assembly_days: int
    testing_days: int
    transit_days: int
    cutoff: time = time(15, 0)  # orders paid after this (shop time) count from the next working day
    supplier_confidence: float = 0.9  # a supplier part is planned in on the day it arrives with this confidence
    promise_confidence: float = 0.95  # the promised window closes on the day delivery happens with this confidence
    max_window_days: int = 3  # the promised window is never wider than this many working days
    # learned, never in the catalog: (working days from assembly start to the door, weight) (domain.reliability)
    door: tuple[tuple[int, int], ...] = ()
    # learned: extra bench days per build (overruns, reworks), which make far slots start late (domain.reliability)
    bench_extra: tuple[tuple[int, int], ...] = ()
    start_rate: float = 0.0  # learned: assemblies started per working day lately (domain.reliability)


@dataclass(frozen=True)
class ComponentSpec:
    sku: str
    name: str
    on_hand: int
    lead_time_days: int
    supplier: str | None = None
    reorder_point: int | None = None  # reorder when available stock falls to this
    reorder_quantity: int | None = None


@dataclass(frozen=True)
class ChecklistSpec:
    code: str
    label: str


@dataclass(frozen=True)
class Catalog:
    shop_name: str
    currency: str
    timezone: str
    product_code: str
    product_label: str
    base_cents: int
    groups: tuple[Group, ...]
    rules: tuple[Rule, ...]
    workshop: Workshop
    components: tuple[ComponentSpec, ...]
    checklist: tuple[ChecklistSpec, ...]
    shipping: ShippingTable = FREE_EVERYWHERE  # a catalog without [shipping] ships free, as before rates existed
    tax: TaxTable = TaxTable()  # and one without [tax] collects none
    _options: dict[str, Option] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for group in self.groups:
            for option in group.options:
                self._options[option.code] = option

    def group(self, code: str) -> Group:
        return next(g for g in self.groups if g.code == code)

    def group_index(self, code: str) -> int:
        return next(i for i, g in enumerate(self.groups) if g.code == code)

    def option(self, code: str) -> Option | None:
        return self._options.get(code)

    def is_offered(self, code: str) -> bool:
        option = self._options.get(code)
        return option is not None and option.offered

    def default_picks(self) -> dict[str, str]:
        """The build a new customer starts with: each pick-one group's default."""
        return {g.code: g.default_code for g in self.groups if g.default_code}

    def component_name(self, sku: str) -> str:
        return next((c.name for c in self.components if c.sku == sku), sku)


def parse_catalog(data: dict) -> Catalog:
    """Build a Catalog from the decoded data file, checking that it hangs together."""
    catalog = parse_unchecked(data)
    _check_references(catalog)
    return catalog


def parse_unchecked(data: dict) -> Catalog:
    """A Catalog of the data's shape, which may still name unknown options or components (a draft, say)."""
    try:
        return _parse(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, CatalogError):
            raise
        raise CatalogError(f"catalog file is malformed: {exc!r}") from exc


def _parse(data: dict) -> Catalog:
    groups = tuple(
        Group(
            code=g["code"],
            label=g["label"],
            pick=g["pick"],
            options=tuple(
                Option(
                    group=g["code"],
                    code=o["code"],
                    label=o["label"],
                    delta_cents=int(o["delta_cents"]),
                    component=o["component"],
                    needs_ral=bool(o.get("needs_ral", False)),
                    swatch=o.get("swatch"),
                    shape=o.get("shape"),
                    quantity=int(o.get("quantity", 1)),
                    offered=bool(o.get("offered", True)),
                )
                for o in g["options"]
            ),
            default=g.get("default"),
        )
        for g in data["groups"]
    )
    rules = tuple(_parse_rule(r) for r in data.get("rules", []))
    workshop = _parse_workshop(data["workshop"])
    return Catalog(
        shop_name=data["shop"]["name"],
        currency=data["shop"]["currency"],
        timezone=data["shop"]["timezone"],
        product_code=data["product"]["code"],
        product_label=data["product"]["label"],
        base_cents=int(data["product"]["base_cents"]),
        groups=groups,
        rules=rules,
        workshop=workshop,
        components=tuple(_parse_component(c) for c in data["components"]),
        checklist=tuple(ChecklistSpec(c["code"], c["label"]) for c in data.get("checklist", [])),
        shipping=_parse_shipping(data["shipping"]) if "shipping" in data else FREE_EVERYWHERE,
        tax=_parse_tax(data.get("tax", {})),
    )


class FieldError(CatalogError):
    """A catalog value that cannot be read, naming its field ("shipping.rates[2].fee_cents")."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.where = re.sub(r"\[(\d+)\]", r".\1", name)  # the dotted path a Problem uses


def _cents(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FieldError(name, f"{name} must be a whole number of cents, 0 or more (got {value!r})")
    return value


def _where(value, name: str) -> str:
    if not isinstance(value, str) or not is_region_key(value):
        raise FieldError(name, f"{name}: unknown region code {value!r} (use US, CA, or a region such as US-NY, CA-ON)")
    return value


def _unique(keys: list[str], name: str) -> None:
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise FieldError(name, f"{name} lists {', '.join(repeated)} more than once")


def _parse_shipping(section: dict) -> ShippingTable:
    rates = [_parse_rate(r, i) for i, r in enumerate(section.get("rates", []))]
    _unique([r.where for r in rates], "shipping.rates")
    return ShippingTable(tuple(rates), frozenset(section.get("oversized", [])))


def _parse_rate(r: dict, i: int) -> ShippingRate:
    name = f"shipping.rates[{i}]"
    free_over = r.get("free_over_cents")
    return ShippingRate(
        where=_where(r.get("where"), f"{name}.where"),
        ships=bool(r.get("ships", True)),
        fee_cents=_cents(r.get("fee_cents", 0), f"{name}.fee_cents"),
        free_over_cents=None if free_over is None else _cents(free_over, f"{name}.free_over_cents"),
        oversized_cents=_cents(r.get("oversized_cents", 0), f"{name}.oversized_cents"),
    )


def _percent(value, name: str) -> Decimal:
    try:
        percent = Decimal(str(value)) if isinstance(value, (int, float, str)) and not isinstance(value, bool) else None
    except InvalidOperation:
        percent = None
    if percent is None or not percent.is_finite() or not 0 <= percent <= MAX_PERCENT:
        raise FieldError(name, f"{name} must be a percentage from 0 to {MAX_PERCENT} (got {value!r})")
    return percent


def _parse_tax(section: dict) -> TaxTable:
    regions = [_parse_tax_region(r, i) for i, r in enumerate(section.get("collect", []))]
    _unique([r.where for r in regions], "tax.collect")
    return TaxTable(tuple(regions))


def _parse_tax_region(r: dict, i: int) -> TaxRegion:
    name = f"tax.collect[{i}]"
    rates = tuple(
        TaxRate(str(t["name"]), _percent(t.get("percent"), f"{name}.taxes[{j}].percent"))
        for j, t in enumerate(r.get("taxes", []))
    )
    if not rates:
        raise FieldError(f"{name}.taxes", f"{name}.taxes must list at least one tax")
    return TaxRegion(_where(r.get("where"), f"{name}.where"), rates, bool(r.get("exact", False)))


def table_problems(data: dict) -> list[Problem]:
    """Every shipping rate and tax region that cannot be read, each with its field: the messages a TOML import
    gives, one per bad item rather than the first only (the editor marks each field)."""
    problems: list[Problem] = []
    for section, key, parse in (("shipping", "rates", _parse_rate), ("tax", "collect", _parse_tax_region)):
        read = []
        for i, item in enumerate(data.get(section, {}).get(key, [])):
            try:
                read.append((i, parse(item, i)))
            except FieldError as exc:
                problems.append(Problem(exc.where, str(exc)))
        seen: set[str] = set()
        for i, item in read:
            if item.where in seen:
                problems.append(
                    Problem(f"{section}.{key}.{i}.where", f"{section}.{key} lists {item.where} more than once")
                )
            seen.add(item.where)
    return problems


def _parse_component(c: dict) -> ComponentSpec:
    def number(key: str) -> int | None:
        return None if c.get(key) is None else int(c[key])

    return ComponentSpec(
        sku=c["sku"],
        name=c["name"],
        on_hand=int(c["on_hand"]),
        lead_time_days=int(c["lead_time_days"]),
        supplier=c.get("supplier"),
        reorder_point=number("reorder_point"),
        reorder_quantity=number("reorder_quantity"),
    )


def _parse_workshop(ws: dict) -> Workshop:
    return Workshop(
        working_weekdays=frozenset(WEEKDAYS.index(d) for d in ws["working_days"]),
        holidays=_parse_holidays(ws),
        capacity_per_day=int(ws["assembly_capacity_per_day"]),
        assembly_days=int(ws["assembly_days"]),
        testing_days=int(ws["testing_days"]),
        transit_days=int(ws["transit_days"]),
        cutoff=_field(ws, "order_cutoff", "15:00", time.fromisoformat),
        supplier_confidence=_confidence(ws, "supplier_confidence", 0.9),
        promise_confidence=_confidence(ws, "promise_confidence", 0.95),
        max_window_days=_field(ws, "max_window_days", 3, int),
    )


def _field(ws: dict, name: str, default, convert):
    try:
        return convert(ws.get(name, default))
    except (TypeError, ValueError) as exc:
        raise CatalogError(f"workshop.{name} is not valid: {ws.get(name)!r}") from exc


def _confidence(ws: dict, name: str, default: float) -> float:
    value = _field(ws, name, default, float)
    if not 0.5 <= value <= 0.99:
        raise CatalogError(f"workshop.{name} must be between 0.5 and 0.99 (got {value})")
    return value


def _parse_holidays(ws: dict) -> ShopHolidays:
    """Public holidays for the catalog's country and subdivision (default US), plus the shop's own closures."""
    country, subdivision = ws.get("holiday_country", "US"), ws.get("holiday_subdivision")
    closures = frozenset(_field({"closures": c}, "closures", None, date.fromisoformat) for c in ws.get("closures", []))
    try:
        return ShopHolidays(country, subdivision, closures)
    except UnknownHolidayRegion as exc:
        field_name = "workshop.holiday_subdivision" if subdivision else "workshop.holiday_country"
        raise CatalogError(f"{field_name}: {exc}") from exc


def _parse_rule(r: dict) -> Rule:
    if "needs" in r:
        return Rule(r["option"], "needs", tuple(r["needs"]), r["message"])
    if "excludes" in r:
        return Rule(r["option"], "excludes", (r["excludes"],), r["message"])
    raise CatalogError(f"rule for {r.get('option')!r} must say 'needs' or 'excludes'")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a catalog, and where: a dotted path into the data file ("groups.0.options.2.label")."""

    where: str
    message: str


def _check_references(catalog: Catalog) -> None:
    problems = reference_problems(catalog)
    if problems:
        raise CatalogError(problems[0].message)


def reference_problems(catalog: Catalog) -> list[Problem]:
    """Problems that make a catalog unusable: duplicate codes, bad names, unknown components or rule options."""
    problems = _code_problems(catalog)
    skus = {c.sku for c in catalog.components}
    for gi, g in enumerate(catalog.groups):
        for oi, o in enumerate(g.options):
            where = f"groups.{gi}.options.{oi}"
            if o.component not in skus:
                problems.append(Problem(f"{where}.component", f"{o.code}: there is no component {o.component!r}."))
            if o.quantity < 1:
                problems.append(Problem(f"{where}.quantity", f"{o.code}: the component quantity must be 1 or more."))
    for ri, rule in enumerate(catalog.rules):
        for code in (rule.option, *rule.targets):
            if catalog.option(code) is None:
                problems.append(Problem(f"rules.{ri}", f"A rule mentions unknown option {code!r}."))
    ws = catalog.workshop
    if ws.capacity_per_day < 1 or not ws.working_weekdays:
        problems.append(Problem("workshop", "The workshop needs working days and a capacity of at least 1."))
    if ws.max_window_days < 1:
        problems.append(Problem("workshop.max_window_days", "workshop.max_window_days must be at least 1 working day."))
    for code in sorted(catalog.shipping.oversized):
        if catalog.option(code) is None:
            problems.append(Problem("shipping.oversized", f"shipping.oversized mentions unknown option {code!r}."))
    return problems


def _code_problems(catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    seen_groups: set[str] = set()
    seen_options: set[str] = set()
    for gi, g in enumerate(catalog.groups):
        if g.pick not in ("one", "many"):
            problems.append(Problem(f"groups.{gi}.pick", f"Group {g.code!r}: pick must be 'one' or 'many'."))
        if not re.fullmatch(r"[a-z][a-z0-9-]*", g.code):
            problems.append(
                Problem(f"groups.{gi}.code", f"Group code {g.code!r} must be lower-case letters, digits and dashes.")
            )
        if g.code in seen_groups:
            problems.append(Problem(f"groups.{gi}.code", f"Group code {g.code!r} is used twice."))
        seen_groups.add(g.code)
        for oi, o in enumerate(g.options):
            if o.code in seen_options:
                problems.append(Problem(f"groups.{gi}.options.{oi}.code", f"Option code {o.code!r} is used twice."))
            seen_options.add(o.code)
    skus = [c.sku for c in catalog.components]
    for ci, sku in enumerate(skus):
        if sku in skus[:ci]:
            problems.append(Problem(f"components.{ci}.sku", f"Component {sku!r} is listed twice."))
    return problems
