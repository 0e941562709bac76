"""Race service calls against each other, as several people pressing a button at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from storefront.extensions import db


def at_once(app, calls: Sequence[Callable[[], object]]) -> list:
    """Run each call in its own thread and session, released together; return what each returned or raised."""
    barrier, outcomes = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                outcomes[index] = calls[index]()
            except BaseException as exc:  # noqa: BLE001 - the assertions inspect it
                outcomes[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    return outcomes
