"""One known row written past the ORM: the bookkeeping rows a commit hook writes on every commit (the plan stamp,
the plan summary), where loading the row and flushing it cost more than the rest of a small transaction."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Insert, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}  # the two engines the shop runs on


def put_row(session: Session, model: type, key: dict[str, Any], values: dict[str, Any]) -> None:
    """Set `values` on the row of `model` whose primary key is `key`, inserting it the first time, in one
    statement: two first commits at once would otherwise both find no row and both insert it.

    Nothing is loaded or flushed: an object of that row already in the session keeps its old values until the
    commit expires it, so only a commit hook, the last writer of its transaction, should call this."""
    upsert = _upsert(session.get_bind().dialect.name, model, tuple(key), tuple(values))
    session.connection().execute(upsert, {f"p_{name}": value for name, value in (*key.items(), *values.items())})


@cache
def _upsert(dialect: str, model: type, key: tuple[str, ...], values: tuple[str, ...]) -> Insert:
    """Built once per shape: building a statement costs more than running it on one row."""
    table = model.__table__
    insert = _INSERTS[dialect](table).values({name: bindparam(f"p_{name}") for name in (*key, *values)})
    return insert.on_conflict_do_update(
        index_elements=[table.c[name] for name in key], set_={name: insert.excluded[name] for name in values}
    )
