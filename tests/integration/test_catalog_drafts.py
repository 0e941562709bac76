"""Catalog drafts through the services: edit, stale edits, publish with who and a diff, rollback, TOML."""

import copy

import pytest

from storefront.domain.catalog import Problem
from storefront.domain.catalog_toml import TomlProblems
from storefront.extensions import db
from storefront.models import CatalogDraft, CatalogVersion, Checkout
from storefront.services import catalog_drafts as drafts
from storefront.services.catalog import live_catalog
from storefront.services.quote import cached_quote
from tests.conftest import FIXED_NOW
from tests.support.orders import make_checkout

BUILD = {"frame": ["step-through"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}


def edit(draft, change) -> dict:
    data = copy.deepcopy(draft.data)
    change(data)
    return data


def cheaper_base(data):
    data["product"]["base_cents"] = 139000


def test_a_draft_starts_as_a_copy_of_the_live_catalog_and_nothing_is_live_until_published(app_ctx):
    draft = drafts.start_draft(None)
    assert draft.data == drafts.live_version().data
    drafts.save_draft(draft.id, edit(draft, cheaper_base), draft.version)
    assert live_catalog().base_cents == 129000


def test_a_stale_save_is_refused_and_the_newer_edit_is_kept(app_ctx):
    draft = drafts.start_draft(None)
    seen = draft.version
    drafts.save_draft(draft.id, edit(draft, cheaper_base), seen)
    with pytest.raises(drafts.DraftChanged):
        drafts.save_draft(draft.id, edit(draft, lambda d: d["product"].update(label="Other")), seen)
    db.session.expire_all()
    assert db.session.get(CatalogDraft, draft.id).data["product"] == {**draft.data["product"], "base_cents": 139000}


def test_publishing_makes_the_draft_live_at_once_with_who_and_a_readable_diff(app_ctx, staff_user):
    before, _ = cached_quote(BUILD, FIXED_NOW)
    draft = drafts.start_draft(staff_user.id)
    draft, problems = drafts.save_draft(draft.id, edit(draft, cheaper_base), draft.version)
    assert problems == []
    published = drafts.publish(draft.id, draft.version, staff_user.id)
    after, _ = cached_quote(BUILD, FIXED_NOW)
    assert (before.total_cents, after.total_cents) == (129000, 139000)
    assert published.published_by_id == staff_user.id and published.created_at is not None
    assert published.diff == ["Base price: $1,290.00 → $1,390.00"]
    with pytest.raises(drafts.DraftNotFound):
        drafts.open_draft(draft.id)  # a published draft is closed


def test_a_draft_with_problems_is_refused_with_the_list_and_nothing_goes_live(app_ctx):
    draft = drafts.start_draft(None)
    bad = edit(draft, lambda d: d["groups"][1]["options"][1].update(delta_cents=-5))
    draft, problems = drafts.save_draft(draft.id, bad, draft.version)
    assert [p.where for p in problems] == ["groups.1.options.1.delta_cents"]
    with pytest.raises(drafts.DraftHasProblems) as refused:
        drafts.publish(draft.id, draft.version, None)
    assert refused.value.problems == problems
    assert db.session.query(CatalogVersion).count() == 1


def test_a_rollback_publishes_the_old_data_as_a_new_version(app_ctx):
    first = drafts.live_version()
    draft = drafts.start_draft(None)
    draft, _ = drafts.save_draft(draft.id, edit(draft, cheaper_base), draft.version)
    drafts.publish(draft.id, draft.version, None)
    rolled = drafts.roll_back_to(first.id, None)
    assert rolled.id > first.id and rolled.checksum != first.checksum
    assert rolled.data == first.data and live_catalog().base_cents == 129000
    assert rolled.diff == ["Base price: $1,390.00 → $1,290.00"]


def test_an_open_checkout_keeps_its_frozen_price_after_a_publish(app_ctx):
    checkout = make_checkout(FIXED_NOW, BUILD)
    draft = drafts.start_draft(None)
    draft, _ = drafts.save_draft(draft.id, edit(draft, cheaper_base), draft.version)
    drafts.publish(draft.id, draft.version, None)
    db.session.expire_all()
    kept = db.session.get(Checkout, checkout.id)
    assert kept.total_cents == 129000 and kept.snapshot["total_cents"] == 129000


def test_export_then_import_is_lossless(app_ctx):
    live = drafts.live_version().data
    draft = drafts.import_draft(drafts.export_toml(live), None)
    assert draft.data == live


def test_a_bad_toml_gets_line_numbered_messages_and_creates_no_draft(app_ctx):
    text = drafts.export_toml(drafts.live_version().data).replace("base_cents = 129000", 'base_cents = "lots"')
    with pytest.raises(TomlProblems) as bad:
        drafts.import_draft(text, None)
    assert bad.value.messages == ["Line 9: product.base_cents must be a whole number."]
    with pytest.raises(TomlProblems) as broken:
        drafts.import_draft("[shop\nname = 1\n", None)
    assert broken.value.messages[0].startswith("Line 1: ")
    assert db.session.query(CatalogDraft).count() == 0


def test_an_imported_draft_that_drops_a_published_option_is_flagged_and_cannot_go_live(app_ctx):
    def drop_lights(data):
        accessories = data["groups"][4]
        accessories["options"] = [o for o in accessories["options"] if o["code"] != "lights"]

    draft = drafts.import_draft(drafts.export_toml(edit(drafts.live_version(), drop_lights)), None)
    assert drafts.problems_of(draft.data) == [
        Problem(
            "groups", "Option 'lights' has been published, so it stays in the catalog: untick Offered to retire it."
        )
    ]
    with pytest.raises(drafts.DraftHasProblems):
        drafts.publish(draft.id, draft.version, None)
    retired = edit(drafts.live_version(), lambda d: d["groups"][4]["options"][2].update(offered=False))
    draft, problems = drafts.save_draft(draft.id, retired, draft.version)
    assert problems == []
    drafts.publish(draft.id, draft.version, None)
    assert live_catalog().option("lights") is not None and not live_catalog().is_offered("lights")
