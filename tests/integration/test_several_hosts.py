"""Two app hosts on one database and one Redis: limits are shared, and the outbox sender and the payment
reconciler can run on both without mailing anyone twice."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Checkout, Order, OutboxMessage
from storefront.timeutil import utcnow
from tests.support.backoffice import csrf_from
from tests.support.deploy import ROOT, Browser
from tests.support.orders import make_checkout


def wrong_login(browser: Browser) -> int:
    _, page = browser.get("/backoffice/login")
    data = {"csrf_token": csrf_from(page), "email": "eve@example.com", "password": "guess-guess-1"}
    return browser.post("/backoffice/login", data)


def test_rate_limits_are_shared_by_both_hosts(deployment, second_host, fresh_limits, app_ctx):
    proxy, _ = deployment
    through_proxy, direct = Browser(proxy.url), Browser(second_host.url)
    answers = [wrong_login(through_proxy if i % 2 else direct) for i in range(7)]
    assert answers == [422] * 5 + [429] * 2


def flask_command(database_url: str, *args: str, **env) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "STRIPE_SECRET_KEY")}
    environment.update(DATABASE_URL=database_url, SECRET_KEY="deploy-test-secret", TEST_PAYMENTS="1", **env)
    command = [sys.executable, "-m", "flask", "--app", "storefront", *args]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def run_on_both_hosts(database_url: str, *args: str, **env) -> list[str]:
    """The same command started on two hosts at once; their outputs."""
    processes = [flask_command(database_url, *args, **env) for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0].decode() for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    return outputs


def test_the_outbox_sender_on_both_hosts_mails_each_message_once(app_ctx, database_url, order_factory, smtp_server):
    server, sink = smtp_server
    for n in range(6):
        order_factory(email=f"rider{n}@example.com", name=f"Rider {n}")
    db.session.remove()
    run_on_both_hosts(database_url, "send-mail", "--once", SMTP_URL=f"smtp://127.0.0.1:{server.port}")
    recipients = sorted(address for envelope in sink.messages for address in envelope.rcpt_tos)
    assert recipients == sorted(f"rider{n}@example.com" for n in range(6))
    assert db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) == 6


def test_reconcile_payments_on_both_hosts_places_each_order_once(app_ctx, database_url):
    checkouts = 3
    for n in range(checkouts):
        checkout = make_checkout(app_ctx.config["FIXED_NOW"], email=f"paid{n}@example.com")
        checkout.stripe_session_id, checkout.status = f"cs_test_reconcile{n}", "paid"  # paid, webhook lost
        checkout.created_at = utcnow() - timedelta(minutes=10)  # the commands run on the real clock
    db.session.commit()
    db.session.remove()
    run_on_both_hosts(database_url, "reconcile-payments", "--minutes", "0")
    assert db.session.scalar(select(func.count()).select_from(Order)) == checkouts
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == checkouts
    assert set(db.session.scalars(select(Checkout.status))) == {"fulfilled"}
