"""How spread out a bike's delivery is, and the promised window that follows from it.

A `Dist` is a small distribution of working days: (days, weight) pairs sorted by days, weights being counts of
samples. A bike planned into assembly slot `s` arrives on working day `max(s, parts in) + door`, where each
awaited part arrives on its supplier's learned lateness (`reliability.Lateness`) and `door` is the working days
from the start of assembly to the customer's door, learned from delivered bikes (assembly and test overruns,
reworks and carrier transit together). Parts and door are taken as independent.

The window, in working days after the slot:
- it ends on the day the bike arrives by with the promise confidence (`end`);
- it starts on the day the bike arrives by with only the remaining share (`soonest`: the plan with parts in on
  their expected days and the fastest carrier), or later when that would make it wider than `widest`: the
  end is what the promise keeps, so it is never pulled earlier to narrow the window.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

Dist = tuple[tuple[int, int], ...]
ON_TIME: Dist = ((0, 1),)


def dist(samples: Iterable[int]) -> Dist:
    """The distribution of `samples` (each counts once)."""
    return tuple(sorted(Counter(samples).items()))


def shifted(d: Dist, by: int) -> Dist:
    return tuple((days + by, weight) for days, weight in d)


def quantile(d: Dist, q: float) -> int:
    """The smallest value with at least a share `q` of the weight at or below it (nearest rank)."""
    total = sum(w for _, w in d)
    need, running = max(1, math.ceil(round(q * total, 9))), 0
    for days, weight in d:
        running += weight
        if running >= need:
            return days
    return d[-1][0]


def latest_of(a: Dist, b: Dist) -> Dist:
    """The distribution of max(A, B) for independent A and B: the product of their cumulative weights."""
    values = sorted({v for v, _ in a} | {v for v, _ in b})
    out, before = [], 0
    cum_a, cum_b = _running(a), _running(b)
    for v in values:
        both = cum_a(v) * cum_b(v)
        if both > before:
            out.append((v, both - before))
        before = both
    return tuple(out)


def _running(d: Dist):
    """The cumulative weight of `d` at or below `v`, for `v` asked in increasing order (one pass over `d`)."""
    state = [0, 0]  # index of the next pair, weight so far

    def at(v: int) -> int:
        i, total = state
        while i < len(d) and d[i][0] <= v:
            total += d[i][1]
            i += 1
        state[0], state[1] = i, total
        return total

    return at


def plus(a: Dist, b: Dist) -> Dist:
    """The distribution of A + B for independent A and B (both sorted by days, so the sums span a known range)."""
    if not a or not b:
        return ()
    low = a[0][0] + b[0][0]
    sums = [0] * (a[-1][0] + b[-1][0] - low + 1)
    for va, wa in a:
        base = va - low
        for vb, wb in b:
            sums[base + vb] += wa * wb
    return tuple((low + offset, weight) for offset, weight in enumerate(sums) if weight)


@dataclass(frozen=True)
class Window:
    """Working days after the assembly slot: the confident-early day, the window's first and last days."""

    soonest: int
    start: int
    end: int


@lru_cache(maxsize=8192)
def window(parts: tuple[Dist, ...], door: Dist, confidence: float, widest: int) -> Window:
    """The window of a bike whose awaited parts arrive on `parts` (working days after its slot; earlier is
    fine, it is never built before the slot) and then takes `door` working days to the customer."""
    ready = ON_TIME
    for part in parts:
        ready = latest_of(ready, part)
    arrival = plus(ready, door)
    soonest, end = quantile(arrival, 1 - confidence), quantile(arrival, confidence)
    return Window(soonest, max(soonest, end - widest), end)
