"""Catalog check benchmark: the whole check on the demo catalog and on a generated 10 groups x 10 options catalog.

    .venv/bin/python bench/catalog_check_bench.py [--runs 20] [--rules 40] [--seed 16]

The yardstick is brute force (list every build, keep the valid ones), which the property test uses as the
oracle: timed on the demo catalog (9,216 builds); on 10 x 10 it would list about 10^10 builds, so only the
count is printed. Each figure is the median of `--runs` timings.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storefront.domain.catalog import Catalog, parse_catalog  # noqa: E402
from storefront.domain.catalog_check import brute_force_reachable, check_catalog, reachable_codes  # noqa: E402

DEMO = Path(__file__).resolve().parent.parent / "catalog" / "ebike.toml"


def generated(groups: int, options: int, rules: int, seed: int) -> Catalog:
    """`groups` groups of `options` options (the last two pick-many) with random needs/excludes rules."""
    rng = random.Random(seed)
    with open(DEMO, "rb") as fh:
        data = tomllib.load(fh)
    data["shipping"]["oversized"] = []  # the demo's oversized frame is not among these options
    codes = [[f"g{g}o{o}" for o in range(options)] for g in range(groups)]
    data["groups"] = [
        {
            "code": f"g{g}",
            "label": f"Group {g}",
            "pick": "many" if g >= groups - 2 else "one",
            "options": [
                {"code": c, "label": c, "delta_cents": rng.randrange(0, 50000), "component": "C"} for c in codes[g]
            ],
        }
        for g in range(groups)
    ]
    flat = [c for group in codes for c in group]
    data["rules"] = []
    for _ in range(rules):
        option = rng.choice(flat)
        if rng.random() < 0.5:
            data["rules"].append({"option": option, "needs": rng.sample(flat, 3), "message": "needs"})
        else:
            data["rules"].append({"option": option, "excludes": rng.choice(flat), "message": "excludes"})
    data["components"] = [{"sku": "C", "name": "C", "on_hand": 1, "lead_time_days": 1}]
    return parse_catalog(data)


def build_count(catalog: Catalog) -> int:
    count = 1
    for g in catalog.groups:
        count *= len(g.offered) if g.pick_one else 2 ** len(g.offered)
    return count


def median_ms(fn, runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rules", type=int, default=40)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    with open(DEMO, "rb") as fh:
        demo = parse_catalog(tomllib.load(fh))
    big = generated(10, 10, args.rules, args.seed)
    assert reachable_codes(demo) == brute_force_reachable(demo)
    print(
        f"demo catalog ({build_count(demo):,} builds): check {median_ms(lambda: check_catalog(demo), args.runs):.2f} ms"
        f", brute force {median_ms(lambda: brute_force_reachable(demo), max(1, args.runs // 10)):.1f} ms"
    )
    problems = check_catalog(big)
    print(
        f"10 x 10 catalog, {args.rules} rules ({build_count(big):,} builds, {len(problems)} problems, "
        f"{len(reachable_codes(big))} of 100 options reachable): check "
        f"{median_ms(lambda: check_catalog(big), args.runs):.2f} ms, reachability alone "
        f"{median_ms(lambda: reachable_codes(big), args.runs):.2f} ms"
    )


if __name__ == "__main__":
    main()
