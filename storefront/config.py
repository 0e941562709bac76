"""Configuration from the environment, with overrides from create_app(config=...)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment is missing something the shop cannot run without."""


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int, low: int, high: int) -> int:
    """A whole number from the environment, or a ConfigError naming the variable and the range it must be in."""
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name}={raw!r} is not valid: it must be a whole number from {low} to {high}.")
    return int(raw)


STRIPE_RETRIES = 1
STRIPE_RETRY_SLEEP = 0.5  # stripe-python's first back-off, its jitter never goes above it


def stripe_time_budget(timeout: float) -> float:
    """The longest one Stripe call can take: every try times out, plus the back-off between tries."""
    return (1 + STRIPE_RETRIES) * timeout + STRIPE_RETRIES * STRIPE_RETRY_SLEEP


def build_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the app reads, from the environment first and then `overrides`."""
    overrides = dict(overrides or {})
    debug = overrides.get("DEBUG", env_flag("FLASK_DEBUG"))
    testing = overrides.get("TESTING", False)
    url = overrides.pop("DATABASE_URL", None) or os.environ.get("DATABASE_URL")
    url = url or f"sqlite:///{Path(instance_path) / 'storefront.db'}"
    config: dict[str, Any] = {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
        "SQLALCHEMY_ENGINE_OPTIONS": {},  # no pool_pre_ping: connections.py checks health without a round trip
        "CATALOG_PATH": os.environ.get("CATALOG_PATH", str(ROOT / "catalog" / "ebike.toml")),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE") or None,
        # connect plus read, per try; with one retry a call ends within stripe_time_budget() of this
        "STRIPE_TIMEOUT_SECONDS": env_int("STRIPE_TIMEOUT_SECONDS", 10, 1, 60),
        "WORKER_TIMEOUT_SECONDS": env_int("GUNICORN_TIMEOUT", 30, 1, 3600),
        "STAFF_ALERT_EMAIL": os.environ.get("STAFF_ALERT_EMAIL") or None,
        "SMTP_URL": os.environ.get("SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Voltwerk Cycles <orders@voltwerk.example>"),
        "TEST_PAYMENTS": env_flag("TEST_PAYMENTS"),
        # "stripe" (Stripe Tax, the default with a Stripe key) or "table" (the catalog's tax table); see README
        "TAX_PROVIDER": os.environ.get("TAX_PROVIDER") or None,
        "TRUSTED_PROXIES": env_int("TRUSTED_PROXIES", 0, 0, 5),
        "WEB_CONCURRENCY": env_int("WEB_CONCURRENCY", 1, 1, 256),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "STATUS_POLL_SECONDS": int(os.environ.get("STATUS_POLL_SECONDS", "5")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_flag("SESSION_COOKIE_SECURE", not (debug or testing)),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": not (debug or testing),
        # staff sessions end after this long without a request (the cookie is re-signed on every request)
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=env_int("STAFF_SESSION_HOURS", 12, 1, 24 * 7)),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "CACHE_SIZES": {},  # entries per declared cache (storefront/cache.py), to change a default
        "FIXED_NOW": None,  # tests and the simulator pin the clock here
        "PASSWORD_HASH_PARAMS": None,  # argon2 Parameters; None keeps argon2-cffi's defaults (tests pick the cheapest)
    }
    config.update(overrides)
    check_tax(config)
    if not config["SECRET_KEY"]:
        if not (debug or testing):
            raise ConfigError(
                "SECRET_KEY is not set. Set it in the environment to a long random string, "
                "for example: export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        config["SECRET_KEY"] = "dev-only-insecure-key"
    if not (debug or testing):
        check_production(config)
    return config


def check_tax(config: dict[str, Any]) -> None:
    """TAX_PROVIDER names an adapter that can work here."""
    choice = config.get("TAX_PROVIDER")
    if choice not in (None, "stripe", "table"):
        raise ConfigError(
            f"TAX_PROVIDER={choice!r} is not valid: set it to 'stripe' (Stripe Tax) or 'table' (the catalog's "
            "tax table), or leave it unset."
        )
    if choice == "stripe" and not config["STRIPE_SECRET_KEY"]:
        raise ConfigError("TAX_PROVIDER=stripe needs STRIPE_SECRET_KEY: Stripe Tax works only with Stripe payments.")


def check_production(config: dict[str, Any]) -> None:
    """Refuse settings that are unsafe on a real shop, each with one line that says what to set."""
    if not config["STRIPE_SECRET_KEY"] and not config["TEST_PAYMENTS"]:
        raise ConfigError(
            "STRIPE_SECRET_KEY is not set: set it to take real payments, "
            "or set TEST_PAYMENTS=1 to run a test shop that charges nothing."
        )
    budget = stripe_time_budget(config["STRIPE_TIMEOUT_SECONDS"])
    if budget >= config["WORKER_TIMEOUT_SECONDS"]:
        raise ConfigError(
            f"A Stripe call may take {budget:g} s "
            f"(STRIPE_TIMEOUT_SECONDS={config['STRIPE_TIMEOUT_SECONDS']}, one retry) "
            f"but gunicorn kills a worker after {config['WORKER_TIMEOUT_SECONDS']} s (GUNICORN_TIMEOUT): "
            "lower the first or raise the second."
        )
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://") and config["WEB_CONCURRENCY"] > 1:
        raise ConfigError(
            f"Rate limits are kept in memory but {config['WEB_CONCURRENCY']} workers serve (WEB_CONCURRENCY): "
            "set RATELIMIT_STORAGE_URI=redis://HOST:6379/0 so every worker and host counts together."
        )
