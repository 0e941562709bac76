"""One known row written past the ORM: the bookkeeping rows a commit hook writes on every commit (the plan stamp,
the plan summary), where loading the row and flushing it cost more than the rest of a small transaction."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Insert, Update, bindparam, insert, update
from sqlalchemy.orm import Session


def put_row(session: Session, model: type, key: dict[str, Any], values: dict[str, Any]) -> None:
    """Set `values` on the row of `model` whose primary key is `key`, inserting it the first time.

    Nothing is loaded or flushed: an object of that row already in the session keeps its old values until the
    commit expires it, so only a commit hook, the last writer of its transaction, should call this."""
    change, add = _statements(model, tuple(key), tuple(values))
    params = {f"p_{name}": value for name, value in (*key.items(), *values.items())}
    connection = session.connection()
    if connection.execute(change, params).rowcount == 0:
        connection.execute(add, params)


@cache
def _statements(model: type, key: tuple[str, ...], values: tuple[str, ...]) -> tuple[Update, Insert]:
    """Built once per shape: building a statement costs more than running it on one row. Parameters are named
    `p_<column>` (a bind may not take a column's own name in an UPDATE's SET)."""
    table = model.__table__
    change = (
        update(table)
        .where(*(table.c[name] == bindparam(f"p_{name}") for name in key))
        .values({name: bindparam(f"p_{name}") for name in values})
    )
    return change, insert(table).values({name: bindparam(f"p_{name}") for name in (*key, *values)})
