"""Customer forms on the orders pages: the lookup, and the self-service cancel and delivery change."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Regexp

from ..checkout.forms import CheckoutForm
from ..services.self_service import Delivery


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class LookupForm(FlaskForm):
    number = StringField(
        "Order number",
        filters=[_strip],
        validators=[
            DataRequired("Enter your order number."),
            Length(max=20, message="Order numbers are at most 20 characters."),
            Regexp(r"^[A-Za-z]{2}-\d{4}-\d{5,}$", message="Order numbers look like EB-2026-00042."),
        ],
        render_kw={"placeholder": "EB-2026-00042", "autocomplete": "off", "maxlength": 20, "spellcheck": "false"},
    )
    email = EmailField(
        "Email used for the order",
        filters=[_strip],
        validators=[
            DataRequired("Enter the email you ordered with."),
            Length(max=254, message="That email address is too long."),
            Email("Enter a valid email address."),
        ],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )


def _order_email(label: str = "Email used for the order") -> EmailField:
    return EmailField(
        label,
        filters=[_strip],
        validators=[
            DataRequired("Enter the email you ordered with."),
            Length(max=254, message="That email address is too long."),
            Email("Enter a valid email address."),
        ],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )


class CancelOrderForm(FlaskForm):
    """The confirmation step of a self-service cancel: the email on the order proves it is the customer."""

    email = _order_email()


class DeliveryForm(CheckoutForm):
    """A new delivery address and phone, checked exactly as at checkout, plus the email on the order."""

    full_name = None
    terms = None
    email = _order_email()

    def delivery(self) -> Delivery:
        return Delivery(self.phone.data or None, self.address())
