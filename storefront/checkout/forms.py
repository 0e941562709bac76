"""The checkout form (who the customer is, where the bike goes, the build-to-order terms) and the test card form."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp, ValidationError

from ..domain.regions import COUNTRIES, REGIONS
from .address import AddressError, check_region, normalise_postal_code

PHONE = re.compile(r"\+?[\d\s().-]{7,25}")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _region_choices() -> list[SelectChoice]:
    choices = [SelectChoice("", "Choose…")]
    for country, regions in REGIONS.items():
        choices += [SelectChoice(code, name, optgroup=COUNTRIES[country]) for code, name in regions.items()]
    return choices


class CheckoutForm(FlaskForm):
    full_name = StringField(
        "Full name",
        filters=[_strip],
        validators=[DataRequired("Enter your full name."), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        "Email",
        filters=[_strip],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254),
            Email("Enter an email address such as you@example.com.", check_deliverability=False),
        ],
        render_kw={"autocomplete": "email"},
    )
    phone = TelField(
        "Phone (optional)",
        filters=[_strip],
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "tel"},
    )
    line1 = StringField(
        "Address line 1",
        filters=[_strip],
        validators=[DataRequired("Enter the street address."), Length(max=120)],
        render_kw={"autocomplete": "address-line1"},
    )
    line2 = StringField(
        "Address line 2 (optional)",
        filters=[_strip],
        validators=[Optional(), Length(max=120)],
        render_kw={"autocomplete": "address-line2"},
    )
    city = StringField(
        "City",
        filters=[_strip],
        validators=[DataRequired("Enter the city."), Length(max=80)],
        render_kw={"autocomplete": "address-level2"},
    )
    postal_code = StringField(
        "ZIP or postal code",
        filters=[_strip],
        validators=[DataRequired("Enter the ZIP or postal code."), Length(max=12)],
        render_kw={"autocomplete": "postal-code"},
    )
    region = SelectField(
        "State, province or territory",
        choices=_region_choices(),
        validate_choice=False,
        validators=[InputRequired("Choose a state, province or territory.")],
        render_kw={"autocomplete": "address-level1"},
    )
    country = SelectField(
        "Country",
        choices=[SelectChoice(code, name) for code, name in COUNTRIES.items()],
        validate_choice=False,
        render_kw={"autocomplete": "country"},
    )
    terms = BooleanField(
        "I accept the build-to-order terms.",
        validators=[DataRequired("Please accept the build-to-order terms to continue.")],
    )

    def validate_phone(self, field) -> None:
        if field.data and not (PHONE.fullmatch(field.data) and 7 <= sum(c.isdigit() for c in field.data) <= 15):
            raise ValidationError("Enter a phone number of 7 to 15 digits, or leave it empty.")

    def validate_country(self, field) -> None:
        if field.data not in COUNTRIES:
            raise ValidationError("We ship to the United States and Canada only.")

    def validate_region(self, field) -> None:
        if field.data and self.country.data in COUNTRIES:
            try:
                field.data = check_region(self.country.data, field.data)
            except AddressError as exc:
                raise ValidationError(str(exc)) from exc

    def validate_postal_code(self, field) -> None:
        if self.country.data in COUNTRIES:
            region = (self.region.data or "").upper()  # the province check applies once the region is valid
            try:
                field.data = normalise_postal_code(self.country.data, field.data, region)
            except AddressError as exc:
                raise ValidationError(str(exc)) from exc

    def address(self) -> dict[str, str]:
        return {
            "line1": self.line1.data,
            "line2": self.line2.data or "",
            "city": self.city.data,
            "postal_code": self.postal_code.data,
            "region": self.region.data,
            "country": self.country.data,
        }


class TestCardForm(FlaskForm):
    """A card number, expiry and CVC, as on a real payment page (test mode only)."""

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
