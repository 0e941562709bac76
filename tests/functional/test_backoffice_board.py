"""The board: columns per stage, cards, search, the htmx fragment, and a query count that stays flat."""

from contextlib import contextmanager

from flask import g
from sqlalchemy import event

from storefront.extensions import db
from tests.support.backoffice import act


@contextmanager
def counting_queries():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_board_has_a_column_per_stage_and_a_card_per_order(staff_client, paid_order):
    html = staff_client.get("/backoffice/").get_data(as_text=True)
    for title in ("Sourcing", "Assembly", "Testing", "Shipping", "Recently delivered"):
        assert title in html
    card = html[html.index(f'data-order="{paid_order.number}"') :]
    assert "Step-through · 250 W rear hub · 400 Wh · Graphite" in card[:1500]
    assert "0 days in stage" in card[:1500] and "Planned Tue 1 Dec 2026" in card[:1500]


def test_a_moved_order_shows_in_its_new_column(staff_client, paid_order):
    act(staff_client, paid_order.work_order, "move", action="start_assembly")
    html = staff_client.get("/backoffice/").get_data(as_text=True)
    assembly = html[html.index('id="col-assembly"') : html.index('id="col-testing"')]
    assert paid_order.number in assembly


def test_search_finds_orders_by_number_name_or_email(staff_client, order_factory):
    ada = order_factory(name="Ada Lovelace", email="ada@example.com")
    grace = order_factory(name="Grace Hopper", email="grace@navy.example")
    for term, found, hidden in (
        (grace.number, grace, ada),
        ("lovelace", ada, grace),
        ("NAVY.example", grace, ada),
    ):
        html = staff_client.get("/backoffice/", query_string={"q": term}).get_data(as_text=True)
        assert found.number in html and hidden.number not in html, term
    html = staff_client.get("/backoffice/", query_string={"q": "100%_"}).get_data(as_text=True)
    assert "Nothing here for “100%_”" in html


