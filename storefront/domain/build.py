"""A customer's build: parsing raw choices, checking the catalog rules, explaining and fixing conflicts."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .catalog import Catalog, Option, Rule

MAX_VALUE_LENGTH = 64
MAX_ACCESSORIES = 32
RAL_PATTERN = re.compile(r"RAL\s?(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class Build:
    """Chosen option codes per group, plus the RAL code when a custom colour is chosen."""

    picks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ral: str | None = None

    def codes(self) -> list[str]:
        return [code for codes in self.picks.values() for code in codes]

    def has(self, code: str) -> bool:
        return any(code in codes for codes in self.picks.values())

    def replacing(self, option: Option, catalog: Catalog) -> Build:
        """This build with `option` chosen: swapped in for a pick-one group, added to a pick-many one."""
        picks = dict(self.picks)
        if catalog.group(option.group).pick_one:
            picks[option.group] = (option.code,)
        else:
            picks[option.group] = tuple(dict.fromkeys((*picks.get(option.group, ()), option.code)))
        return Build(picks, self.ral).tidied(catalog)

    def without(self, option: Option, catalog: Catalog) -> Build:
        picks = dict(self.picks)
        picks[option.group] = tuple(c for c in picks.get(option.group, ()) if c != option.code)
        return Build(picks, self.ral).tidied(catalog)

    def tidied(self, catalog: Catalog) -> Build:
        """Drop the RAL code when no chosen option asks for one."""
        wants_ral = any(catalog.option(c).needs_ral for c in self.codes())
        return self if wants_ral or self.ral is None else Build(self.picks, None)

    def query_items(self) -> list[tuple[str, str]]:
        """The build as query parameters: the shareable link."""
        items = [(group, code) for group, codes in self.picks.items() for code in codes]
        if self.ral:
            items.append(("ral", self.ral))
        return items


@dataclass(frozen=True)
class BuildError:
    group: str
    message: str
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fix:
    label: str
    build: Build


@dataclass(frozen=True)
class Conflict:
    error: BuildError
    fixes: tuple[Fix, ...]


def parse_build(raw: Mapping[str, Sequence[str]], catalog: Catalog) -> tuple[Build, list[BuildError]]:
    """Turn raw query values into a Build, with an error for every value that cannot be used."""
    picks: dict[str, tuple[str, ...]] = {}
    errors: list[BuildError] = []
    for group in catalog.groups:
        values = [v.strip() for v in raw.get(group.code, ()) if isinstance(v, str) and v.strip()]
        if group.pick_one:
            values = list(dict.fromkeys(values))
        if len(values) > MAX_ACCESSORIES or any(len(v) > MAX_VALUE_LENGTH for v in values):
            errors.append(BuildError(group.code, f"{group.label}: that value is too long."))
            continue
        known = [v for v in values if (o := catalog.option(v)) and o.group == group.code and o.offered]
        retired = [v for v in values if (o := catalog.option(v)) and o.group == group.code and not o.offered]
        for unknown in (v for v in values if v not in known and v not in retired):
            errors.append(BuildError(group.code, f"{group.label}: “{unknown}” is not an option we offer."))
        if retired and group.pick_one and not known:
            known = [_nearest(group, picks, catalog)]
        for code in retired:
            errors.append(BuildError(group.code, _retired_message(catalog.option(code), known, catalog)))
        if group.pick_one and len(known) > 1:
            errors.append(BuildError(group.code, f"{group.label}: choose only one."))
            known = known[:1]
        elif group.pick_one and not known and not any(e.group == group.code for e in errors):
            errors.append(BuildError(group.code, f"{group.label}: please choose one."))
        picks[group.code] = tuple(dict.fromkeys(known))
    build = Build(picks, None)
    ral, ral_error = _parse_ral(raw.get("ral", ()), build, catalog)
    if ral_error:
        errors.append(ral_error)
    return Build(picks, ral), errors


def _nearest(group, picks: Mapping[str, tuple[str, ...]], catalog: Catalog) -> str:
    """The offered option of `group` that keeps the choices so far within the rules, cheapest first."""
    for option in sorted(group.offered, key=lambda o: o.delta_cents):
        if not violated_rules(Build({**picks, group.code: (option.code,)}), catalog):
            return option.code
    return group.default_code


def _retired_message(option: Option, chosen: list[str], catalog: Catalog) -> str:
    group = catalog.group(option.group)
    instead = f" We chose {catalog.option(chosen[0]).label} instead." if group.pick_one and chosen else ""
    return f"{group.label}: {option.label} is no longer offered.{instead}"


def _parse_ral(values: Sequence[str], build: Build, catalog: Catalog) -> tuple[str | None, BuildError | None]:
    needing = next((catalog.option(c) for c in build.codes() if catalog.option(c).needs_ral), None)
    if needing is None:
        return None, None
    value = next((v.strip() for v in values if isinstance(v, str) and v.strip()), "")
    if not value:
        return None, BuildError(needing.group, "Custom colour: enter a RAL code such as RAL 5015.")
    match = RAL_PATTERN.fullmatch(value[: MAX_VALUE_LENGTH + 1])
    if not match:
        return None, BuildError(needing.group, "Custom colour: a RAL code is “RAL” and four digits, such as RAL 5015.")
    return f"RAL {match.group(1)}", None


def violated_rules(build: Build, catalog: Catalog) -> list[Rule]:
    """Catalog rules the build breaks, in catalog order."""
    chosen = set(build.codes())
    broken = []
    for rule in catalog.rules:
        if rule.option not in chosen:
            continue
        if (
            rule.kind == "needs"
            and not chosen.intersection(rule.targets)
            or rule.kind == "excludes"
            and chosen.intersection(rule.targets)
        ):
            broken.append(rule)
    return broken


def rule_error(rule: Rule, catalog: Catalog) -> BuildError:
    return BuildError(catalog.option(rule.option).group, rule.message, (rule.option, *rule.targets))


def conflicts(build: Build, catalog: Catalog) -> list[Conflict]:
    """Each broken rule, explained, with one-click fixes that make the build valid again."""
    return [Conflict(rule_error(r, catalog), tuple(_fixes(build, r, catalog))) for r in violated_rules(build, catalog)]


def _fixes(build: Build, rule: Rule, catalog: Catalog) -> list[Fix]:
    """Smallest changes that clear `rule` without breaking another: swap a later choice first."""
    involved = [catalog.option(rule.option)] + [catalog.option(t) for t in rule.targets]
    groups = sorted({o.group for o in involved}, key=catalog.group_index, reverse=True)
    fixes: list[Fix] = []
    for group_code in groups:
        group = catalog.group(group_code)
        if not group.pick_one:
            for option in (o for o in involved if o.group == group_code and build.has(o.code)):
                candidate = build.without(option, catalog)
                if not violated_rules(candidate, catalog):
                    fixes.append(Fix(f"Remove {option.label}", candidate))
            continue
        for option in sorted(group.options, key=lambda o: o.delta_cents):
            if build.has(option.code):
                continue
            candidate = build.replacing(option, catalog)
            if not violated_rules(candidate, catalog):
                fixes.append(Fix(f"Switch {group.label.lower()} to {option.label}", candidate))
                break
    return fixes[:2]


def blocked_reason(option: Option, build: Build, catalog: Catalog) -> str | None:
    """Why `option` cannot be chosen given the choices in earlier groups, or None when it can.

    Options are disabled only by choices made before them in catalog order; choosing an option that
    clashes with a later choice is allowed and explained as a conflict with a fix.
    """
    if build.has(option.code):
        return None
    own_index = catalog.group_index(option.group)
    candidate = build.replacing(option, catalog)
    already_broken = violated_rules(build, catalog)
    for rule in violated_rules(candidate, catalog):
        if rule in already_broken:
            continue
        if rule.option == option.code:
            other_groups = {catalog.option(t).group for t in rule.targets}
        else:
            other_groups = {catalog.option(rule.option).group}
        if all(catalog.group_index(g) < own_index for g in other_groups):
            return rule.message
    return None
