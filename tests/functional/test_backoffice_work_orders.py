"""Staff move work orders through the workshop: each action, its guards, the audit trail and the emails."""

from datetime import timedelta

from sqlalchemy import func, select

from storefront import models
from storefront.extensions import db
from storefront.models import Component, OutboxMessage, PartLine, WorkOrderEvent
from tests.support.backoffice import FOLDING_BUILD, act, fresh, pass_all


def emails(kind: str = "wo-event:") -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(kind))))


def events(work_order) -> list[WorkOrderEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == work_order.id)))


def test_the_work_order_page_shows_build_parts_plan_history_and_only_this_stages_actions(staff_client, paid_order):
    html = staff_client.get(f"/backoffice/work-orders/{paid_order.work_order.id}").get_data(as_text=True)
    assert paid_order.number in html and "Step-through" in html and "Battery 400 Wh" in html
    assert "Reserved" in html and "Payment received; order placed." in html
    assert 'data-action="start_assembly"' in html and 'data-action="cancel"' in html
    assert 'data-action="start_testing"' not in html and 'data-action="ship"' not in html


def test_an_order_goes_from_sourcing_to_delivered_with_one_email_per_stage(staff_client, paid_order, app_ctx):
    work_order = paid_order.work_order
    frame = db.session.scalar(select(Component).where(Component.sku == "FRAME-ST"))
    on_hand, reserved = frame.on_hand, frame.reserved

    assert act(staff_client, work_order, "move", action="start_assembly").status_code == 303
    frame = fresh(frame)
    assert (frame.on_hand, frame.reserved) == (on_hand - 1, reserved - 1)
    assert {line.state for line in db.session.scalars(select(PartLine))} == {"consumed"}

    assert act(staff_client, work_order, "move", action="start_testing").status_code == 303
    assert pass_all(staff_client, work_order).status_code == 303
    assert act(staff_client, work_order, "move", action="pass_testing").status_code == 303
    response = act(staff_client, work_order, "ship", carrier="ups", tracking="1z999aa1 0123456784")
    assert response.status_code == 303
    assert act(staff_client, work_order, "move", action="deliver").status_code == 303

    work_order = fresh(work_order)
    assert work_order.stage == "delivered"
    assert (work_order.carrier, work_order.tracking_number) == ("ups", "1Z999AA10123456784")
    assert all(
        (work_order.assembly_started_at, work_order.testing_started_at, work_order.shipping_started_at)
        + (work_order.shipped_at, work_order.delivered_at)
    )
    trail = events(work_order)
    moves = [(e.from_stage, e.to_stage) for e in trail if e.from_stage]
    assert moves == [
        ("sourcing", "assembly"),
        ("assembly", "testing"),
        ("testing", "shipping"),
        ("shipping", "shipped"),
        ("shipped", "delivered"),
    ]
    assert all(e.staff_id == staff_client.staff.id for e in trail if e.action != "created")
    sent = emails()
    assert len(sent) == 5 and {m.to_email for m in sent} == {"ada@example.com"}
    assert any("UPS tracking number 1Z999AA10123456784" in m.body_text for m in sent)
    page = staff_client.get(f"/backoffice/work-orders/{work_order.id}").get_data(as_text=True)
    assert "Nothing left to do" in page and "1Z999AA10123456784" in page


def test_assembly_cannot_start_while_a_part_is_on_order(staff_client, order_factory):
    order = order_factory(FOLDING_BUILD)
    before = fresh(order.work_order).version
    response = act(staff_client, order.work_order, "move", action="start_assembly")
    assert response.status_code == 422
    assert "only when every part is reserved" in response.get_data(as_text=True)
    assert fresh(order.work_order).stage == "sourcing" and fresh(order.work_order).version == before
    assert emails() == []


def test_a_move_from_the_wrong_stage_or_an_unknown_action_changes_nothing(staff_client, paid_order):
    for action in ("deliver", "teleport", "ship"):
        response = act(staff_client, paid_order.work_order, "move", action=action)
        assert response.status_code == 422
    assert fresh(paid_order.work_order).stage == "sourcing"
    assert len(events(paid_order.work_order)) == 1