def test_an_htmx_search_gets_only_the_board_fragment(staff_client, paid_order, htmx_headers):
    response = staff_client.get("/backoffice/", query_string={"q": "ada"}, headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="board"' in html
    assert paid_order.number in html and "HX-Request" in response.headers["Vary"]


def test_the_board_needs_the_same_number_of_queries_for_3_and_30_orders(staff_client, order_factory):
    def queries_for_board() -> int:
        db.session.expire_all()
        with counting_queries() as statements:
            assert staff_client.get("/backoffice/").status_code == 200
        return len(statements)

    for _ in range(3):
        order_factory()
    with_three = queries_for_board()
    for i in range(27):
        order_factory(email=f"rider{i}@example.com")
    with_thirty = queries_for_board()
    assert with_three == with_thirty
    assert 0 < with_three <= 8, with_three


def test_an_order_whose_forecast_passed_its_promise_is_flagged_at_risk(staff_client, order_factory):
    from datetime import timedelta

    on_time, slipping = order_factory(), order_factory(email="late@example.com")
    slipping.forecast_latest = slipping.promised_latest + timedelta(days=4)
    db.session.commit()
    html = staff_client.get("/backoffice/").get_data(as_text=True)
    card = lambda number: html.split(f'data-order="{number}"')[1].split("</a>")[0]  # noqa: E731
    assert "At risk" in card(slipping.number)
    assert "At risk" not in card(on_time.number)


def test_the_delivered_column_shows_only_the_newest_dozen(staff_client, order_factory, app_ctx):
    from datetime import timedelta

    from storefront.models import WorkOrder

    orders = [order_factory(email=f"rider{i}@example.com") for i in range(14)]
    for minutes, order in enumerate(orders):
        work_order = db.session.get(WorkOrder, order.work_order.id)
        work_order.stage = "delivered"
        work_order.delivered_at = app_ctx.config["FIXED_NOW"] - timedelta(minutes=60 - minutes)
    db.session.commit()
    html = staff_client.get("/backoffice/").get_data(as_text=True)
    shown = [o.number for o in orders if f'data-order="{o.number}"' in html]
    assert shown == [o.number for o in orders[2:]]  # the two delivered longest ago drop off


def test_a_warm_board_makes_no_query_and_a_new_order_shows_at_once(staff_client, order_factory):
    order_factory()
    g.pop("_login_user", None)  # the test's app context outlives requests; a real request starts without a user
    assert staff_client.get("/backoffice/").status_code == 200  # renders and caches the board and the staff user
    db.session.expire_all()
    g.pop("_login_user", None)
    with counting_queries() as warm:
        assert staff_client.get("/backoffice/").status_code == 200
    assert warm == [], warm  # the plan stamp's watch vouches for the board and the signed-in staff user alike
    newer = order_factory(email="newer@example.com")
    assert newer.number in staff_client.get("/backoffice/").get_data(as_text=True)


def test_a_long_column_shows_its_oldest_cards_and_the_rest_on_asking(staff_client, order_factory, app_ctx, monkeypatch):
    import re
    from datetime import timedelta

    from storefront.backoffice import views

    monkeypatch.setattr(views, "COLUMN_CARDS", 2)
    now = app_ctx.config["FIXED_NOW"]
    numbers = [order_factory(now=now - timedelta(hours=3 - n)).number for n in range(3)]  # oldest first

    def sourcing(html: str) -> str:
        return html.split('id="col-sourcing"')[1].split("</section>")[0]

    column = sourcing(staff_client.get("/backoffice/").get_data(as_text=True))
    assert re.findall(r'data-order="([^"]+)"', column) == numbers[:2]
    assert "Oldest 2 of 3" in column and "Show all 3" in column and "show=sourcing" in column
    everything = staff_client.get("/backoffice/?show=sourcing", headers={"HX-Request": "true"})
    column = sourcing(everything.get_data(as_text=True))
    assert "<html" not in everything.get_data(as_text=True)
    assert re.findall(r'data-order="([^"]+)"', column) == numbers and "Show the oldest 2 only" in column
    unknown = sourcing(staff_client.get("/backoffice/?show=%3Cscript%3E").get_data(as_text=True))
    assert len(re.findall(r'data-order="', unknown)) == 2 and "<script>" not in unknown


def own_request(call):
    """Run a request as its own: the test's app context outlives requests, and its `g` would hand one client's
    user and CSRF token to the next."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    return call()


def test_a_cached_board_page_carries_each_sessions_own_email_and_a_working_csrf_token(app, staff_client, paid_order):
    from storefront.backoffice.views import CSRF_SLOT
    from storefront.services.plan_version import read_stamp
    from storefront.services.staff import create_staff
    from tests.support.backoffice import csrf_from, sign_in

    create_staff("second@voltwerk.example", "second-password-1")
    other = app.test_client()
    assert own_request(lambda: sign_in(other, "second@voltwerk.example", "second-password-1")).status_code == 303
    for _ in range(2):  # rendered, then served from the cache
        mine = own_request(lambda: staff_client.get("/backoffice/")).get_data(as_text=True)
        theirs = own_request(lambda: other.get("/backoffice/")).get_data(as_text=True)
        assert staff_client.staff.email in mine and "second@voltwerk.example" not in mine
        assert "second@voltwerk.example" in theirs and staff_client.staff.email not in theirs
        assert CSRF_SLOT not in mine + theirs and csrf_from(mine) != csrf_from(theirs)
    same_person_elsewhere = app.test_client()  # the page cached for this staff member, served to another session
    own_request(lambda: staff_client.get("/backoffice/"))
    stamp = read_stamp()
    assert own_request(lambda: sign_in(same_person_elsewhere)).status_code == 303
    assert read_stamp() == stamp  # a sign-in leaves every cached answer, this page included, in place
    page = own_request(lambda: same_person_elsewhere.get("/backoffice/")).get_data(as_text=True)
    token = csrf_from(page)
    signed_out = own_request(lambda: same_person_elsewhere.post("/backoffice/logout", data={"csrf_token": token}))
    assert signed_out.status_code == 303  # the token the cached page carried was that session's own
    assert own_request(lambda: same_person_elsewhere.get("/backoffice/")).status_code == 302
    assert own_request(lambda: other.get("/backoffice/")).status_code == 200
