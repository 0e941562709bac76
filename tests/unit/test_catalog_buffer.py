"""The catalog's supplier buffer: read from the workshop section, 0 when absent, never negative."""

import copy
import tomllib

import pytest

from storefront.domain.catalog import CatalogError, parse_catalog
from tests.unit.conftest import CATALOG_FILE


@pytest.fixture
def data():
    with open(CATALOG_FILE, "rb") as fh:
        return tomllib.load(fh)


def test_the_buffer_is_read_from_the_workshop_section(data):
    assert parse_catalog(data).workshop.supplier_buffer_days == 3


def test_a_catalog_without_a_buffer_plans_supplier_parts_on_their_delivery_date(data):
    older = copy.deepcopy(data)
    del older["workshop"]["supplier_buffer_days"]
    assert parse_catalog(older).workshop.supplier_buffer_days == 0


def test_a_negative_buffer_is_refused(data):
    data["workshop"]["supplier_buffer_days"] = -1
    with pytest.raises(CatalogError, match="supplier buffer"):
        parse_catalog(data)
