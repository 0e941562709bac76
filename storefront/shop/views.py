"""The customer's shop: the configurator page, its live summary fragment and the JSON quote API."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup

from .. import clock
from ..cache import LRU
from ..services.catalog import live_catalog
from ..services.quote import Quote, cached_quote
from .forms import build_form
from .presenters import quote_json

bp = Blueprint("shop", __name__)

MAX_QUERY_LENGTH = 2048
_fragments = LRU(4096)  # rendered configurator parts, keyed like the quotes they show


def _current_quote() -> tuple[Quote, tuple]:
    args = request.args if len(request.query_string) <= MAX_QUERY_LENGTH else {}
    return cached_quote({k: args.getlist(k) for k in args}, clock.now())


def _share_url(current: Quote) -> str:
    return f"{url_for('shop.configure')}?{urlencode(current.build.query_items())}"


@bp.get("/")
def home():
    """The shop front goes straight to the configurator."""
    return redirect(url_for("shop.configure"))


def _rendered(current: Quote, key: tuple, fragment: bool) -> Markup:
    """The options and summary for a quote, rendered once per quote key (and kind: htmx fragment or page)."""

    def render() -> Markup:
        context = {"form": build_form(current.catalog, request.args), "quote": current, "oob": False}
        if fragment:
            html = render_template("shop/partials/_summary.html", **context)
            html += render_template("shop/partials/_options.html", **{**context, "oob": True})
        else:
            html = render_template("shop/partials/_configurator.html", **context)
        return Markup(html)

    return _fragments.get_or_make((key, fragment), render)


def _configurator(current: Quote, key: tuple) -> Response:
    """The htmx fragment for an htmx request, the full page otherwise; both say they vary on HX-Request."""
    fragment = request.headers.get("HX-Request") == "true"
    body = _rendered(current, key, fragment)
    if fragment:
        response = Response(body, mimetype="text/html")
        response.headers["HX-Replace-Url"] = _share_url(current)
    else:
        response = Response(render_template("shop/configure.html", quote=current, configurator=body))
    response.vary.add("HX-Request")
    return response


@bp.get("/configure")
def configure():
    """The configurator: pick options, see price and delivery update live. No query starts a default build."""
    if not request.args:
        catalog = live_catalog()
        return redirect(url_for("shop.configure", **{g.code: g.options[0].code for g in catalog.groups if g.pick_one}))
    return _configurator(*_current_quote())


@bp.get("/configure/summary")
def summary():
    """Live summary of the current build: the htmx fragment, or the full page without JavaScript."""
    return _configurator(*_current_quote())


@bp.get("/api/quote")
def api_quote():
    """JSON quote for the same query parameters; an invalid build answers 422 with its errors."""
    current, _ = _current_quote()
    return jsonify(quote_json(current)), (200 if current.valid else 422)
