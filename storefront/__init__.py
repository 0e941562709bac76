"""The make-to-order e-bike storefront."""

from __future__ import annotations

from typing import Any

from flask import Flask

from .config import ROOT, build_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory: configuration, extensions, blueprints. Nothing happens at import time."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_mapping(build_config(app.instance_path, config))
    _ensure_sqlite_directory(app)

    from . import auth, cache, commands, connections, logs, request_path, web
    from .extensions import csrf, db, htmx, limiter, login_manager, migrate
    from .services import plan_version

    db.init_app(app)
    connections.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    cache.init_app(app)
    web.init_app(app)
    auth.init_app(app)
    logs.init_app(app)
    plan_version.init_app(app)
    commands.init_app(app)
    app.extensions["app_factory"] = create_app  # tools that build an app of their own (the simulator)
    _register_blueprints(app)
    request_path.init_app(app)  # last: it sees every hook and every limited route
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-* for exactly TRUSTED_PROXIES hops; with 0 a client's headers change nothing."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Host comes straight from the proxy (nginx sets it); a forwarded host would be one more thing to forge.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _register_blueprints(app: Flask) -> None:
    from .backoffice.attention import bp as attention_bp
    from .backoffice.staff import bp as staff_bp
    from .backoffice.views import bp as backoffice_bp
    from .catalog_editor.views import bp as catalog_editor_bp
    from .checkout.views import bp as checkout_bp
    from .ops.views import bp as ops_bp
    from .orders.views import bp as orders_bp
    from .planning.views import bp as planning_bp
    from .shop.views import bp as shop_bp
    from .webhooks.views import bp as webhooks_bp

    blueprints = (ops_bp, shop_bp, checkout_bp, webhooks_bp, orders_bp, backoffice_bp, attention_bp, planning_bp)
    for bp in (*blueprints, catalog_editor_bp, staff_bp):
        app.register_blueprint(bp)


def _ensure_sqlite_directory(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:///:memory:"):
        from pathlib import Path

        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
