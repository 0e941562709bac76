"""Loading the catalog data file into the database, and reading the live catalog back."""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from .. import cache
from ..domain.calendar import order_day
from ..domain.catalog import Catalog, parse_catalog
from ..extensions import db
from ..models import CatalogVersion, ChecklistItem, Component, Setting
from ..timeutil import local_moment
from .plan_version import current_stamp
from .unit_of_work import unit_of_work

CAPACITY_KEY = "assembly_capacity_per_day"


class NoCatalog(RuntimeError):
    """No catalog has been loaded yet: run `flask --app storefront seed-demo`."""


def read_catalog_file(path: str | Path) -> dict:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    parse_catalog(data)  # fail early on a malformed file
    return data


def load_catalog_file(path: str | Path) -> dict[str, int]:
    """Store the file as the live catalog and add missing components, checklist items and settings.

    Idempotent: loading the same file twice changes nothing, and stock that staff changed is kept.
    Returns counts of what was added.
    """
    data = read_catalog_file(path)
    checksum = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    added = {"catalog": 0, "components": 0, "checklist": 0, "settings": 0}
    with unit_of_work():
        if db.session.scalar(select(CatalogVersion.id).where(CatalogVersion.checksum == checksum)) is None:
            db.session.add(CatalogVersion(checksum=checksum, data=json.loads(json.dumps(data, default=str))))
            added["catalog"] = 1
        added.update(add_missing_rows(data))
    return added


def add_missing_rows(data: dict) -> dict[str, int]:
    """Components, checklist items and settings the catalog data names but the database lacks (inside a unit of
    work). Rows that exist are kept as staff left them: stock, lead times and capacity change at run time."""
    added = {"components": 0, "checklist": 0, "settings": 0}
    known = set(db.session.scalars(select(Component.sku)))
    for spec in data["components"]:
        if spec["sku"] not in known:
            db.session.add(
                Component(
                    sku=spec["sku"],
                    name=spec["name"],
                    on_hand=spec["on_hand"],
                    lead_time_days=spec["lead_time_days"],
                )
            )
            added["components"] += 1
    known_items = set(db.session.scalars(select(ChecklistItem.code)))
    for position, item in enumerate(data.get("checklist", [])):
        if item["code"] not in known_items:
            db.session.add(ChecklistItem(code=item["code"], label=item["label"], position=position))
            added["checklist"] += 1
    if db.session.get(Setting, CAPACITY_KEY) is None:
        capacity = str(data["workshop"]["assembly_capacity_per_day"])
        db.session.add(Setting(key=CAPACITY_KEY, value=capacity))
        added["settings"] += 1
    return added


def live_catalog() -> Catalog:
    """The newest loaded catalog, parsed once per process and version; its checksum is half the plan stamp."""
    checksum = current_stamp()[0]
    if checksum is None:
        raise NoCatalog("No catalog loaded. Run: flask --app storefront seed-demo")
    return catalog_for(checksum)


def catalog_for(checksum: str) -> Catalog:
    """The parsed catalog with this checksum, read from the database once per process."""

    def read() -> Catalog:
        data = db.session.scalar(select(CatalogVersion.data).where(CatalogVersion.checksum == checksum))
        if data is None:
            raise NoCatalog("No catalog loaded. Run: flask --app storefront seed-demo")
        return parse_catalog(data)

    return cache.named("catalogs").get_or_make(checksum, read)


_CAPACITY = select(Setting.value).where(Setting.key == CAPACITY_KEY)  # built once: every re-plan and quote reads it
CAPACITY_COLUMN = _CAPACITY.scalar_subquery()  # for a caller that reads it with more in one round trip


def assembly_capacity(catalog: Catalog) -> int:
    return capacity_from(db.session.scalar(_CAPACITY), catalog)  # a column, not the row: no object to refresh


def capacity_from(setting: str | None, catalog: Catalog) -> int:
    """The capacity setting's value as read, or the catalog's when there is no setting."""
    return int(setting) if setting is not None else catalog.workshop.capacity_per_day


def order_day_at(moment: datetime, catalog: Catalog) -> date:
    """The working day an order paid at `moment` counts from, on the shop's clock (`calendar.order_day`: after
    the cut-off or on a closed day, the next working day). Quotes, payment and the re-plan's queue share it."""
    return order_day(local_moment(moment, catalog.timezone), catalog.workshop)
