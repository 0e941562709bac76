"""The one unit of work: every service that writes says `with unit_of_work() as uow:` and nothing else.

It commits when the block ends, rolls back on any error, turns a stale version column into the caller's
conflict error (a 409 to the views), and runs the effects registered with `uow.after_commit` once the data
is safely stored (a re-plan in its own transaction, say). Effects never run after a rollback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db


class ConcurrentChange(RuntimeError):
    """Someone else changed the same rows first; nothing of this transaction was stored."""

    def __init__(self, message: str = "Someone else changed this while you had it open. Nothing was saved.") -> None:
        super().__init__(message)


@dataclass
class UnitOfWork:
    effects: list[Callable[[], object]] = field(default_factory=list)

    def after_commit(self, effect: Callable[[], object]) -> None:
        """Run `effect` once this transaction has committed (never after a rollback)."""
        self.effects.append(effect)


@contextmanager
def unit_of_work(conflict: Callable[[], Exception] = ConcurrentChange) -> Iterator[UnitOfWork]:
    """Commit the block's writes, or roll all of them back; then run the post-commit effects in order."""
    uow = UnitOfWork()
    try:
        yield uow
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise conflict() from exc
    except BaseException:
        db.session.rollback()
        raise
    for effect in uow.effects:
        effect()
