"""The configurator form, built from the live catalog so that no option lives in Python."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from .. import cache
from ..domain.catalog import Catalog


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BuildFormBase(FlaskForm):
    """Read from the query string; it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    def raw_choices(self) -> dict[str, list[str]]:
        """The submitted values per group, unvalidated: the domain checks them."""
        return {key: self.meta.formdata.getlist(key) for key in self.meta.formdata} if self.meta.formdata else {}


def build_form_class(catalog: Catalog) -> type[BuildFormBase]:
    """A form class with a radio group or checkbox list per catalog group, plus the RAL field (made once)."""
    return cache.named("build_forms").get_or_make(catalog, lambda: _make_form_class(catalog))


def _make_form_class(catalog: Catalog) -> type[BuildFormBase]:
    fields = {}
    for group in catalog.groups:
        choices = [SelectChoice(o.code, o.label) for o in group.offered]
        field_class = RadioField if group.pick_one else MultiCheckboxField
        fields[group.code] = field_class(group.label, choices=choices, validate_choice=False)
    fields["ral"] = StringField("RAL code", render_kw={"placeholder": "RAL 5015", "maxlength": 12})
    return type("BuildForm", (BuildFormBase,), fields)


def build_form(catalog: Catalog, formdata) -> BuildFormBase:
    return build_form_class(catalog)(formdata=formdata)
