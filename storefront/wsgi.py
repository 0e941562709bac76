"""WSGI entry point for production servers: `gunicorn storefront.wsgi:app` (see gunicorn.conf.py)."""

import sys

from . import create_app
from .config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # One clear line, and exit code 3 makes gunicorn's arbiter stop instead of respawning workers.
    print(f"storefront will not start: {exc}", file=sys.stderr, flush=True)
    sys.exit(3)