def test_a_failed_check_sends_the_bike_back_for_rework_and_is_recorded(staff_client, paid_order):
    work_order = paid_order.work_order
    act(staff_client, work_order, "move", action="start_assembly")
    act(staff_client, work_order, "move", action="start_testing")
    response = act(staff_client, work_order, "move", action="pass_testing")
    assert response.status_code == 422 and "must pass" in response.get_data(as_text=True)

    assert pass_all(staff_client, work_order, fail={"brakes": "rear lever soft"}).status_code == 303
    response = act(staff_client, work_order, "move", action="pass_testing")
    assert response.status_code == 422
    assert act(staff_client, work_order, "move", action="rework").status_code == 303
    work_order = fresh(work_order)
    assert (work_order.stage, work_order.test_round) == ("assembly", 2)
    failed = db.session.scalars(select(models.TestResult).where(models.TestResult.passed.is_(False))).all()
    assert [(r.round, r.note) for r in failed] == [(1, "rear lever soft")]
    assert any("Brake test (rear lever soft)" in (e.note or "") for e in events(work_order))

    act(staff_client, work_order, "move", action="start_testing")
    html = staff_client.get(f"/backoffice/work-orders/{work_order.id}").get_data(as_text=True)
    assert "round 2" in html and 'checked id="check-result_' not in html  # a new round starts blank
    pass_all(staff_client, work_order)
    assert act(staff_client, work_order, "move", action="pass_testing").status_code == 303
    assert fresh(work_order).stage == "shipping"


def test_an_incomplete_checklist_is_refused_with_the_missing_items(staff_client, paid_order):
    work_order = paid_order.work_order
    act(staff_client, work_order, "move", action="start_assembly")
    act(staff_client, work_order, "move", action="start_testing")
    response = act(staff_client, work_order, "checklist", note_1="x")
    assert response.status_code == 422
    assert "Pass or fail: Brake test." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(models.TestResult)) == 0


def shipping(staff_client, work_order):
    act(staff_client, work_order, "move", action="start_assembly")
    act(staff_client, work_order, "move", action="start_testing")
    pass_all(staff_client, work_order)
    act(staff_client, work_order, "move", action="pass_testing")


def test_shipping_needs_a_carrier_and_a_valid_tracking_number(staff_client, paid_order):
    work_order = paid_order.work_order
    shipping(staff_client, work_order)
    cases = [
        ({"carrier": "ups", "tracking": ""}, "Enter the tracking number."),
        ({"carrier": "ups", "tracking": "12345"}, "That is not a UPS tracking number"),
        ({"carrier": "pigeon", "tracking": "1234567890"}, "Not a valid choice"),
        ({"carrier": "dhl", "tracking": "9" * 65}, "Field cannot be longer than 64 characters."),
    ]
    for fields, message in cases:
        response = act(staff_client, work_order, "ship", **fields)
        assert response.status_code == 422, fields
        assert message in response.get_data(as_text=True)
    assert fresh(work_order).stage == "shipping" and fresh(work_order).tracking_number is None
    assert act(staff_client, work_order, "ship", carrier="dhl", tracking="1234567890").status_code == 303
    assert fresh(work_order).stage == "shipped"


def test_cancelling_before_assembly_releases_parts_refunds_and_tells_the_customer(staff_client, order_factory):
    order = order_factory(FOLDING_BUILD)
    motor = db.session.scalar(select(Component).where(Component.sku == "MOT-H250"))
    reserved = motor.reserved
    response = act(staff_client, order.work_order, "cancel", note="Customer changed their mind.")
    assert response.status_code == 303
    order = fresh(order)
    assert order.cancelled_at is not None and order.refund_reference.startswith("re_test_")
    assert fresh(motor).reserved == reserved - 1
    lines = db.session.scalars(select(PartLine).where(PartLine.work_order_id == order.work_order.id)).all()
    assert {line.state for line in lines} == {"released"} and all(line.purchase_request_id is None for line in lines)
    (sent,) = emails()
    assert "cancelled" in sent.subject and "Customer changed their mind." in sent.body_text


