"""The test payment form: a card number, expiry and CVC, as on a real payment page."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp


class TestCardForm(FlaskForm):
    card_number = StringField(
        "Card number",
        validators=[DataRequired("Enter a card number."), Length(max=30)],
        render_kw={"inputmode": "numeric", "autocomplete": "cc-number", "placeholder": "4242 4242 4242 4242"},
    )
    expiry = StringField(
        "Expiry (MM/YY)",
        validators=[
            DataRequired("Enter the expiry date."),
            Regexp(r"(0[1-9]|1[0-2])\s?/\s?\d{2}", re.ASCII, "Enter the expiry as MM/YY, such as 12/34."),
        ],
        render_kw={"autocomplete": "cc-exp", "placeholder": "12/34"},
    )
    cvc = StringField(
        "CVC",
        validators=[DataRequired("Enter the CVC."), Regexp(r"\d{3,4}", re.ASCII, "The CVC is 3 or 4 digits.")],
        render_kw={"inputmode": "numeric", "autocomplete": "cc-csc", "placeholder": "123"},
    )
