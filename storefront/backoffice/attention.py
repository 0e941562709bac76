"""The back office's "Needs attention" list: paid sessions that could not become orders, each refunded in one click."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm

from ..auth import requires, staff_only
from ..domain.roles import Role
from ..payments import PaymentError
from ..services import incidents
from ..services.unit_of_work import ConcurrentChange

bp = Blueprint("attention", __name__, url_prefix="/backoffice/attention")

staff_only(bp)


@bp.get("/")
@requires(Role.MANAGER)
def index():
    """Every open payment incident with its Stripe session, amounts and a refund button."""
    return render_template("attention/index.html", incidents=incidents.open_incidents(), form=FlaskForm())


@bp.post("/<int:incident_id>/refund")
@requires(Role.MANAGER)
def refund(incident_id: int):
    """Refund the payment of one incident in full, then back to the list."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        incident = incidents.refund_incident(incident_id)
    except incidents.IncidentNotFound:
        abort(404)
    except ConcurrentChange as exc:
        return _list(str(exc), 409)
    except PaymentError as exc:
        return _list(f"The refund failed, so nothing changed: {exc}", 502)
    flash(f"Refunded {incident.checkout.email} in full ({incident.refund_reference}).")
    return redirect(url_for("attention.index"), 303)


def _list(problem: str, status: int):
    html = render_template(
        "attention/index.html", incidents=incidents.open_incidents(), form=FlaskForm(), problem=problem
    )
    return html, status
