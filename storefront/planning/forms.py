"""Forms for the planning pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from ..services.planning import MAX_CAPACITY, MIN_CAPACITY


class CapacityForm(FlaskForm):
    capacity = IntegerField(
        "Assembly slots per working day",
        validators=[InputRequired(), NumberRange(MIN_CAPACITY, MAX_CAPACITY)],
    )
