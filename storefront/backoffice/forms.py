"""Back-office forms. Every form that changes a work order carries the version it was rendered with."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from ..domain.carriers import CARRIERS, InvalidTracking, validate_tracking
from ..models import ChecklistItem

NOTE_MAX = 1000
CHECK_NOTE_MAX = 500


DB_INT_MAX = 2**31 - 1  # the database's integer columns end here


class LoginForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "username"})
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=1024)], render_kw={"autocomplete": "current-password"}
    )


class LogoutForm(FlaskForm):
    """Only a CSRF token: signing out is a POST."""


class VersionedForm(FlaskForm):
    version = IntegerField(
        widget=HiddenInput(),
        validators=[
            InputRequired("This form is out of date; reload."),
            NumberRange(1, DB_INT_MAX, "This form is out of date; reload."),
        ],
    )


class MoveForm(VersionedForm):
    action = HiddenField(validators=[DataRequired()])
    note = TextAreaField(
        "Message to the customer (optional)", validators=[Optional(), Length(max=NOTE_MAX)], render_kw={"rows": 2}
    )


class CancelForm(VersionedForm):
    note = TextAreaField(
        "Message to the customer (optional)", validators=[Optional(), Length(max=NOTE_MAX)], render_kw={"rows": 2}
    )


class ShipForm(VersionedForm):
    carrier = SelectField(
        "Carrier", choices=[SelectChoice(c.code, c.name) for c in CARRIERS.values()], validators=[DataRequired()]
    )
    tracking = StringField("Tracking number", validators=[DataRequired("Enter the tracking number."), Length(max=64)])

    def validate_tracking(self, field) -> None:
        try:
            validate_tracking(self.carrier.data, field.data)
        except InvalidTracking as exc:
            raise ValidationError(str(exc)) from exc


class NoteForm(VersionedForm):
    text = TextAreaField(
        "Note", validators=[DataRequired("Write the note first."), Length(max=NOTE_MAX)], render_kw={"rows": 3}
    )
    visibility = RadioField(
        "Who sees it",
        choices=[SelectChoice("internal", "Staff only"), SelectChoice("customer", "Also the customer (emailed)")],
        default="internal",
        validators=[DataRequired()],
    )


class ChecklistFormBase(VersionedForm):
    items: list[ChecklistItem] = []

    def results(self) -> dict[int, tuple[bool, str | None]]:
        """Item id -> (passed, note) for every item given a result."""
        out = {}
        for item in self.items:
            verdict = self[f"result_{item.id}"].data
            if verdict in ("pass", "fail"):
                out[item.id] = (verdict == "pass", (self[f"note_{item.id}"].data or "").strip() or None)
        return out


def checklist_form(items: list[ChecklistItem], **kwargs) -> ChecklistFormBase:
    """A pass/fail radio pair and a note per checklist item; the items are data, not code."""
    fields = {"items": items}
    for item in items:
        fields[f"result_{item.id}"] = RadioField(
            item.label,
            choices=[SelectChoice("pass", "Pass"), SelectChoice("fail", "Fail")],
            validators=[InputRequired(f"Pass or fail: {item.label}.")],
        )
        fields[f"note_{item.id}"] = StringField(
            f"Note on {item.label.lower()}", validators=[Optional(), Length(max=CHECK_NOTE_MAX)]
        )
    return type("ChecklistForm", (ChecklistFormBase,), fields)(**kwargs)


class ReceiveForm(FlaskForm):
    quantity = IntegerField(
        "Quantity received", validators=[InputRequired("Enter a quantity."), NumberRange(min=1, max=100000)]
    )


class LeadTimeForm(FlaskForm):
    days = IntegerField(
        "Lead time (working days)",
        validators=[InputRequired("Enter a number of days."), NumberRange(min=1, max=365, message="From 1 to 365.")],
    )


class ExpectedDateForm(FlaskForm):
    expected = DateField("New expected date", validators=[InputRequired("Pick a date.")])
    reason = StringField(
        "Reason (the customer sees it)", validators=[DataRequired("Give the reason."), Length(max=255)]
    )
