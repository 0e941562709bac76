"""The countries and regions the shop knows: ISO 3166 codes and names, and how a table entry is found for one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")

COUNTRIES = {"US": "United States", "CA": "Canada"}

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip

CA_PROVINCES = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories", "NU": "Nunavut",
    "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec", "SK": "Saskatchewan", "YT": "Yukon",
}  # fmt: skip

REGIONS = {"US": US_STATES, "CA": CA_PROVINCES}


def region_name(country: str, region: str) -> str:
    """The region's name ("New York"), or its code when unknown."""
    return REGIONS.get(country, {}).get(region, region)


def region_key(country: str, region: str) -> str:
    """The ISO 3166-2 code of a region, such as "US-NY" or "CA-ON"."""
    return f"{country}-{region}"


def most_specific(entries: Iterable[T], country: str, region: str) -> T | None:
    """The entry whose `where` names the region ("US-NY"), else the one naming its country ("US"), else None."""
    by_where = {entry.where: entry for entry in entries}
    return by_where.get(region_key(country, region)) or by_where.get(country)


def is_region_key(key: str) -> bool:
    """True for a country we know ("US") or one of its regions ("US-NY")."""
    country, _, region = key.partition("-")
    return country in REGIONS and (not region or region in REGIONS[country])
