"""The owner's catalog editor: drafts, the catalog check, preview, publish, rollback, TOML import and export."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from .. import clock
from ..auth import requires, staff_only
from ..domain.catalog import CatalogError, table_problems
from ..domain.catalog_toml import TomlProblems
from ..domain.roles import Role
from ..services import catalog_drafts as drafts
from ..services.catalog import assembly_capacity, live_catalog
from ..services.quote import quote_at
from ..shop.forms import build_form
from .forms import (
    DraftForm,
    ImportForm,
    VersionForm,
    form_data,
    keeps_published_codes,
    merged,
    moved,
    validate_workshop_days,
    with_blank,
)

bp = Blueprint("catalog_editor", __name__, url_prefix="/backoffice/catalog")
staff_only(bp)


@bp.get("/")
@requires(Role.OWNER)
def drafts_page():
    """The live version and its history (with diffs and rollback), open drafts, import and export."""
    return _render_index()


def _render_index(import_problems: list[str] | None = None, status: int = 200):
    return render_template(
        "catalog_editor/index.html",
        versions=drafts.published_versions(),
        open_drafts=drafts.open_drafts(),
        import_form=ImportForm(),
        action_form=VersionForm(),
        import_problems=import_problems,
    ), status


@bp.post("/drafts")
@requires(Role.OWNER)
def start():
    """Start a draft from the live catalog."""
    if not VersionForm().validate_on_submit():
        abort(400)
    draft = drafts.start_draft(current_user.id)
    return redirect(url_for("catalog_editor.edit", draft_id=draft.id), 303)


@bp.post("/import")
@requires(Role.OWNER)
def import_toml():
    """Import a TOML file as a new draft; line-numbered problems and no draft when it cannot be read."""
    form = ImportForm()
    upload = form.file.data if form.validate_on_submit() else None
    if upload is None:
        return _render_index(["Choose a .toml file to import."], 422)
    try:
        draft = drafts.import_draft(upload.read().decode("utf-8", errors="replace"), current_user.id)
    except TomlProblems as exc:
        return _render_index(exc.messages, 422)
    flash("Imported as a new draft.")
    return redirect(url_for("catalog_editor.edit", draft_id=draft.id), 303)


@bp.get("/live.toml")
@requires(Role.OWNER)
def export_live():
    """The live catalog as a TOML download."""
    return _toml(drafts.live_version().data, "catalog-live.toml")


@bp.get("/drafts/<int:draft_id>/catalog.toml")
@requires(Role.OWNER)
def export_draft(draft_id: int):
    """A draft as a TOML download."""
    return _toml(_draft_or_404(draft_id).data, f"catalog-draft-{draft_id}.toml")


def _toml(data: dict, name: str) -> Response:
    response = Response(drafts.export_toml(data), mimetype="application/toml")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/drafts/<int:draft_id>")
@requires(Role.OWNER)
def edit(draft_id: int):
    """The draft editor, with the catalog check's findings inline and listed with links to their fields."""
    draft = _draft_or_404(draft_id)
    form = DraftForm(formdata=None, data=form_data(draft.data), version=draft.version)
    return _render_editor(draft, form)


@bp.post("/drafts/<int:draft_id>")
@requires(Role.OWNER)
def save(draft_id: int):
    """Save the edited draft (each edit saves it); the check runs on the saved draft."""
    draft = _draft_or_404(draft_id)
    form = DraftForm()
    published = drafts.published_option_codes()
    if not (
        form.validate_on_submit() & validate_workshop_days(form) & keeps_published_codes(form, draft.data, published)
    ):
        return _render_editor(draft, form, status=422, note="Nothing was saved: correct the marked fields.")
    data = merged(draft.data, form)
    tables = table_problems(data)
    if tables:
        _mark(form, tables)
        return _render_editor(draft, form, status=422, note="Nothing was saved: correct the marked fields.")
    if request.form.get("add"):
        data = with_blank(data, request.form["add"])
    if request.form.get("move"):
        data = moved(data, request.form["move"])
    try:
        saved, problems = drafts.save_draft(draft_id, data, _int(form.version.data))
    except drafts.DraftChanged as exc:
        return _render_editor(draft, form, status=409, note=str(exc), reload=True)
    flash("Draft saved." + (f" The check found {len(problems)} problem(s)." if problems else " The check passed."))
    return redirect(url_for("catalog_editor.edit", draft_id=draft_id, _anchor="problems" if problems else None), 303)


