"""Postal codes and regions for the countries we ship to: plain rules, no app."""

import pytest

from storefront.checkout.address import AddressError, check_region, normalise_postal_code


@pytest.mark.parametrize(
    ("country", "raw", "region", "expected"),
    [
        ("US", "05401", "VT", "05401"),
        ("US", " 05401-1234 ", "VT", "05401-1234"),
        ("US", "054011234", None, "05401-1234"),
        ("CA", "k1a0b1", "ON", "K1A 0B1"),
        ("CA", "H2X 1Y4", "QC", "H2X 1Y4"),
        ("CA", "X0A 0H0", "NU", "X0A 0H0"),
        ("CA", "X1A 2P6", "NT", "X1A 2P6"),
    ],
)
def test_valid_postal_codes_come_back_in_standard_spelling(country, raw, region, expected):
    assert normalise_postal_code(country, raw, region) == expected


@pytest.mark.parametrize(
    ("country", "raw", "region"),
    [
        ("US", "5401", "VT"),
        ("US", "05401-12", "VT"),
        ("US", "ABCDE", "VT"),
        ("CA", "D1A 0B1", "ON"),  # D is never used
        ("CA", "W1A 0B1", "ON"),  # W never starts a code
        ("CA", "K1A 0B", "ON"),
        ("CA", "K1A 0B1", "QC"),  # K is Ontario
        ("FR", "75001", None),
    ],
)
def test_invalid_postal_codes_are_refused(country, raw, region):
    with pytest.raises(AddressError):
        normalise_postal_code(country, raw, region)


def test_regions_belong_to_their_country():
    assert check_region("US", "vt") == "VT"
    assert check_region("CA", "QC") == "QC"
    with pytest.raises(AddressError, match="state"):
        check_region("US", "QC")
    with pytest.raises(AddressError, match="province"):
        check_region("CA", "NY")
