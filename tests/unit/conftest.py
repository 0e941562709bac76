"""Unit tests run on the domain alone: no app, no database."""

import tomllib
from pathlib import Path

import pytest

from storefront.domain.catalog import parse_catalog

CATALOG_FILE = Path(__file__).resolve().parents[2] / "catalog" / "ebike.toml"


@pytest.fixture(scope="session")
def catalog():
    with open(CATALOG_FILE, "rb") as fh:
        return parse_catalog(tomllib.load(fh))