def test_cancelling_after_assembly_started_is_refused(staff_client, paid_order):
    act(staff_client, paid_order.work_order, "move", action="start_assembly")
    response = act(staff_client, paid_order.work_order, "cancel")
    assert response.status_code == 422
    assert fresh(paid_order).refund_reference is None and fresh(paid_order.work_order).stage == "assembly"


def test_notes_are_internal_or_customer_visible_and_only_visible_ones_are_emailed(staff_client, paid_order):
    work_order = paid_order.work_order
    assert (
        act(staff_client, work_order, "notes", text="Frame has a paint chip", visibility="internal").status_code == 303
    )
    assert emails() == []
    response = act(staff_client, work_order, "notes", text="Your bike is next in line!", visibility="customer")
    assert response.status_code == 303
    (sent,) = emails()
    assert "Your bike is next in line!" in sent.body_text
    notes = [(e.note, e.customer_visible) for e in events(work_order) if e.action == "note"]
    assert notes == [("Frame has a paint chip", False), ("Your bike is next in line!", True)]
    html = staff_client.get(f"/backoffice/work-orders/{work_order.id}").get_data(as_text=True)
    assert "Staff only" in html and "Customer sees this" in html


def test_an_empty_or_over_long_note_is_refused_and_nothing_is_written(staff_client, paid_order):
    for text in ("", "   ", "x" * 1001):
        response = act(staff_client, paid_order.work_order, "notes", text=text, visibility="customer")
        assert response.status_code == 422
    assert "Field cannot be longer than 1000 characters." in response.get_data(as_text=True)
    assert len(events(paid_order.work_order)) == 1 and emails() == []


def test_an_unknown_work_order_is_a_clear_404(staff_client, paid_order):
    assert staff_client.get("/backoffice/work-orders/99999").status_code == 404
    response = staff_client.post("/backoffice/work-orders/99999/move", {"move-version": 1, "move-action": "deliver"})
    assert response.status_code == 404
    assert staff_client.post("/backoffice/work-orders/99999/checklist", {}).status_code == 404


def test_the_second_of_two_concurrent_edits_is_told_and_overwrites_nothing(staff_client, paid_order):
    work_order = paid_order.work_order
    version = fresh(work_order).version
    first = act(staff_client, work_order, "move", version=version, action="start_assembly")
    second = act(staff_client, work_order, "notes", version=version, text="Waiting on paint", visibility="customer")
    assert first.status_code == 303 and second.status_code == 409
    assert "Someone else changed this work order" in second.get_data(as_text=True)
    assert [e.action for e in events(work_order)] == ["created", "start_assembly"]
    assert len(emails()) == 1
    # the page the second user now sees carries the new version, so a retry works
    assert act(staff_client, work_order, "notes", text="Waiting on paint", visibility="internal").status_code == 303


def test_every_action_bumps_the_version(staff_client, paid_order):
    work_order = paid_order.work_order
    versions = [fresh(work_order).version]
    act(staff_client, work_order, "notes", text="hello", visibility="internal")
    versions.append(fresh(work_order).version)
    act(staff_client, work_order, "move", action="start_assembly")
    versions.append(fresh(work_order).version)
    assert versions == sorted(set(versions))


def test_the_history_lists_who_did_what_and_when(staff_client, paid_order):
    act(staff_client, paid_order.work_order, "move", action="start_assembly", note="On the bench today.")
    html = staff_client.get(f"/backoffice/work-orders/{paid_order.work_order.id}").get_data(as_text=True)
    assert "sourcing → assembly" in html and "On the bench today." in html
    assert staff_client.staff.email in html and "Tue 1 Dec 2026, 09:00 EST" in html


def test_a_card_is_late_once_its_planned_date_passes(staff_client, paid_order, app_ctx):
    html = staff_client.get("/backoffice/").get_data(as_text=True)
    assert "flag-late" not in html and "flag-ready" in html and "0 days in stage" in html
    app_ctx.config["FIXED_NOW"] += timedelta(days=10)
    html = staff_client.get("/backoffice/").get_data(as_text=True)
    assert "flag-late" in html and "10 days in stage" in html
