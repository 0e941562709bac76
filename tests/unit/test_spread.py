"""Delivery spreads: small distributions of working days, and the promised window drawn from them."""

import random
from collections import Counter

from storefront.domain.spread import dist, latest_of, plus, quantile, window

DOOR = dist([4, 5, 5, 5, 5, 5, 6, 6, 6, 7])  # assembly to the door: the documented prior around 5 working days


def test_a_distribution_counts_each_value_once_per_sample_in_order():
    assert dist([2, 0, 2, 1]) == ((0, 1), (1, 1), (2, 2))
    assert quantile(DOOR, 0.05) == 4 and quantile(DOOR, 0.5) == 5 and quantile(DOOR, 0.95) == 7


def test_sums_and_maxima_of_independent_spreads_keep_every_outcome():
    coin = dist([0, 1])
    assert plus(coin, coin) == ((0, 1), (1, 2), (2, 1))
    assert latest_of(coin, coin) == ((0, 1), (1, 3))  # both 0 once in four
    assert latest_of(dist([5]), coin) == ((5, 2),)  # a certain later part decides alone (weight 1 x 2)


def test_a_bike_with_its_parts_in_arrives_in_the_door_times_central_span():
    assert window((), DOOR, 0.95, 3) == window((), DOOR, 0.95, 9)
    found = window((), DOOR, 0.95, 3)
    assert (found.soonest, found.start, found.end) == (4, 4, 7)


def test_a_part_that_may_come_after_the_slot_moves_the_last_day_and_never_the_slot_s_own_outcomes_earlier():
    early_part = dist([-3, -1])  # arrives before the slot whatever happens: the bike waits for its slot anyway
    assert window((early_part,), DOOR, 0.95, 3) == window((), DOOR, 0.95, 3)
    late_part = dist([0] * 8 + [3] * 2)
    found = window((late_part,), DOOR, 0.95, 3)
    assert found.end == 9 and found.soonest == 4


def test_a_spread_wider_than_the_maximum_keeps_its_last_day_and_starts_later():
    wild = dist([0] * 5 + [6] * 5)
    found = window((wild,), DOOR, 0.95, 3)
    assert found.end == 12 and found.start == 9 and found.soonest == 4  # the promise kept; early arrivals possible
    assert window((wild,), DOOR, 0.95, 20).start == 4


def test_sums_and_maxima_match_every_pair_of_outcomes_counted_one_by_one():
    rng = random.Random(7)
    for _ in range(200):
        a = dist(rng.choices(range(-3, 9), k=rng.randint(1, 12)))
        b = dist(rng.choices(range(0, 40, rng.randint(1, 5)), k=rng.randint(1, 12)))
        pairs = [(va, wa * wb, vb) for va, wa in a for vb, wb in b]
        sums, maxima = Counter(), Counter()
        for va, weight, vb in pairs:
            sums[va + vb] += weight
            maxima[max(va, vb)] += weight
        assert plus(a, b) == tuple(sorted(sums.items()))
        assert latest_of(a, b) == tuple(sorted(maxima.items()))
