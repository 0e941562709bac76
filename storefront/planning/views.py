"""Back-office planning: component demand forecast, promise accuracy, assembly capacity."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from ..auth import requires, staff_only
from ..clock import now
from ..domain.forecast import FORMULA, REVIEW_DAYS
from ..domain.roles import Role
from ..services.catalog import assembly_capacity, live_catalog
from ..services.forecast import component_forecasts, promise_accuracy
from ..services.planning import set_capacity
from ..services.reliability import supplier_records, supplier_summaries
from .charts import stock_chart
from .forms import CapacityForm

bp = Blueprint("planning", __name__, url_prefix="/backoffice")
staff_only(bp)


@bp.get("/forecast")
@requires(Role.MANAGER)
def forecast():
    """Demand, stock, run-out date and suggested reorder per component, each with a projected-stock chart."""
    rows = [(result, stock_chart(result)) for result in component_forecasts(now())]
    catalog = live_catalog()
    return render_template(
        "planning/forecast.html",
        rows=rows,
        summaries=supplier_summaries(catalog),
        suppliers=supplier_records(catalog),
        formula=FORMULA,
        review_days=REVIEW_DAYS,
    )


@bp.get("/accuracy")
@requires(Role.MANAGER)
def accuracy():
    """On-time delivery, days early or late, and quoted versus actual lead time, by month."""
    months, total = promise_accuracy()
    return render_template("planning/accuracy.html", months=months, total=total)


@bp.route("/capacity", methods=["GET", "POST"])
@requires(Role.MANAGER)
def capacity():
    """Show or change the number of assembly slots per working day; a change re-plans every order."""
    form = CapacityForm()
    if form.validate_on_submit():
        result = set_capacity(form.capacity.data, now())
        flash(f"Capacity set to {form.capacity.data} a day; {result.moved} work orders re-planned.")
        return redirect(url_for("planning.capacity"), 303)
    if not form.is_submitted():
        form.capacity.data = assembly_capacity(live_catalog())
    return render_template("planning/capacity.html", form=form), 400 if form.errors else 200
