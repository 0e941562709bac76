"""What the planner does with a supplier part when no delivery has been received yet: the documented prior."""

from datetime import date

from storefront.domain.reliability import Lateness, ready_day
from storefront.services.catalog import live_catalog


def planned_in(expected: date, first_given: date | None = None) -> date:
    """The day a part the supplier expects on `expected` is planned in, with no history: the prior's median."""
    workshop = live_catalog().workshop
    return ready_day(expected, first_given or expected, Lateness("no history").expected, workshop)
