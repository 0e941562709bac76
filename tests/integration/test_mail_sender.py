"""The outbox sender against a real local SMTP server (aiosmtpd): delivery, outages, retries and give-ups."""

from datetime import timedelta
from email import message_from_bytes

from sqlalchemy import select

from storefront.extensions import db
from storefront.mail.outbox import enqueue
from storefront.mail.sender import MAX_ATTEMPTS, ConsoleTransport, SmtpTransport, backoff, deliver_due
from storefront.models import OutboxMessage
from storefront.services.links import status_url
from tests.support.checkout import free_port

SENDER = "Voltwerk Cycles <orders@voltwerk.example>"


def _outbox() -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalar(select(OutboxMessage))


def _advance(app, delta: timedelta) -> None:
    app.config["FIXED_NOW"] = app.config["FIXED_NOW"] + delta


def test_the_order_confirmation_is_delivered_over_smtp_once(paid_order, smtp_server):
    controller, sink = smtp_server
    transport = SmtpTransport(f"smtp://127.0.0.1:{controller.port}")
    assert deliver_due(transport, SENDER).sent == 1
    assert deliver_due(transport, SENDER).sent == 0
    assert len(sink.messages) == 1
    envelope = sink.messages[0]
    assert envelope.rcpt_tos == ["ada@example.com"]
    mail = message_from_bytes(envelope.content)
    assert mail["Subject"] == f"Order {paid_order.number} confirmed"
    assert mail["From"] == SENDER and mail["Message-ID"].startswith("<outbox-")
    assert mail.get_content_type() == "multipart/alternative"
    text, html = (part.get_payload(decode=True).decode() for part in mail.get_payload())
    assert [part.get_content_type() for part in mail.get_payload()] == ["text/plain", "text/html"]
    assert f"/orders/{paid_order.status_token}" in text and f"/orders/{paid_order.status_token}" in html
    assert "<img" not in html and "<script" not in html and "http" not in html.replace(status_url(paid_order), "")
    row = _outbox()
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None


def test_smtp_down_delays_the_mail_and_loses_nothing(app_ctx, paid_order, smtp_server):
    controller, sink = smtp_server
    down = SmtpTransport(f"smtp://127.0.0.1:{free_port()}", timeout=2)  # nothing listens there
    first_try = app_ctx.config["FIXED_NOW"]
    assert deliver_due(down, SENDER).retried == 1
    row = _outbox()
    assert row.status == "pending" and row.attempts == 1 and "Connection" in row.last_error
    assert row.next_attempt_at == first_try + timedelta(seconds=30)

    assert deliver_due(down, SENDER).retried == 0  # not due yet: no hammering
    _advance(app_ctx, timedelta(seconds=31))
    assert deliver_due(down, SENDER).retried == 1
    assert _outbox().next_attempt_at == app_ctx.config["FIXED_NOW"] + timedelta(minutes=1)

    up = SmtpTransport(f"smtp://127.0.0.1:{controller.port}")
    assert deliver_due(up, SENDER).sent == 0  # still waiting for its retry time
    _advance(app_ctx, timedelta(minutes=1))
    assert deliver_due(up, SENDER).sent == 1
    assert len(sink.messages) == 1
    row = _outbox()
    assert row.status == "sent" and row.attempts == 3 and row.last_error is None


def test_a_server_that_stops_and_comes_back_gets_every_message(app_ctx, order_factory, smtp_server):
    controller, sink = smtp_server
    order_factory()
    transport = SmtpTransport(f"smtp://127.0.0.1:{controller.port}", timeout=2)
    controller.stop()
    order_factory(email="bob@example.com")
    assert deliver_due(transport, SENDER).retried == 2
    controller.start()
    _advance(app_ctx, timedelta(minutes=5))
    assert deliver_due(transport, SENDER).sent == 2
    assert sorted(e.rcpt_tos[0] for e in sink.messages) == ["ada@example.com", "bob@example.com"]


def test_a_permanent_refusal_is_not_retried(app_ctx, smtp_server):
    controller, sink = smtp_server
    sink.reject.add("nobody@example.com")
    enqueue("nobody@example.com", "Hello", "Body", "test:nobody")
    db.session.commit()
    report = deliver_due(SmtpTransport(f"smtp://127.0.0.1:{controller.port}"), SENDER)
    assert report.dead == 1
    row = _outbox()
    assert row.status == "dead" and "550" in row.last_error


def test_the_sender_gives_up_after_the_last_attempt(app_ctx):
    enqueue("ada@example.com", "Hello", "Body", "test:give-up")
    db.session.commit()
    down = SmtpTransport(f"smtp://127.0.0.1:{free_port()}", timeout=2)
    for _ in range(MAX_ATTEMPTS):
        deliver_due(down, SENDER)
        _advance(app_ctx, timedelta(hours=1))
    row = _outbox()
    assert row.status == "dead" and row.attempts == MAX_ATTEMPTS


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30) == timedelta(hours=1)


def test_the_console_transport_prints_the_mail(paid_order):
    import io

    stream = io.StringIO()
    assert deliver_due(ConsoleTransport(stream), SENDER).sent == 1
    assert f"Order {paid_order.number} confirmed" in stream.getvalue()


def test_the_send_mail_command_delivers_once_and_exits(app_ctx, paid_order, smtp_server):
    controller, sink = smtp_server
    app_ctx.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    try:
        result = app_ctx.test_cli_runner().invoke(args=["send-mail", "--once"])
    finally:
        app_ctx.config["SMTP_URL"] = None
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(sink.messages) == 1
