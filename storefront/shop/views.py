"""The customer's shop: the configurator page, its live summary fragment and the JSON quote API."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from .. import cache, clock
from ..domain.regions import COUNTRIES, REGIONS
from ..services.catalog import live_catalog
from ..services.charges import destination_charges
from ..services.quote import Quote, cached_quote
from ..web import render_page_or_fragment
from .forms import build_form
from .presenters import quote_json

bp = Blueprint("shop", __name__)

MAX_QUERY_LENGTH = 2048
_html = cache.named("configurator_html")  # rendered configurator parts, keyed like the quotes they show
_json = cache.named("quote_json")  # encoded quote API bodies, keyed like the quotes they show


def _args() -> MultiDict:
    """The query, or nothing when it is too long: the quote, its cache key and the destination all read this."""
    return request.args if len(request.query_string) <= MAX_QUERY_LENGTH else MultiDict()


def _current_quote() -> tuple[Quote, tuple]:
    query = request.query_string
    if len(query) > MAX_QUERY_LENGTH:
        return cached_quote({}, clock.now())  # no build, and no cache entry per hostile query
    return cached_quote(lambda: {k: request.args.getlist(k) for k in request.args}, clock.now(), query)


def _share_url(current: Quote) -> str:
    return f"{url_for('shop.configure')}?{urlencode(current.build.query_items())}"


@bp.context_processor
def _regions():
    return {"shipping_regions": REGIONS, "countries": COUNTRIES}


@bp.get("/")
def home():
    """The shop front goes straight to the configurator."""
    return redirect(url_for("shop.configure"))


def _context(current: Quote) -> dict:
    """The form shows the parsed build, never the raw query, so the cached HTML matches its quote key (which
    holds `ship_to` too, so the shipping shown for a destination is cached with it)."""
    form = build_form(current.catalog, MultiDict(current.build.query_items()))
    return {"form": form, "quote": current, "oob": False, **_destination(current)}


def _destination(current: Quote) -> dict:
    """Where the customer says the bike goes ("US-NY"), kept while the build is invalid so the Ship to select
    still shows it, and once the build can be made, its shipping and how tax is charged there."""
    country, _, region = _args().get("ship_to", "")[:8].partition("-")
    ship_to = (country, region) if region in REGIONS.get(country, {}) else None
    charges, not_shipped = destination_charges(current, country, region) if ship_to else (None, None)
    return {"ship_to": ship_to, "shipping_preview": charges, "not_shipped": not_shipped}


def _fragment(current: Quote) -> str:
    """The summary, and out of band the options and the destination's lines; never the Ship to select."""
    context = _context(current)
    html = render_template("shop/partials/_summary.html", **context)
    oob = {**context, "oob": True}
    return Markup(
        html
        + render_template("shop/partials/_options.html", **oob)
        + render_template("shop/partials/_destination.html", **oob)
    )


def _page(current: Quote, key: tuple) -> str:
    body = _html.get_or_make(
        (key, "page"), lambda: Markup(render_template("shop/partials/_configurator.html", **_context(current)))
    )
    return render_template("shop/configure.html", quote=current, configurator=body)


def _configurator(current: Quote, key: tuple) -> Response:
    """The summary and options fragment for htmx, the full page otherwise; each rendered once per quote key."""
    return render_page_or_fragment(
        lambda: _page(current, key),
        lambda: _fragment(current),
        memo=(_html, (key, "fragment")),
        fragment_headers={"HX-Replace-Url": _html.get_or_make((key, "share"), lambda: _share_url(current))},
    )


@bp.get("/configure")
def configure():
    """The configurator: pick options, see price and delivery update live. No query starts a default build."""
    if not request.args:
        catalog = live_catalog()
        return redirect(url_for("shop.configure", **catalog.default_picks()))
    return _configurator(*_current_quote())


@bp.get("/configure/summary")
def summary():
    """Live summary of the current build: the htmx fragment, or the full page without JavaScript."""
    return _configurator(*_current_quote())


@bp.get("/api/quote")
def api_quote():
    """JSON quote for the same query parameters; an invalid build answers 422 with its errors. The encoded
    body is kept per quote key, so a warm quote is sent without encoding anything."""
    current, key = _current_quote()
    body = _json.get_or_make(key, lambda: current_app.json.dumps(quote_json(current)).encode())
    return Response(body, status=200 if current.valid else 422, mimetype="application/json")
