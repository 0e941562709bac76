"""The configurator's query count stays flat as orders grow, cached or not."""

from contextlib import contextmanager

from sqlalchemy import event

from storefront import cache
from storefront.extensions import db

BUILD = "frame=high-step&motor=mid-500&battery=b625&color=glacier&accessories=rack"
FOLDING = {"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}


@contextmanager
def counting():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def queries_for(client, url: str, **headers) -> tuple[int, int]:
    """(queries on a cold cache, queries on a warm one) for one request."""
    cache.clear_all()
    with counting() as cold:
        assert client.get(url, headers=headers).status_code == 200
    with counting() as warm:
        assert client.get(url, headers=headers).status_code == 200
    return len(cold), len(warm)


def test_configurator_pages_need_the_same_queries_for_3_and_30_orders(app_ctx, order_factory):
    client = app_ctx.test_client()
    urls = [
        (f"/configure?{BUILD}", {}),
        (f"/configure/summary?{BUILD}", {"HX-Request": "true"}),
        (f"/api/quote?{BUILD}", {}),
    ]
    for _ in range(3):
        order_factory(FOLDING)
    few = [queries_for(client, url, **headers) for url, headers in urls]
    for _ in range(27):
        order_factory(FOLDING)
    many = [queries_for(client, url, **headers) for url, headers in urls]
    assert few == many
    assert [warm for _, warm in many] == [0] * 3
