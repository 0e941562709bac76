"""The tracker service reads a status in a constant number of queries, whatever the order holds."""

from storefront.services import tracking
from storefront.services.plan_version import current_stamp
from tests.support.tracker import move_to

SMALL = {"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}
LARGE = {
    "frame": ["folding"],
    "motor": ["mid-500"],
    "battery": ["b400"],
    "color": ["racing-red"],
    "accessories": ["rack", "fenders", "lights", "lock"],
}


def test_the_status_view_takes_the_same_number_of_queries_for_4_or_8_parts(order_factory, count_queries):
    small, large = order_factory(SMALL), order_factory(LARGE)
    for order in (small, large):
        move_to(order, "shipping", note="Packed.")  # passes the checklist on the way
    current_stamp()  # the stamp is known (read, or vouched for by the listener) before counting starts
    counts = []
    for token in (small.status_token, large.status_token):
        with count_queries() as counter:
            view = tracking.status_view(token)
        counts.append(counter.count)
        assert view.checks and view.updates
    assert len(large.work_order.parts) == 8 and len(small.work_order.parts) == 4
    assert counts[0] == counts[1] <= 8


def test_a_warm_stamp_needs_no_query_beyond_the_plan_stamp_and_changes_with_the_stage(paid_order, count_queries):
    token = paid_order.status_token
    before = tracking.status_stamp(token)
    with count_queries() as counter:
        assert tracking.status_stamp(token) == before
    assert counter.count == 0 and before.live
    move_to(paid_order, "delivered")
    after = tracking.status_stamp(paid_order.status_token)
    assert after.etag != before.etag and not after.live


def test_lookup_by_number_and_email_ignores_case_and_rejects_any_mismatch(paid_order):
    assert tracking.find_by_number_and_email(paid_order.number.lower(), " ADA@example.COM") == paid_order
    assert tracking.find_by_number_and_email(paid_order.number, "ada@example.org") is None
    assert tracking.find_by_number_and_email("EB-2026-99999", "ada@example.com") is None
