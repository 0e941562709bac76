"""The workshop back office: sign-in, the board, work orders and inventory. Staff only."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .. import cache
from ..auth import end_staff_session, requires, staff_only, start_staff_session
from ..domain.roles import Role
from ..domain.stages import MOVES
from ..extensions import limiter
from ..payments import PaymentError
from ..services import inventory, workshop
from ..services.staff import authenticate
from ..services.workshop_board import COLUMNS as BOARD_COLUMNS
from ..services.workshop_board import board as board_columns
from ..services.workshop_board import board_key, work_order_page
from ..web import csrf_token_of_session, render_page_or_fragment
from .forms import (
    CancelForm,
    ExpectedDateForm,
    LeadTimeForm,
    LoginForm,
    MoveForm,
    NoteForm,
    ReceiveForm,
    ShipForm,
    checklist_form,
)

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

staff_only(bp, public=frozenset({"backoffice.login"}))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def login():
    """Sign in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        staff = authenticate(form.email.data, form.password.data)
        if staff is not None:
            start_staff_session(staff)
            return redirect(_safe_next(request.args.get("next")), 303)
        form.password.errors.append("Wrong email or password.")
    status = 422 if form.is_submitted() else 200
    return render_template("backoffice/login.html", form=form), status


@bp.post("/logout")
@requires(Role.MECHANIC)
def logout():
    """Sign out (a POST, so no link or image can do it)."""
    end_staff_session(current_user._get_current_object())
    flash("Signed out.")
    return redirect(url_for("backoffice.login"), 303)


_boards = cache.named("board_html")  # the rendered columns, per board key
_cards = cache.named("board_cards")  # one rendered card per card value
_board_fragments = cache.named("board_fragments")  # the columns as htmx swaps them, encoded


def _card_html(card) -> Markup:
    """A card rendered once per value: most cards are unchanged when one order moves."""
    template = current_app.jinja_env.get_template("backoffice/partials/_card.html")
    return _cards.get_or_make(card, lambda: Markup(template.render(card=card)))


BOARD_STAGES = frozenset(stage for stage, _ in BOARD_COLUMNS)
COLUMN_CARDS = 30  # cards a column shows before "Show all": the oldest payments, so the most urgent


def _board_html(key: tuple, query: str, show: str | None) -> Markup:
    def render() -> Markup:
        columns = board_columns(query)
        return Markup(
            render_template(
                "backoffice/partials/_board.html",
                columns=columns,
                query=query,
                show=show,
                limit=COLUMN_CARDS,
                card=_card_html,
            )
        )

    return _boards.get_or_make((key, show), render)


_board_pages = cache.named("board_pages")  # the whole page, encoded, per board and signed-in staff member
CSRF_SLOT = "csrf-token-slot-3f9c1e"  # stands for the CSRF token in a cached page; filled in per request


def _board_page(key: tuple, query: str, html: Markup) -> bytes:
    """The full board page, rendered and encoded once per board and staff member (the menu shows their email
    and what their role may open); each request fills in its own CSRF token. A page carrying flashed messages
    is rendered for this request alone."""

    def render(csrf_token=generate_csrf) -> bytes:
        return render_template("backoffice/board.html", board=html, query=query, csrf_token=csrf_token).encode()

    if "_flashes" in session:
        return render()
    staff = current_user._get_current_object()
    page = _board_pages.get_or_make((key, staff.id, staff.email, staff.role), lambda: render(lambda: CSRF_SLOT))
    return page.replace(CSRF_SLOT.encode(), csrf_token_of_session().encode())


@bp.get("/")
@requires(Role.MECHANIC)
def board():
    """The work-order board, one column per stage, each showing its oldest cards first and the rest on asking
    (`?show=<stage>`); htmx search swaps just the columns. Served from the cache until the plan stamp or the
    shop's day changes."""
    query = request.args.get("q", "")
    show = request.args.get("show")
    show = show if show in BOARD_STAGES else None
    key = board_key(query)
    html = _board_html(key, query, show)
    return render_page_or_fragment(
        lambda: _board_page((key, show), query, html), lambda: html, memo=(_board_fragments, (key, show))
    )


