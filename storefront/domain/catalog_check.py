"""The catalog check: everything a draft must get right before it may go live, each problem with its field.

Reachability is exact: a small backtracking search with unit propagation (the way a SAT solver works) finds,
for each offered option, one valid build that contains it, or proves there is none. It never lists every
build, so a catalog of ten groups of ten options is checked in milliseconds.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from .build import Build, violated_rules
from .catalog import Catalog, Problem, Rule, reference_problems

ABSURD_FACTOR = 10  # an option dearer than ten bikes is a typo


def check_catalog(catalog: Catalog) -> list[Problem]:
    """Every problem with the catalog, in the order an owner would fix them."""
    problems = reference_problems(catalog)
    problems += price_problems(catalog)
    problems += rule_problems(catalog)
    problems += default_problems(catalog)
    problems += reachability_problems(catalog)
    return problems


def price_problems(catalog: Catalog) -> list[Problem]:
    """A base price above zero; no negative option price, and none over ten times the base."""
    problems = []
    if catalog.base_cents <= 0:
        problems.append(Problem("product.base_cents", "The base price must be more than zero."))
    ceiling = ABSURD_FACTOR * max(catalog.base_cents, 0)
    for gi, g in enumerate(catalog.groups):
        for oi, o in enumerate(g.options):
            where = f"groups.{gi}.options.{oi}.delta_cents"
            if o.delta_cents < 0:
                problems.append(Problem(where, f"{o.label}: the price cannot be negative."))
            elif o.delta_cents > ceiling:
                problems.append(Problem(where, f"{o.label}: the price is over {ABSURD_FACTOR}× the base price."))
    return problems


def rule_problems(catalog: Catalog) -> list[Problem]:
    """Rules naming a retired option, and rules without a message for the customer."""
    problems = []
    for ri, rule in enumerate(catalog.rules):
        retired = [c for c in (rule.option, *rule.targets) if catalog.option(c) and not catalog.is_offered(c)]
        if retired:
            problems.append(Problem(f"rules.{ri}", f"A rule mentions {', '.join(retired)}, which is not offered."))
        if not rule.message.strip():
            problems.append(Problem(f"rules.{ri}.message", "A rule needs a message for the customer."))
    return problems


def default_problems(catalog: Catalog) -> list[Problem]:
    """Each pick-one group starts on an offered option of its own, and the starting build breaks no rule."""
    problems = []
    for gi, g in enumerate(catalog.groups):
        if not g.pick_one:
            continue
        code = g.default_code
        option = catalog.option(code) if code else None
        if option is None or option.group != g.code or not option.offered:
            problems.append(Problem(f"groups.{gi}.default", f"{g.label}: the default must be an offered option."))
    if problems:
        return problems
    chosen = set(catalog.default_picks().values())
    for rule in _usable_rules(catalog):
        if _breaks(rule, chosen):
            gi = catalog.group_index(catalog.option(rule.option).group)
            problems.append(Problem(f"groups.{gi}.default", f"The default build breaks a rule: {rule.message}"))
    return problems


def reachability_problems(catalog: Catalog) -> list[Problem]:
    """Each offered option that no valid build can contain, naming the rules that strand it."""
    reachable = reachable_codes(catalog)
    problems = []
    for gi, g in enumerate(catalog.groups):
        for oi, o in enumerate(g.options):
            if o.offered and o.code not in reachable:
                problems.append(Problem(f"groups.{gi}.options.{oi}", _stranded(catalog, o.code)))
    return problems


def _stranded(catalog: Catalog, code: str) -> str:
    """Why an option is unreachable: the rules without which it would be reachable."""
    rules = _usable_rules(catalog)
    culprits = [r for r in rules if BuildSearch(catalog, [x for x in rules if x is not r]).find({code}) is not None]
    label = catalog.option(code).label
    if not culprits:
        return f"{label} can never be part of a valid build."
    said = "; ".join(f"“{r.message}”" for r in culprits)
    return f"{label} can never be part of a valid build: these rules leave it no completion: {said}"


def reachable_codes(catalog: Catalog) -> set[str]:
    """The offered options that at least one valid build contains (each build found covers all its options)."""
    search = BuildSearch(catalog)
    reachable: set[str] = set()
    for code in (o.code for g in catalog.groups for o in g.offered):
        if code not in reachable:
            reachable |= search.find({code}) or set()
    return reachable


def _usable_rules(catalog: Catalog) -> list[Rule]:
    """Rules whose options all exist (the others are reported as unknown references)."""
    return [r for r in catalog.rules if all(catalog.option(c) for c in (r.option, *r.targets))]


def _breaks(rule: Rule, chosen: set[str]) -> bool:
    if rule.option not in chosen:
        return False
    hit = chosen.intersection(rule.targets)
    return not hit if rule.kind == "needs" else bool(hit)


@dataclass(frozen=True)
class _State:
    chosen: frozenset[str]
    banned: frozenset[str]


class BuildSearch:
    """Find a valid build (one offered option per pick-one group, any offered extras, every rule kept)."""

    def __init__(self, catalog: Catalog, rules: Iterable[Rule] | None = None) -> None:
        self.catalog = catalog
        self.rules = list(_usable_rules(catalog) if rules is None else rules)
        self.one_groups = [frozenset(o.code for o in g.offered) for g in catalog.groups if g.pick_one]
        self.group_of = {o.code: members for members in self.one_groups for o in map(catalog.option, members)}
        self.offered = frozenset(o.code for g in catalog.groups for o in g.offered)
        self.every = frozenset(o.code for g in catalog.groups for o in g.options)
        self.excludes: dict[str, set[str]] = {}
        self.needs: dict[str, list[frozenset[str]]] = {}
        for r in self.rules:
            if r.kind == "excludes":
                for a, b in ((r.option, t) for t in r.targets):
                    self.excludes.setdefault(a, set()).add(b)
                    self.excludes.setdefault(b, set()).add(a)
            else:
                self.needs.setdefault(r.option, []).append(frozenset(r.targets))

    def find(self, required: set[str]) -> frozenset[str] | None:
        """The chosen codes of one valid build containing every `required` option, or None when none exists."""
        if not required <= self.offered:
            return None
        state = self._propagate(_State(frozenset(required), self.every - self.offered))
        return self._search(state)

    def _search(self, state: _State | None) -> frozenset[str] | None:
        if state is None:
            return None
        choice = self._open_choice(state)
        if choice is None:
            return state.chosen
        for code in sorted(choice):
            found = self._search(self._propagate(_State(state.chosen | {code}, state.banned)))
            if found is not None:
                return found
            state = self._propagate(_State(state.chosen, state.banned | {code}))
            if state is None:
                return None
        return None

    def _open_choice(self, state: _State) -> frozenset[str] | None:
        """The smallest undecided choice: a pick-one group with nothing chosen, or an unmet `needs` rule."""
        choices = [members - state.banned for members in self.one_groups if not members & state.chosen]
        for code in state.chosen:
            choices += [t - state.banned for t in self.needs.get(code, ()) if not t & state.chosen]
        return min(choices, key=len, default=None)

    def _propagate(self, state: _State) -> _State | None:
        """Apply every forced consequence; None on a contradiction."""
        chosen, banned = set(state.chosen), set(state.banned)
        changed = True
        while changed:
            if chosen & banned:
                return None
            changed = False
            for code in list(chosen):
                forced_out = (self.group_of.get(code, frozenset()) - {code}) | self.excludes.get(code, set())
                if not forced_out <= banned:
                    banned |= forced_out
                    changed = True
            for code in self.needs.keys() - banned:
                if any(t <= banned for t in self.needs[code]):
                    banned.add(code)
                    changed = True
            for options in self._open_sets(chosen, banned):
                if not options:
                    return None
                if len(options) == 1:
                    chosen |= options
                    changed = True
        return _State(frozenset(chosen), frozenset(banned))

    def _open_sets(self, chosen: set[str], banned: set[str]) -> list[frozenset[str]]:
        sets = [m - banned for m in self.one_groups if not m & chosen]
        for code in chosen:
            sets += [t - banned for t in self.needs.get(code, ()) if not t & chosen]
        return sets


def brute_force_reachable(catalog: Catalog) -> set[str]:
    """Every offered option found in at least one valid build, by listing every build: the exhaustive
    reference that `reachable_codes` is checked against (tests, bench). Only for small catalogs."""
    per_group = []
    for g in catalog.groups:
        offered = [o.code for o in g.offered]
        if g.pick_one:
            per_group.append([(g.code, (c,)) for c in offered])
        else:
            subsets = itertools.chain.from_iterable(itertools.combinations(offered, n) for n in range(len(offered) + 1))
            per_group.append([(g.code, s) for s in subsets])
    reachable: set[str] = set()
    for picks in itertools.product(*per_group):
        build = Build(dict(picks))
        if not violated_rules(build, catalog):
            reachable.update(build.codes())
    return reachable
