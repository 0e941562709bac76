"""The statuses the shop stores, by name. Each value is the string in the database, so a member compares
equal to what a query returns. No Flask here."""

from __future__ import annotations

from enum import StrEnum


class CheckoutStatus(StrEnum):
    """Where a checkout is on its way to becoming an order."""

    PENDING = "pending"  # waiting for the customer to pay
    PAID = "paid"  # the provider took the money; the order is not placed yet
    FULFILLED = "fulfilled"  # the order is placed
    FAILED = "failed"  # the payment failed
    EXPIRED = "expired"  # the payment session ran out
    MISMATCH = "mismatch"  # paid, but cannot become an order (another amount, say): a payment incident


class PartLineState(StrEnum):
    """Where one component a work order needs stands."""

    RESERVED = "reserved"  # held from stock
    AWAITING = "awaiting"  # promised from a supplier delivery
    CONSUMED = "consumed"  # fitted to the bike
    RELEASED = "released"  # given back: the order was cancelled


class PurchaseRequestStatus(StrEnum):
    """A supplier order for a component."""

    OPEN = "open"
    RECEIVED = "received"
    CANCELLED = "cancelled"


IN_HAND = (PartLineState.RESERVED, PartLineState.CONSUMED)  # the part is in the workshop
