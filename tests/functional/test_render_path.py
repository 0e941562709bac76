"""The one render path and the declared caches: fragment or page, history restore, ETags, and caches that are
never stale."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront import cache, create_app
from storefront.config import ConfigError
from storefront.extensions import db
from storefront.models import Component

BUILD = "/configure/summary?frame=high-step&motor=mid-500&battery=b625&color=glacier"
HTMX = {"HX-Request": "true"}
RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


def test_an_htmx_request_gets_the_fragment_and_a_history_restore_gets_the_whole_page(client):
    fragment = client.get(BUILD, headers=HTMX)
    restored = client.get(BUILD, headers=RESTORE)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "<html" in restored.get_data(as_text=True)
    assert "HX-Request" in fragment.vary and "HX-Request" in restored.vary
    assert "HX-Replace-Url" in fragment.headers and "HX-Replace-Url" not in restored.headers


def test_the_board_answers_a_history_restore_with_the_whole_page(staff_client):
    assert "<html" not in staff_client.get("/backoffice/", headers=HTMX).get_data(as_text=True)
    assert "<html" in staff_client.get("/backoffice/", headers=RESTORE).get_data(as_text=True)


def test_an_overlong_query_renders_the_form_of_the_build_it_quotes(client):
    poisoned = "/configure/summary?color=ral&ral=RAL+1000&frame=folding&" + "x=1&" * 600
    client.get(poisoned, headers=HTMX)
    html = client.get("/configure/summary?", headers=HTMX).get_data(as_text=True)
    assert "RAL 1000" not in html and 'value="folding" checked' not in html


def test_a_stock_change_is_seen_by_the_next_cached_quote(client):
    first = client.get("/api/quote?frame=folding&motor=hub-250&battery=b400&color=graphite").get_json()
    frame = db.session.scalar(select(Component).where(Component.sku == "FRAME-FD"))
    frame.on_hand += 5
    db.session.commit()
    second = client.get("/api/quote?frame=folding&motor=hub-250&battery=b400&color=graphite").get_json()
    assert second["estimate"]["earliest"] < first["estimate"]["earliest"]


def test_clear_all_empties_every_declared_cache(client):
    client.get(BUILD)
    client.get(BUILD, headers=HTMX)
    assert len(cache.named("quotes")) and len(cache.named("configurator_html"))
    cache.clear_all()
    assert all(len(cache.named(d.name)) == 0 for d in cache.DECLARED)


def test_every_cache_declares_why_it_is_never_stale():
    assert len({d.name for d in cache.DECLARED}) == len(cache.DECLARED)
    assert all(d.default_size > 0 and d.freshness for d in cache.DECLARED)


def test_cache_sizes_come_from_the_config_and_bound_the_entries(tmp_path):
    create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "CACHE_SIZES": {"quotes": 2}})
    try:
        quotes = cache.named("quotes")
        for key in range(5):
            quotes.get_or_make(("size-test", key), lambda: "quote")
        assert quotes.size == 2 and len(quotes) == 2
    finally:
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
        cache.clear_all()


def test_an_unknown_cache_name_stops_the_app_at_start(tmp_path):
    with pytest.raises(ConfigError, match="unknown caches"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "CACHE_SIZES": {"qoutes": 9}})
