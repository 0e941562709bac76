"""Structured logs: one JSON object per line, each carrying the request id."""

from __future__ import annotations

import json
import logging
import random
import re

from flask import Flask, Response, g, has_request_context, request
from gunicorn import glogging

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_ENVIRON = "HTTP_X_REQUEST_ID"  # the same header, as WSGI names it
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_SECRET_PATTERN = re.compile(r"(sk_(live|test)_|whsec_|rk_(live|test)_)[A-Za-z0-9]+")
# A status token in a path (status page, its fragment, its JSON, the bill of sale) keeps its first 4 characters,
# and so does a staff set-password link's token.
_TOKEN_PATH = re.compile(r"(/(?:orders|bill-of-sale|backoffice/set-password)/[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{16,}")


def mask_tokens(text: str) -> str:
    """`/orders/abcd…` instead of the whole status token, which is as good as a password to that order."""
    if "/orders/" not in text and "/bill-of-sale/" not in text and "/set-password/" not in text:
        return text  # what _TOKEN_PATH needs is not there: a substring test is far cheaper than the regex
    return _TOKEN_PATH.sub("\\1…", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """Compact JSON lines; anything that looks like a Stripe secret is masked before it is written."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return mask_tokens(_SECRET_PATTERN.sub(r"\1[redacted]", json.dumps(entry, default=str)))


def init_app(app: Flask) -> None:
    app.before_request(_assign_request_id)
    app.after_request(_echo_request_id)
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    if not app.debug and not app.testing:
        app.logger.handlers[:] = [handler]
        app.logger.setLevel(logging.INFO)
        app.logger.propagate = False
        for name in ("storefront", "gunicorn.error"):
            logger = logging.getLogger(name)
            logger.handlers[:] = [handler]
            logger.setLevel(logging.INFO)
            logger.propagate = False


def _assign_request_id() -> None:
    """A sane incoming id, or a new one. An id tells log lines apart and guards nothing, so it is drawn from
    `random` (reseeded in each forked worker) rather than with a system call per request."""
    incoming = request.environ.get(_REQUEST_ID_ENVIRON, "")
    g.request_id = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else f"{random.getrandbits(128):032x}"


def _echo_request_id(response: Response) -> Response:
    # appended as it is: an id is either hex or matched _VALID_REQUEST_ID, so werkzeug's value check is not needed
    response.headers._list.append((REQUEST_ID_HEADER, g.get("request_id", "")))
    return response


class MaskedAtoms(glogging.SafeAtoms):
    """gunicorn's atoms with status tokens masked in each one the log line reads. Only the few the format names
    are masked, not every request header and environ entry: masking all of them cost 12 us a request on a status
    path, about as much as building the line."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return mask_tokens(value) if isinstance(value, str) else value


class AccessLogger(glogging.Logger):
    """gunicorn's access log with status tokens masked in every logged path and header, whatever the format."""

    atoms_wrapper_class = MaskedAtoms