@bp.get("/work-orders/<int:work_order_id>")
@requires(Role.MECHANIC)
def work_order(work_order_id: int):
    """One work order: build, parts, plan and actuals, the actions its stage allows, and its history."""
    return _render_work_order(work_order_id)


@bp.post("/work-orders/<int:work_order_id>/move")
@requires(Role.MECHANIC)
def move(work_order_id: int):
    """Move to the next stage (or back to assembly for rework)."""
    form = MoveForm(prefix="move")
    return _act(
        work_order_id,
        "move",
        form,
        lambda staff: workshop.move(
            work_order_id, form.action.data, version=form.version.data, staff_id=staff, note=form.note.data
        ),
    )


@bp.post("/work-orders/<int:work_order_id>/ship")
@requires(Role.MECHANIC)
def ship(work_order_id: int):
    """Hand over to a carrier with a tracking number."""
    form = ShipForm(prefix="ship")
    return _act(
        work_order_id,
        "ship",
        form,
        lambda staff: workshop.ship(
            work_order_id,
            version=form.version.data,
            staff_id=staff,
            carrier=form.carrier.data,
            tracking=form.tracking.data,
        ),
    )


@bp.post("/work-orders/<int:work_order_id>/cancel")
@requires(Role.MANAGER)
def cancel(work_order_id: int):
    """Cancel before assembly: release parts, refund and tell the customer."""
    form = CancelForm(prefix="cancel")
    return _act(
        work_order_id,
        "cancel",
        form,
        lambda staff: workshop.cancel(work_order_id, version=form.version.data, staff_id=staff, note=form.note.data),
    )


@bp.post("/work-orders/<int:work_order_id>/notes")
@requires(Role.MECHANIC)
def add_note(work_order_id: int):
    """Add an internal note, or one the customer sees."""
    form = NoteForm(prefix="note")
    return _act(
        work_order_id,
        "note",
        form,
        lambda staff: workshop.add_note(
            work_order_id,
            version=form.version.data,
            staff_id=staff,
            text=form.text.data,
            customer_visible=form.visibility.data == "customer",
        ),
    )


@bp.post("/work-orders/<int:work_order_id>/checklist")
@requires(Role.MECHANIC)
def checklist(work_order_id: int):
    """Record this test round's pass or fail per checklist item."""
    page = work_order_page(work_order_id) or abort(404)
    form = checklist_form(page.checklist.items, prefix="check")
    return _act(
        work_order_id,
        "checklist",
        form,
        lambda staff: workshop.record_checklist(
            work_order_id, version=form.version.data, staff_id=staff, results=form.results()
        ),
    )


def _act(work_order_id: int, name: str, form, call):
    """Validate, call the service, and redirect (303); on a problem re-render the page saying what went wrong."""
    if not form.validate_on_submit():
        stale = form.version.errors[0] if form.version.errors else None  # a hidden field: say it at the top
        return _render_work_order(work_order_id, submitted={name: form}, problem=stale, status=422)
    try:
        event = call(current_user.id)
    except workshop.WorkOrderNotFound:
        abort(404)
    except workshop.WorkOrderChanged as exc:
        return _render_work_order(work_order_id, problem=str(exc), status=409)
    except PaymentError as exc:
        return _render_work_order(work_order_id, problem=f"The refund failed, so nothing changed: {exc}", status=502)
    except ValueError as exc:  # IllegalTransition, InvalidTracking, InvalidInput: each carries its message
        return _render_work_order(work_order_id, submitted={name: form}, problem=str(exc), status=422)
    flash(_saved(event))
    return redirect(url_for("backoffice.work_order", work_order_id=work_order_id), 303)


def _saved(event) -> str:
    """What staff read after an action: what was done, then what the customer was told."""
    if event.action == "checklist":
        return event.note
    if event.action == "note":
        return "Note sent to the customer." if event.customer_visible else "Internal note saved."
    done = MOVES[event.action].label if event.action in MOVES else "Saved"
    return f"{done}: done. The customer was told: “{event.note}”"


def _render_work_order(work_order_id: int, submitted: dict | None = None, problem: str | None = None, status=200):
    page = work_order_page(work_order_id)
    if page is None:
        abort(404, description="There is no work order with that number.")
    forms = _fresh_forms(page)
    forms.update(submitted or {})
    return render_template("backoffice/work_order.html", page=page, forms=forms, problem=problem), status


