"""The customer's shop: the configurator page, its live summary fragment and the JSON quote API."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request, url_for

from ..clock import shop_today
from ..services.catalog import live_catalog
from ..services.quote import Quote, quote
from ..web import render_page_or_partial
from .forms import build_form
from .presenters import quote_json

bp = Blueprint("shop", __name__)

MAX_QUERY_LENGTH = 2048


def _current_quote() -> Quote:
    catalog = live_catalog()
    args = request.args if len(request.query_string) <= MAX_QUERY_LENGTH else {}
    return quote({k: args.getlist(k) for k in args}, shop_today(catalog.timezone))


@bp.get("/")
def home():
    """The shop front goes straight to the configurator with a sensible starting build."""
    return redirect(url_for("shop.configure"))


@bp.get("/configure")
def configure():
    """The configurator: pick options, see price and delivery update live."""
    if not request.args:
        return redirect(url_for("shop.configure", **current_app.config.get("DEFAULT_BUILD", _default_build())))
    current = _current_quote()
    form = build_form(current.catalog, request.args)
    return render_page_or_partial("shop/configure.html", "shop/partials/_summary.html", form=form, quote=current)


@bp.get("/configure/summary")
def summary():
    """Live summary of the current build (htmx fragment, or the full page without JS)."""
    current = _current_quote()
    form = build_form(current.catalog, request.args)
    response = render_page_or_partial("shop/configure.html", "shop/partials/_summary.html", form=form, quote=current)
    response.headers["HX-Replace-Url"] = url_for("shop.configure", _anchor=None) + "?" + _query(current)
    return response


@bp.get("/api/quote")
def api_quote():
    """JSON quote for the same query parameters; an invalid build answers 422 with its errors."""
    current = _current_quote()
    return jsonify(quote_json(current)), (200 if current.valid else 422)


def _query(current: Quote) -> str:
    from urllib.parse import urlencode

    return urlencode(current.build.query_items())


def _default_build() -> dict[str, str]:
    catalog = live_catalog()
    return {g.code: g.options[0].code for g in catalog.groups if g.pick_one}
