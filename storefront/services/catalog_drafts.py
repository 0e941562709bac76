"""Catalog drafts: start, edit, check, preview, publish and roll back; import and export as TOML."""

from __future__ import annotations

import copy
import hashlib
import json

from sqlalchemy import select

from ..domain import catalog_toml
from ..domain.catalog import Catalog, CatalogError, Problem, parse_catalog, parse_unchecked, table_problems
from ..domain.catalog_check import check_catalog
from ..domain.catalog_diff import catalog_diff
from ..extensions import db
from ..models import CatalogDraft, CatalogVersion
from .catalog import NoCatalog, add_missing_rows, live_catalog
from .unit_of_work import ConcurrentChange, unit_of_work


class DraftNotFound(LookupError):
    """No open draft has that number."""


class DraftChanged(ConcurrentChange):
    def __init__(self) -> None:
        super().__init__("Another owner saved this draft while you had it open. Reload it to see their changes.")


class DraftHasProblems(ValueError):
    """A draft that fails the catalog check cannot go live."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"The draft has {len(problems)} problem(s); fix them before publishing.")
        self.problems = problems


def problems_of(data: dict) -> list[Problem]:
    """The catalog check's findings for draft data, or the reason it cannot be read at all."""
    shape = catalog_toml.schema_problems(data)
    if shape:
        return [Problem(".".join(str(p) for p in path), message) for path, message in shape]
    tables = table_problems(data)
    if tables:
        return tables
    try:
        problems = check_catalog(parse_unchecked(data))
    except CatalogError as exc:
        return [Problem("", str(exc))]
    return problems + dropped_codes(data)


def dropped_codes(data: dict) -> list[Problem]:
    """Published options the data no longer has: they stay (retired) so that shared links can explain them."""
    kept = {option["code"] for group in data["groups"] for option in group["options"]}
    return [
        Problem(
            "groups", f"Option {code!r} has been published, so it stays in the catalog: untick Offered to retire it."
        )
        for code in sorted(published_option_codes() - kept)
    ]


def live_version() -> CatalogVersion:
    version = db.session.scalar(select(CatalogVersion).order_by(CatalogVersion.id.desc()).limit(1))
    if version is None:
        raise NoCatalog("No catalog loaded. Run: flask --app storefront seed-demo")
    return version


def start_draft(staff_id: int | None, data: dict | None = None) -> CatalogDraft:
    """A new draft: a copy of the live catalog, or the imported `data`."""
    live = live_version()
    with unit_of_work():
        draft = CatalogDraft(data=copy.deepcopy(data or live.data), base_checksum=live.checksum, created_by_id=staff_id)
        db.session.add(draft)
    return draft


def import_draft(text: str, staff_id: int | None) -> CatalogDraft:
    """A new draft from TOML text; TomlProblems (line-numbered) and no draft when it cannot be read."""
    return start_draft(staff_id, catalog_toml.loads(text))


def open_draft(draft_id: int) -> CatalogDraft:
    draft = db.session.get(CatalogDraft, draft_id)
    if draft is None or draft.published_version_id is not None:
        raise DraftNotFound(draft_id)
    return draft


def open_drafts() -> list[CatalogDraft]:
    query = select(CatalogDraft).where(CatalogDraft.published_version_id.is_(None)).order_by(CatalogDraft.id)
    return list(db.session.scalars(query))


def save_draft(draft_id: int, data: dict, version: int) -> tuple[CatalogDraft, list[Problem]]:
    """Store the edited data if nobody saved the draft since `version`; returns it with the check's findings."""
    with unit_of_work(DraftChanged):
        draft = open_draft(draft_id)
        if draft.version != version:
            raise DraftChanged()
        draft.data = copy.deepcopy(data)
    return draft, problems_of(draft.data)


def publish(draft_id: int, version: int, staff_id: int | None) -> CatalogVersion:
    """Make a draft that passes the check the live catalog, in one transaction, with who, when and a diff."""
    with unit_of_work(DraftChanged):
        draft = open_draft(draft_id)
        if draft.version != version:
            raise DraftChanged()
        problems = problems_of(draft.data)
        if problems:
            raise DraftHasProblems(problems)
        published = _new_version(draft.data, staff_id)
        db.session.flush()
        draft.published_version_id = published.id
    return published


def roll_back_to(version_id: int, staff_id: int | None) -> CatalogVersion:
    """Publish an earlier version's data again, as a new version (the history keeps everything)."""
    with unit_of_work():
        earlier = db.session.get(CatalogVersion, version_id)
        if earlier is None:
            raise DraftNotFound(version_id)
        published = _new_version(earlier.data, staff_id)
    return published


def _new_version(data: dict, staff_id: int | None) -> CatalogVersion:
    """A new newest CatalogVersion: the live catalog from the next request on, in every process (plan stamp)."""
    live = live_version()
    stored = json.loads(json.dumps(data, default=str))
    # the id of the version it replaces keeps the checksum unique, so a rollback to old data is a new version
    checksum = hashlib.sha256(f"{live.id}:{json.dumps(stored, sort_keys=True)}".encode()).hexdigest()
    version = CatalogVersion(
        checksum=checksum,
        data=stored,
        published_by_id=staff_id,
        diff=catalog_diff(live_catalog(), parse_catalog(stored)),
    )
    db.session.add(version)
    add_missing_rows(stored)
    return version


def published_option_codes() -> set[str]:
    """Every option code any published version has offered or named: such a code is never renamed."""
    every = db.session.scalars(select(CatalogVersion.data))
    return {option["code"] for data in every for group in data["groups"] for option in group["options"]}


def published_versions() -> list[CatalogVersion]:
    return list(db.session.scalars(select(CatalogVersion).order_by(CatalogVersion.id.desc())))


def draft_catalog(draft: CatalogDraft) -> Catalog:
    """The draft as a catalog, for the preview (only a draft without reference problems can be previewed)."""
    return parse_catalog(draft.data)


def export_toml(data: dict) -> str:
    return catalog_toml.dumps(data)
