"""The simulator: the real services on a synthetic workshop, reproducible from its seed."""

from datetime import date

from storefront.simulation.engine import SimConfig, run


def test_the_same_seed_gives_the_same_figures_and_a_different_seed_different_ones(app):
    config = SimConfig(days=20, seed=7, rate=4.0, start=date(2027, 3, 1))
    first, again = run(config), run(config)
    other = run(SimConfig(days=20, seed=8, rate=4.0, start=date(2027, 3, 1)))
    assert first.lines()[:-1] == again.lines()[:-1]  # all but the timing line
    assert first.orders > 40 and first.total.delivered > 10
    assert first.total == again.total and first.slip_emails == again.slip_emails
    assert (other.orders, other.total) != (first.orders, first.total)
    assert first.seconds < 20
