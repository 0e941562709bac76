"""End-to-end fixtures: the app served on a free local port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.support.checkout import SERVER_POLL_SECONDS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "artifacts/screenshots")
# A phone as Chromium emulates it: the 390 px wide viewport, touch, and mobile layout rules (meta viewport).
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app_ctx):
    """The app on 127.0.0.1 in a background thread, sharing the test database. Yields its base URL."""
    server = make_server("127.0.0.1", 0, app_ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(SERVER_POLL_SECONDS,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _watched_page(browser, **context_options):
    """A page in a fresh context; the test fails if the browser reports an error (CSP violations included)."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and not _document_status(page, msg) and errors.append(msg.text))
    yield page
    context.close()
    assert errors == [], f"the browser reported errors (CSP violations included): {errors}"


def _document_status(page, msg) -> bool:
    """Chromium logs an error page's status (such as a 404 the test asked for) as a failed load of the
    document itself; tests check that status themselves. A failed stylesheet or script still counts."""
    return msg.text.startswith("Failed to load resource") and msg.location.get("url") == page.url


@pytest.fixture
def page(browser):
    yield from _watched_page(browser, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(browser):
    """A page on an emulated 390 px phone."""
    yield from _watched_page(browser, **PHONE)


@pytest.fixture
def screenshot():
    """Save a PNG under artifacts/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        # caret="initial": hiding the caret leaves an injected style that htmx's next swap trips the CSP on
        page.screenshot(path=str(path), full_page=full_page, caret="initial")
        return path

    return take
