"""Staff roles: the one registry of who may do what in the back office.

Each role includes everything the roles before it may do: a manager does what a mechanic does, an owner what
a manager does.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MECHANIC = "mechanic"  # moves work orders, checklists and shipping
    MANAGER = "manager"  # also inventory, supplier dates, capacity and planning
    OWNER = "owner"  # also the catalog and staff accounts

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def label(self) -> str:
        return self.value.capitalize()

    def may(self, needed: Role) -> bool:
        """Whether someone with this role may use a route that needs `needed`."""
        return self.rank >= needed.rank


def parse_role(value: str | None) -> Role | None:
    """The role named `value`, or None for anything else."""
    try:
        return Role(value)
    except ValueError:
        return None
