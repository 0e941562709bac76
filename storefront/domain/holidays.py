"""The workshop's closed days: public holidays from the `holidays` package, for any year, plus the shop's own."""

from __future__ import annotations

from datetime import date

import holidays as public_holidays


class UnknownHolidayRegion(ValueError):
    """The `holidays` package knows no such country, or no such subdivision of it."""


class ShopHolidays:
    """Public holidays of one country (and subdivision) plus the shop's own closures, for any year.

    `day in shop_holidays` is what the calendar asks. Each year's dates are computed once, on first use, and
    kept as a frozenset, so the planner's inner loop pays a set lookup and nothing more.
    """

    def __init__(self, country: str = "US", subdivision: str | None = None, closures: frozenset[date] = frozenset()):
        try:
            public_holidays.country_holidays(country, subdiv=subdivision)
        except NotImplementedError as exc:
            where = f"{country}/{subdivision}" if subdivision else country
            raise UnknownHolidayRegion(f"no public holidays are known for {where!r}") from exc
        self.country, self.subdivision, self.closures = country, subdivision, frozenset(closures)
        self._years: dict[int, frozenset[date]] = {}
        self._hash = hash(self._key())  # every working-day question finds its calendar by this

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        year = self._years.get(day.year)
        if year is None:
            year = self._years[day.year] = self._year(day.year)
        return day in year

    def _year(self, year: int) -> frozenset[date]:
        public = public_holidays.country_holidays(self.country, subdiv=self.subdivision, years=year)
        return frozenset(public) | {d for d in self.closures if d.year == year}

    def in_year(self, year: int) -> list[date]:
        """Every closed day of `year`, in order (for pages and tests)."""
        if year not in self._years:
            self._years[year] = self._year(year)
        return sorted(self._years[year])

    def _key(self) -> tuple:
        return (self.country, self.subdivision, self.closures)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ShopHolidays) and self._key() == other._key()

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"ShopHolidays({self.country!r}, {self.subdivision!r}, {len(self.closures)} closures)"
