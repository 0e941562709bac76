"""Operator endpoints: liveness and readiness."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness: the app answers and the database does too."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        return jsonify(status="error", database="unreachable", detail=exc.__class__.__name__), 503
    return jsonify(status="ok", database="ok")


@bp.get("/readyz")
def readyz():
    """Readiness: the database answers and its schema is at the newest migration."""
    try:
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # noqa: BLE001
        return jsonify(status="error", database="unreachable", detail=exc.__class__.__name__), 503
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    expected = set(script.get_heads())
    if current != expected:
        return jsonify(status="error", migrations="pending", current=sorted(current), expected=sorted(expected)), 503
    return jsonify(status="ok", database="ok", migrations="current")