@bp.post("/drafts/<int:draft_id>/publish")
@requires(Role.OWNER)
def publish(draft_id: int):
    """Publish a draft that passes the check; refuse one that does not, with its problems."""
    draft = _draft_or_404(draft_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        published = drafts.publish(draft_id, _int(form.version.data), current_user.id)
    except drafts.DraftChanged as exc:
        return _render_editor(draft, _fresh(draft), status=409, note=str(exc), reload=True)
    except drafts.DraftHasProblems as exc:
        return _render_editor(draft, _fresh(draft), status=422, note=str(exc), problems=exc.problems)
    flash(f"Published: version {published.id} is live.")
    return redirect(url_for("catalog_editor.drafts_page"), 303)


@bp.post("/versions/<int:version_id>/rollback")
@requires(Role.OWNER)
def rollback(version_id: int):
    """Publish an earlier version again, as a new version."""
    if not VersionForm().validate_on_submit():
        abort(400)
    try:
        published = drafts.roll_back_to(version_id, current_user.id)
    except drafts.DraftNotFound:
        abort(404, description="There is no catalog version with that number.")
    flash(f"Rolled back: version {published.id} (a copy of version {version_id}) is live.")
    return redirect(url_for("catalog_editor.drafts_page"), 303)


@bp.get("/drafts/<int:draft_id>/preview")
@requires(Role.OWNER)
def preview(draft_id: int):
    """The configurator with the draft's catalog, for staff only: a banner, and no way to check out."""
    draft = _draft_or_404(draft_id)
    try:
        catalog = drafts.draft_catalog(draft)
    except CatalogError as exc:
        abort(422, description=f"This draft cannot be previewed until it is fixed: {exc}")
    args = request.args if request.args else MultiDict(catalog.default_picks().items())
    current = quote_at({k: args.getlist(k) for k in args}, clock.now(), draft=catalog)
    form = build_form(catalog, MultiDict(current.build.query_items()))
    context = {"form": form, "quote": current, "oob": False, "preview": draft}
    body = Markup(render_template("shop/partials/_configurator.html", **context))
    return render_template("catalog_editor/preview.html", quote=current, configurator=body, draft=draft)


def _render_editor(draft, form, status=200, note=None, reload=False, problems=None):
    problems = drafts.problems_of(draft.data) if problems is None else problems
    _mark(form, problems)
    return render_template(
        "catalog_editor/edit.html",
        draft=draft,
        form=form,
        problems=problems,
        note=note,
        reload=reload,
        action_form=VersionForm(formdata=None, version=draft.version),
        field_id=field_id,
        published_codes=drafts.published_option_codes(),
        capacity=assembly_capacity(live_catalog()),
    ), status


def _mark(form: DraftForm, problems) -> None:
    """Show each check finding beside its field too."""
    fields = {f.id: f for f in _walk(form)}
    for problem in problems:
        field = fields.get(field_id(problem.where))
        if field is not None and problem.message not in field.errors:
            field.errors = [*field.errors, problem.message]


def _walk(form):
    for f in form:
        if hasattr(f, "entries"):
            for entry in f.entries:
                yield from _walk([entry])
        elif hasattr(f, "form"):
            yield from _walk(f.form)
        else:
            yield f


def field_id(where: str) -> str:
    """The editor's field id for a check finding's path ("groups.0.options.2.delta_cents")."""
    if where.startswith("product."):
        return {"product.label": "product_label"}.get(where, where.removeprefix("product."))
    parts = where.split(".")
    if parts[0] == "groups" and len(parts) == 4:
        parts.append("code")
    if parts[0] == "rules" and len(parts) == 2:
        parts.append("option")
    if parts[0] == "tax" and len(parts) > 4:
        parts = parts[:4]  # one text field holds a region's taxes
    return "-".join(parts)


def _fresh(draft) -> DraftForm:
    return DraftForm(formdata=None, data=form_data(draft.data), version=draft.version)


def _draft_or_404(draft_id: int):
    try:
        return drafts.open_draft(draft_id)
    except drafts.DraftNotFound:
        abort(404, description="There is no open draft with that number (it may have been published).")


def _int(value) -> int:
    return int(value) if str(value or "").isdigit() else -1
