"""Staff accounts under concurrency.

Two owners who demote each other at the same moment must leave one owner; two tabs that use one set-password
link at the same moment set one password. On PostgreSQL the transactions really overlap (row locks decide);
on SQLite the database serialises writers and the same outcome must hold.
"""

from __future__ import annotations

from sqlalchemy import select, text

from storefront.domain.roles import Role
from storefront.extensions import db
from storefront.models import OutboxMessage, StaffUser
from storefront.services import staff_accounts
from storefront.services.staff import authenticate, create_staff
from tests.support.concurrency import at_once


def test_two_owners_demoting_each_other_at_once_leave_one_owner(app_ctx):
    for _ in range(3):  # a few rounds: the interleaving differs from run to run
        db.session.execute(text("DELETE FROM staff_password_links"))
        db.session.execute(text("DELETE FROM staff_users"))
        db.session.commit()
        a = create_staff("a@voltwerk.example", "a-long-password")
        b = create_staff("b@voltwerk.example", "a-long-password")
        ids = (a.id, b.id)

        def demote(target: int, actor: int):
            return lambda: staff_accounts.change_role(
                target, Role.MANAGER, version=1, by=db.session.get(StaffUser, actor)
            )

        outcomes = at_once(app_ctx, [demote(ids[0], ids[1]), demote(ids[1], ids[0])])
        wins = [o for o in outcomes if isinstance(o, StaffUser)]
        refused = [o for o in outcomes if isinstance(o, staff_accounts.LastOwner)]
        assert len(wins) == 1 and len(refused) == 1, outcomes
        assert staff_accounts.active_owner_count() == 1


def test_two_tabs_using_one_link_at_once_set_one_password(app_ctx):
    owner = create_staff("owner@voltwerk.example", "a-long-password")
    staff = staff_accounts.invite("new@voltwerk.example", Role.MECHANIC, by=owner)
    # the token only travels in the email: read it back from the queued message
    body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.to_email == staff.email))
    token = body.split("/backoffice/set-password/", 1)[1].split()[0]

    outcomes = at_once(
        app_ctx,
        [
            lambda: staff_accounts.set_password_with_link(token, "first-password-1"),
            lambda: staff_accounts.set_password_with_link(token, "second-password-2"),
        ],
    )
    wins = [o for o in outcomes if isinstance(o, StaffUser)]
    refused = [o for o in outcomes if isinstance(o, staff_accounts.LinkRefused)]
    assert len(wins) == 1 and len(refused) == 1, outcomes
    works = [p for p in ("first-password-1", "second-password-2") if authenticate(staff.email, p) is not None]
    assert len(works) == 1
