"""reconcile-payments: a payment whose webhook never came is still fulfilled; abandoned checkouts expire."""

from datetime import timedelta

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Order
from tests.support.checkout import checkout_by_session, submit_checkout


def _later(app, minutes: int) -> None:
    app.config["FIXED_NOW"] = app.config["FIXED_NOW"] + timedelta(minutes=minutes)


def _reconcile(app) -> str:
    result = app.test_cli_runner().invoke(args=["reconcile-payments"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_paid_session_without_a_webhook_is_fulfilled_by_reconcile(app_ctx, client, fake_stripe):
    submit_checkout(client)
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    assert "0 order(s) created" in _reconcile(app_ctx)  # too fresh: the webhook may still come
    _later(app_ctx, 10)
    output = _reconcile(app_ctx)
    order = db.session.scalar(select(Order))
    assert f"1 order(s) created ({order.number})" in output
    assert order.stripe_session_id == session["id"]
    assert "0 order(s) created" in _reconcile(app_ctx)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_an_expired_stripe_session_is_marked_expired(app_ctx, client, fake_stripe):
    submit_checkout(client)
    session = fake_stripe.expire(fake_stripe.only_session()["id"])
    _later(app_ctx, 90)
    assert "1 expired" in _reconcile(app_ctx)
    assert checkout_by_session(session["id"]).status == "expired"


def test_an_abandoned_test_session_expires_after_its_hour(app_ctx, client):
    location = submit_checkout(client).headers["Location"]
    _later(app_ctx, 30)
    assert "0 expired" in _reconcile(app_ctx)
    _later(app_ctx, 31)
    assert "1 expired" in _reconcile(app_ctx)
    assert checkout_by_session(location.rsplit("/", 1)[1]).status == "expired"


def test_stripe_being_down_is_reported_not_raised(app_ctx, client, fake_stripe):
    submit_checkout(client)
    fake_stripe.down = True
    _later(app_ctx, 10)
    result = app_ctx.test_cli_runner().invoke(args=["reconcile-payments"])
    assert result.exit_code == 0
    assert "could not check" in result.output
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
