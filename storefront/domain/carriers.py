"""Parcel carriers, keyed by the code the shipping form stores: names, tracking-number formats and tracking
links, for the workshop and the customer alike. Plain Python."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote


class InvalidTracking(ValueError):
    """A tracking number that does not match the carrier's format."""


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    patterns: tuple[str, ...]
    url_template: str  # {number} is replaced by the tracking number
    example: str

    def matches(self, number: str) -> bool:
        return any(re.fullmatch(p, number) for p in self.patterns)

    def tracking_url(self, number: str) -> str:
        return self.url_template.format(number=quote(number, safe=""))


CARRIERS: dict[str, Carrier] = {
    c.code: c
    for c in (
        Carrier(
            "ups", "UPS", (r"1Z[0-9A-Z]{16}",), "https://www.ups.com/track?tracknum={number}", "1Z999AA10123456784"
        ),
        Carrier(
            "fedex",
            "FedEx",
            (r"\d{12}", r"\d{15}", r"\d{20}", r"\d{22}"),
            "https://www.fedex.com/fedextrack/?trknbr={number}",
            "123456789012",
        ),
        Carrier(
            "usps",
            "USPS",
            (r"9[2-5]\d{20}", r"9[2-5]\d{24}", r"[A-Z]{2}\d{9}US"),
            "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
            "9400111899223344556677",
        ),
        Carrier(
            "canada-post",
            "Canada Post",
            (r"\d{16}", r"[A-Z]{2}\d{9}CA"),
            "https://www.canadapost-postescanada.ca/track-reperage/en#/details/{number}",
            "1234567890123456",
        ),
        Carrier(
            "dhl",
            "DHL",
            (r"\d{10}", r"JJD\d{18}"),
            "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
            "1234567890",
        ),
    )
}


def normalise_tracking(number: str) -> str:
    """Staff type or scan numbers with spaces and dashes; carriers print them without."""
    return re.sub(r"[\s-]", "", number or "").upper()


def validate_tracking(carrier_code: str, number: str) -> tuple[Carrier, str]:
    """The carrier and the normalised number; raises InvalidTracking with a message staff can act on."""
    carrier = CARRIERS.get(carrier_code)
    if carrier is None:
        raise InvalidTracking("Choose a carrier from the list.")
    normal = normalise_tracking(number)
    if not normal:
        raise InvalidTracking("Enter the tracking number.")
    if not carrier.matches(normal):
        raise InvalidTracking(f"That is not a {carrier.name} tracking number (for example {carrier.example}).")
    return carrier, normal