def _fresh_forms(page) -> dict:
    """Every form on the page, unbound from the request and stamped with the current version."""
    version = page.work_order.version
    fresh = {
        "move": MoveForm,
        "ship": ShipForm,
        "cancel": CancelForm,
        "note": NoteForm,
    }
    forms = {name: cls(formdata=None, prefix=name, version=version) for name, cls in fresh.items()}
    forms["checklist"] = checklist_form(
        page.checklist.items, formdata=None, prefix="check", version=version, **_checklist_data(page)
    )
    return forms


def _checklist_data(page) -> dict:
    data = {}
    for item_id, result in page.checklist.results.items():
        data[f"result_{item_id}"] = "pass" if result.passed else "fail"
        data[f"note_{item_id}"] = result.note or ""
    return data


@bp.get("/inventory")
@requires(Role.MANAGER)
def inventory_page():
    """Stock per component: on hand, reserved, available, on order with dates, and lead times."""
    return _render_inventory()


@bp.post("/inventory/purchase-requests/<int:request_id>/receive")
@requires(Role.MANAGER)
def receive(request_id: int):
    """Receive a delivery against a purchase request; waiting work orders get it by payment time."""
    form = ReceiveForm(prefix=f"receive-{request_id}")
    return _stock_action(
        form, lambda staff: inventory.receive(request_id, form.quantity.data, staff_id=staff), _receipt_message
    )


@bp.post("/inventory/purchase-requests/<int:request_id>/expected-date")
@requires(Role.MANAGER)
def expected_date(request_id: int):
    """The supplier moved a delivery: re-plan the work orders waiting on it."""
    form = ExpectedDateForm(prefix=f"date-{request_id}")
    return _stock_action(
        form,
        lambda staff: inventory.change_expected_date(request_id, form.expected.data, form.reason.data, staff_id=staff),
        lambda moved: (
            "Delivery date changed. "
            + (f"New forecast for {', '.join(moved)}." if moved else "No customer forecast moved.")
        ),
    )


@bp.post("/inventory/components/<int:component_id>/lead-time")
@requires(Role.MANAGER)
def lead_time(component_id: int):
    """Change a component's supplier lead time."""
    form = LeadTimeForm(prefix=f"lead-{component_id}")
    return _stock_action(
        form,
        lambda staff: inventory.set_lead_time(component_id, form.days.data),
        lambda component: f"{component.name}: lead time is now {component.lead_time_days} working days.",
    )


def _stock_action(form, call, message):
    if not form.validate_on_submit():
        errors = "; ".join(f"{field.label.text}: {error}" for field in form for error in field.errors)
        return _render_inventory(problem=errors or "Check the form and try again.", status=422)
    try:
        result = call(current_user.id)
    except inventory.InventoryError as exc:
        return _render_inventory(problem=str(exc), status=422)
    flash(message(result))
    return redirect(url_for("backoffice.inventory_page"), 303)


def _receipt_message(receipt: inventory.Receipt) -> str:
    text = f"Received {receipt.received}."
    if receipt.reserved_for:
        text += f" Reserved for {', '.join(receipt.reserved_for)}."
    if receipt.now_ready:
        text += f" Ready for assembly: {', '.join(receipt.now_ready)}."
    return text


def _render_inventory(problem: str | None = None, status: int = 200):
    rows = inventory.stock_rows()
    return render_template(
        "backoffice/inventory.html",
        rows=rows,
        problem=problem,
        receive_form=lambda pr: ReceiveForm(formdata=None, prefix=f"receive-{pr.id}"),
        date_form=lambda pr: ExpectedDateForm(formdata=None, prefix=f"date-{pr.id}", expected=pr.expected_date),
        lead_form=lambda c: LeadTimeForm(formdata=None, prefix=f"lead-{c.id}", days=c.lead_time_days),
    ), status


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a back-office path on this site."""
    if target and target.isprintable() and "\\" not in target:  # no CR, LF or other control, no backslash
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/backoffice"):
            return target
    return url_for("backoffice.board")
