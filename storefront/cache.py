"""Every process-local cache, declared in one place: its name, its size and why it is never stale.

Each cache is keyed by everything its values depend on (a catalog checksum, the plan version, a status
fingerprint), so an entry is never wrong, only unused; the size bounds the memory that unused entries hold.
Sizes come from the CACHE_SIZES setting; tests start from empty caches with `clear_all()`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from threading import Lock
from typing import Any

from flask import Flask

from .config import ConfigError


class LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = make()
        self.put(key, value)
        return value

    def peek(self, key: Hashable) -> Any:
        """The value under `key`, or None."""
        return self._data.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._data.pop(key, None)

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


@dataclass(frozen=True)
class Declared:
    name: str
    default_size: int
    freshness: str  # why an entry can never be stale: what its key holds


DECLARED = (
    Declared(
        "plan_stamp",
        4,
        "keyed by engine (one database, one app); on PostgreSQL dropped by every NOTIFY plan_version (sent by "
        "the commit that bumps the stamp) and trusted only while this process's LISTEN connection is up; "
        "SQLite never fills it",
    ),
    Declared("catalogs", 8, "keyed by the catalog version's checksum; a version's data never changes"),
    Declared("build_forms", 8, "keyed by the parsed catalog, which is immutable"),
    Declared(
        "learned",
        8,
        "keyed by the workshop and by the count and newest of received supplier deliveries and of delivered bikes, "
        "which only ever grow: a receipt or a delivery is written once and never undone",
    ),
    Declared(
        "learned_lateness",
        8,
        "each component's supplier lateness, keyed by the workshop and the count and newest of received deliveries",
    ),
    Declared(
        "learned_delivered",
        8,
        "door times and extra bench days, keyed by the workshop, the timezone and the count and newest of "
        "delivered bikes",
    ),
    Declared(
        "learned_start_rate",
        8,
        "keyed by the workshop, the timezone and the count of assemblies started: a start's time is written once",
    ),
    Declared("plans", 16, "keyed by (catalog checksum, plan version, shop day); every plan write bumps the version"),
    Declared("quotes", 4096, "keyed by (catalog checksum, plan version, order day, shop day, the raw choices)"),
    Declared(
        "quotes_by_query", 4096, "keyed by (catalog checksum, plan version, order day, shop day, the raw query string)"
    ),
    Declared("quote_json", 4096, "keyed by the quote's key: the encoded /api/quote body"),
    Declared("configurator_html", 4096, "keyed by the quote's key and the kind of answer (fragment or page)"),
    Declared("status_stamps", 4096, "keyed by (status token digest, plan stamp); every write a status shows bumps it"),
    Declared("board_html", 64, "keyed by (plan stamp, shop day, search); every order or part write bumps the stamp"),
    Declared("board_fragments", 64, "keyed like board_html: the same columns, encoded as htmx swaps them"),
    Declared(
        "board_pages",
        256,
        "keyed by (board_html's key, staff id, email and role): the menu shows the email and what the role may "
        "open; the CSRF token is filled in per request",
    ),
    Declared(
        "staff_rows",
        64,
        "keyed by (plan stamp, staff id): every write to a staff account but a sign-in's time bumps the stamp",
    ),
    Declared(
        "csrf_tokens",
        1024,
        "keyed by a session's raw CSRF token: its signed form never expires while WTF_CSRF_TIME_LIMIT is None "
        "(otherwise nothing is kept)",
    ),
    Declared(
        "sessions",
        1024,
        "keyed by (the secret keys, the exact signed session cookie): a cookie verified once verifies again under "
        "the same keys; a hit is used only while the signature is younger than the session lifetime",
    ),
    Declared("board_builds", 4096, "keyed by order id: an order's build and price lines are frozen at payment"),
    Declared("board_cards", 4096, "keyed by the card itself: every field it shows, days in stage included"),
    Declared("status_html", 4096, "keyed by (status token digest, status fingerprint, poll interval[, page])"),
)

_caches: dict[str, LRU] = {d.name: LRU(d.default_size) for d in DECLARED}


def named(name: str) -> LRU:
    """The declared cache called `name`."""
    return _caches[name]


def clear_all() -> None:
    for found in _caches.values():
        found.clear()


def init_app(app: Flask) -> None:
    """Size the caches from CACHE_SIZES ({name: entries}); unknown names stop the app at start."""
    sizes = app.config.get("CACHE_SIZES") or {}
    unknown = sorted(set(sizes) - _caches.keys())
    if unknown:
        raise ConfigError(f"CACHE_SIZES names unknown caches {unknown}; known: {sorted(_caches)}")
    for declared in DECLARED:
        _caches[declared.name].size = int(sizes.get(declared.name, declared.default_size))
