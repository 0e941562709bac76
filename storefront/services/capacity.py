"""Booking an assembly slot at payment, one payment per day at a time.

Two payments reading the slot book at once would both see the last free slot. Each payment locks the row of
the day it is about to take (creating the row the first time a day is booked) and counts that day again
under the lock; if the day filled meanwhile it moves on to the next free day and locks that one. Days are
locked in ascending order, so two bookings never wait for each other in a circle.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain.catalog import Catalog
from ..domain.leadtime import Estimate, schedule_from
from ..extensions import db
from ..models import AssemblyDay
from .catalog import assembly_capacity
from .reliability import learned
from .supply import booked_slots


def book_assembly(parts_ready: date, today: date, catalog: Catalog) -> Estimate:
    """The plan for a new work order whose parts are ready on `parts_ready`, its assembly day locked until
    the caller's transaction ends (the caller writes the work order before it commits). Its window comes from
    the learned workshop, as the quote's and the re-plan's do."""
    capacity, locked, workshop = assembly_capacity(catalog), set(), learned(catalog).workshop
    while True:
        plan = schedule_from(parts_ready, booked_slots(today), workshop, capacity=capacity, today=today)
        if plan.assembly in locked:
            return plan
        lock_day(plan.assembly)
        locked.add(plan.assembly)


def lock_day(day: date) -> None:
    """Hold the day's row lock until commit (PostgreSQL; SQLite already lets one writer in at a time)."""
    locking = select(AssemblyDay).where(AssemblyDay.day == day).with_for_update()
    if db.session.scalar(locking) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(AssemblyDay(day=day))
    except IntegrityError:  # another payment created the row first; wait for its lock
        db.session.scalar(locking)
