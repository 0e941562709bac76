"""Shipping address rules for the countries we deliver to: regions and postal codes. Plain Python."""

from __future__ import annotations

import re

from ..domain.regions import CA_PROVINCES, COUNTRIES, REGIONS

US_ZIP = re.compile(r"(\d{5})(?:[-\s]?(\d{4}))?")
# Canada Post never uses D, F, I, O, Q or U, nor W or Z as the first letter.
CA_POSTAL = re.compile(r"([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])\s?(\d[ABCEGHJ-NPRSTV-Z]\d)")
# The first letter of a Canadian postal code names the province or territory.
CA_FIRST_LETTER = {
    "A": {"NL"}, "B": {"NS"}, "C": {"PE"}, "E": {"NB"}, "G": {"QC"}, "H": {"QC"}, "J": {"QC"},
    "K": {"ON"}, "L": {"ON"}, "M": {"ON"}, "N": {"ON"}, "P": {"ON"}, "R": {"MB"}, "S": {"SK"},
    "T": {"AB"}, "V": {"BC"}, "X": {"NT", "NU"}, "Y": {"YT"},
}  # fmt: skip


class AddressError(ValueError):
    """A postal code or region that does not exist in the chosen country."""


def check_region(country: str, region: str) -> str:
    """The region code, upper-cased, when it belongs to `country`."""
    code = (region or "").strip().upper()
    regions = REGIONS.get(country)
    if regions is None:
        raise AddressError("We ship to the United States and Canada only.")
    if code not in regions:
        kind = "state" if country == "US" else "province or territory"
        raise AddressError(f"Choose a {kind} of {COUNTRIES[country]}.")
    return code


def normalise_postal_code(country: str, value: str, region: str | None = None) -> str:
    """The postal code in its standard spelling (12345, 12345-6789, A1A 1A1), or AddressError."""
    text = (value or "").strip().upper()
    if country == "US":
        match = US_ZIP.fullmatch(text)
        if not match:
            raise AddressError("Enter a ZIP code of 5 digits, or ZIP+4 such as 12345-6789.")
        return match.group(1) + (f"-{match.group(2)}" if match.group(2) else "")
    if country == "CA":
        match = CA_POSTAL.fullmatch(text)
        if not match:
            raise AddressError("Enter a Canadian postal code such as K1A 0B1.")
        if region in CA_PROVINCES and region not in CA_FIRST_LETTER[text[0]]:
            raise AddressError(f"That postal code is not in {CA_PROVINCES[region]}.")
        return f"{match.group(1)} {match.group(2)}"
    raise AddressError("We ship to the United States and Canada only.")
