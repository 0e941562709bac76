"""The draft editor's forms: one nested form per part of the catalog, merged back onto the draft's data."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DecimalField, Form, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField, HiddenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

CODE = Regexp(r"^[a-z][a-z0-9-]*$", message="Use lower-case letters, digits and dashes.")
MAX_CENTS = 100_000_000  # $1,000,000: anything larger is a typo, and keeps the value in a 32-bit column


class MoneyField(StringField):
    """An amount typed in dollars and cents ("1290" or "1290.00"), stored as integer cents."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.cents = None
        text = (self.data or "").strip().replace(",", "").lstrip("$")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return
        if amount.is_finite() and amount == amount.quantize(Decimal("0.01")) and abs(amount) * 100 < MAX_CENTS:
            self.cents = int(amount * 100)

    def process_data(self, value):
        self.cents = value
        self.data = "" if value is None else f"{value / 100:.2f}"

    def pre_validate(self, form):
        if self.cents is None:
            raise ValidationError("Enter an amount such as 1290.00.")


class OptionalMoneyField(MoneyField):
    """An amount that may be left empty (no free-shipping threshold, say)."""

    def pre_validate(self, form):
        if self.cents is None and (self.data or "").strip():
            raise ValidationError("Enter an amount such as 1000.00, or leave it empty.")


class OptionForm(Form):
    code = StringField("Code", [InputRequired(), Length(max=40), CODE])
    label = StringField("Label", [InputRequired(), Length(max=120)])
    delta_cents = MoneyField("Price")
    component = StringField("Component", [InputRequired(), Length(max=32)])
    quantity = IntegerField("Quantity", [InputRequired(), NumberRange(1, 99)], default=1)
    swatch = StringField("Swatch", [Optional(), Regexp(r"^#[0-9a-fA-F]{6}$", message="A colour such as #3a3f44.")])
    offered = BooleanField("Offered", default=True)


class GroupForm(Form):
    code = StringField("Code", [InputRequired(), Length(max=40), CODE])
    label = StringField("Label", [InputRequired(), Length(max=120)])
    pick = SelectField("Pick", choices=[SelectChoice("one", "one"), SelectChoice("many", "many")])
    default = StringField("Default", [Optional(), Length(max=40)])
    options = FieldList(FormField(OptionForm))


class RuleForm(Form):
    option = StringField("Option", [InputRequired(), Length(max=40)])
    kind = SelectField("Kind", choices=[SelectChoice("needs", "needs one of"), SelectChoice("excludes", "excludes")])
    targets = StringField("Targets", [InputRequired(), Length(max=400)])
    message = StringField("Message for the customer", [InputRequired(), Length(max=300)])
    delete = BooleanField("Delete")


class ComponentForm(Form):
    sku = StringField("SKU", [InputRequired(), Length(max=32)])
    name = StringField("Name", [InputRequired(), Length(max=120)])
    supplier = StringField("Supplier", [Optional(), Length(max=120)])
    lead_time_days = IntegerField("Lead time (working days)", [InputRequired(), NumberRange(1, 365)])
    reorder_point = IntegerField("Reorder at", [Optional(), NumberRange(0, 100000)])
    reorder_quantity = IntegerField("Reorder quantity", [Optional(), NumberRange(1, 100000)])


class WorkshopForm(Form):
    assembly_days = IntegerField("Assembly days", [InputRequired(), NumberRange(0, 60)])
    testing_days = IntegerField("Testing days", [InputRequired(), NumberRange(0, 60)])
    transit_days = IntegerField("Transit days", [InputRequired(), NumberRange(0, 60)])
    max_window_days = IntegerField(
        "Widest promised window (working days)",
        [InputRequired(), NumberRange(1, 60)],
        description="A 4th day opens windows sooner where the spread is wide: more bikes land inside them.",
    )
    promise_confidence = DecimalField(
        "Promise confidence",
        [InputRequired(message="Give a share from 0.50 to 0.99."), NumberRange(Decimal("0.5"), Decimal("0.99"))],
        places=2,
        render_kw={"inputmode": "decimal"},
        description="The share of bikes that arrive by the promised window's last day (0.50-0.99); a customer "
        "hears of a slip only when their bike is late with it.",
    )
    order_cutoff = StringField(
        "Order cut-off (shop time)",
        [InputRequired(), Regexp(r"^([01]?\d|2[0-3]):[0-5]\d$", message="Use a time such as 15:00.")],
        description="Orders paid later in the day, or on a closed day, count from the next working day.",
    )
    working_days = StringField("Working days", [InputRequired(), Length(max=60)])
    holiday_country = StringField("Public holidays of (country code)", [InputRequired(), Length(min=2, max=3)])
    holiday_subdivision = StringField(
        "State or province for holidays (optional)", [Optional(), Length(max=10)], description="For example NY or ON."
    )
    closures = TextAreaField("Shop closures (one date a line)", [Length(max=4000)])


class RateForm(Form):
    # region codes, amounts and duplicates are checked by the catalog itself (domain.catalog.table_problems),
    # so the editor says what a TOML import says
    where = StringField("Where (US, US-HI, CA-QC …)", [Length(max=8)])
    ships = BooleanField("Ships here", default=True)
    fee_cents = MoneyField("Fee", default=0)
    free_over_cents = OptionalMoneyField("Free from")
    oversized_cents = MoneyField("Oversized extra", default=0)
    delete = BooleanField("Delete")


class ShippingForm(Form):
    oversized = StringField("Oversized options (codes, comma separated)", [Length(max=400)])
    rates = FieldList(FormField(RateForm))


class TaxRegionForm(Form):
    where = StringField("Where (US-NY, CA-QC …)", [Length(max=8)])
    exact = BooleanField("Exact")
    taxes = TextAreaField("Taxes (one a line: name, percent)", [Length(max=1000)])
    delete = BooleanField("Delete")


class TaxForm(Form):
    collect = FieldList(FormField(TaxRegionForm))


class DraftForm(FlaskForm):
    version = HiddenField()
    product_label = StringField("Product name", [InputRequired(), Length(max=120)])
    base_cents = MoneyField("Base price")
    groups = FieldList(FormField(GroupForm))
    rules = FieldList(FormField(RuleForm))
    components = FieldList(FormField(ComponentForm))
    workshop = FormField(WorkshopForm)
    shipping = FormField(ShippingForm)
    tax = FormField(TaxForm)


class ImportForm(FlaskForm):
    file = FileField("Catalog TOML file")


class VersionForm(FlaskForm):
    """A bare POST form (CSRF and the draft version) for publish and start."""

    version = HiddenField()


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BLANK_OPTION = {"code": "new-option", "label": "New option", "delta_cents": 0, "component": "", "offered": False}
BLANK = {
    "rule": {"option": "", "needs": [], "message": ""},
    "group": {"code": "new-group", "label": "New group", "pick": "many", "options": []},
    "component": {"sku": "NEW", "name": "New component", "on_hand": 0, "lead_time_days": 5},
}
BLANK_IN_TABLE = {
    "rate": ("shipping", "rates", {"where": ""}),
    "region": ("tax", "collect", {"where": "", "taxes": []}),
}


def form_data(data: dict) -> dict:
    """The draft's data in the editor form's shape."""
    ws = data["workshop"]
    return {
        "product_label": data["product"]["label"],
        "base_cents": data["product"]["base_cents"],
        "groups": data["groups"],
        "rules": [
            {
                **r,
                "kind": "needs" if "needs" in r else "excludes",
                "targets": ", ".join(r.get("needs") or [r.get("excludes", "")]),
            }
            for r in data["rules"]
        ],
        "components": data["components"],
        "workshop": {
            **ws,
            "working_days": ", ".join(ws["working_days"]),
            "holiday_country": ws.get("holiday_country", "US"),
            "holiday_subdivision": ws.get("holiday_subdivision", ""),
            "max_window_days": ws.get("max_window_days", 3),
            "promise_confidence": Decimal(str(ws.get("promise_confidence", 0.95))),
            "order_cutoff": ws.get("order_cutoff", "15:00"),
            "closures": "\n".join(ws.get("closures", [])),
        },
        "shipping": {
            "oversized": ", ".join(data.get("shipping", {}).get("oversized", [])),
            "rates": data.get("shipping", {}).get("rates", []),
        },
        "tax": {"collect": [{**r, "taxes": _taxes_text(r)} for r in data.get("tax", {}).get("collect", [])]},
    }


def _taxes_text(region: dict) -> str:
    return "\n".join(f"{t.get('name', '')}, {t.get('percent', '')}" for t in region.get("taxes", []))


def merged(data: dict, form: DraftForm) -> dict:
    """The draft data with the form's values laid over it; keys the form does not show are kept as they were."""
    new = {
        **data,
        "product": {**data["product"], "label": form.product_label.data, "base_cents": form.base_cents.cents},
    }
    new["groups"] = [_group(old, f) for old, f in zip(data["groups"], form.groups, strict=False)]
    new["rules"] = [_rule(f) for f in form.rules if not f.delete.data]
    new["components"] = [_component(old, f) for old, f in zip(data["components"], form.components, strict=False)]
    new["workshop"] = _workshop(data["workshop"], form.workshop.form)
    return {**new, **_tables(data, form)}


def with_blank(data: dict, what: str) -> dict:
    """The data with one blank item added: "rule", "group", "component", "rate", "region" or "option:<group>"."""
    new = {**data}
    kind, _, index = what.partition(":")
    if kind in BLANK_IN_TABLE:
        section, key, blank = BLANK_IN_TABLE[kind]
        table = dict(data.get(section, {}))
        new[section] = {**table, key: [*table.get(key, []), dict(blank)]}
    elif kind == "option" and index.isdigit() and int(index) < len(data["groups"]):
        groups = [dict(g) for g in data["groups"]]
        groups[int(index)]["options"] = [*groups[int(index)]["options"], dict(BLANK_OPTION)]
        new["groups"] = groups
    elif kind in BLANK:
        key = f"{kind}s"
        new[key] = [*data.get(key, []), dict(BLANK[kind])]
    return new


def moved(data: dict, what: str) -> dict:
    """The data with one group or option moved a place: "group:<i>:up" or "option:<group>:<i>:down"."""
    kind, *numbers, direction = what.split(":") if what.count(":") in (2, 3) else ("", "")
    if not all(n.isdigit() for n in numbers) or direction not in ("up", "down"):
        return data
    step = -1 if direction == "up" else 1
    groups = [dict(g) for g in data["groups"]]
    if kind == "group" and len(numbers) == 1:
        groups = _swapped(groups, int(numbers[0]), step)
    elif kind == "option" and len(numbers) == 2 and int(numbers[0]) < len(groups):
        group = groups[int(numbers[0])]
        group["options"] = _swapped(group["options"], int(numbers[1]), step)
    return {**data, "groups": groups}


def _swapped(items: list, index: int, step: int) -> list:
    other = index + step
    if not (0 <= index < len(items) and 0 <= other < len(items)):
        return items
    items = list(items)
    items[index], items[other] = items[other], items[index]
    return items


def _clean(values: dict) -> dict:
    return {k: v for k, v in values.items() if v not in (None, "")}


def _group(old: dict, f) -> dict:
    g = f.form
    options = [_option(o_old, o) for o_old, o in zip(old["options"], g.options, strict=False)]
    group = {**old, "code": g.code.data, "label": g.label.data, "pick": g.pick.data, "options": options}
    group.pop("default", None)
    return {**group, **_clean({"default": g.default.data})}


def _option(old: dict, f) -> dict:
    o = f.form
    option = {k: v for k, v in old.items() if k not in ("swatch",)}
    option.update(code=o.code.data, label=o.label.data, delta_cents=o.delta_cents.cents, component=o.component.data)
    option.update(_clean({"swatch": o.swatch.data}))
    option.pop("quantity", None)
    option.pop("offered", None)
    if o.quantity.data != 1:
        option["quantity"] = o.quantity.data
    if not o.offered.data:
        option["offered"] = False
    return option


def _rule(f) -> dict:
    r = f.form
    targets = [t.strip() for t in r.targets.data.split(",") if t.strip()]
    said = {"needs": targets} if r.kind.data == "needs" else {"excludes": targets[0] if targets else ""}
    return {"option": r.option.data.strip(), **said, "message": r.message.data}


def _component(old: dict, f) -> dict:
    c = f.form
    component = {k: v for k, v in old.items() if k not in ("supplier", "reorder_point", "reorder_quantity")}
    component.update(sku=c.sku.data, name=c.name.data, lead_time_days=c.lead_time_days.data)
    extra = {
        "supplier": c.supplier.data,
        "reorder_point": c.reorder_point.data,
        "reorder_quantity": c.reorder_quantity.data,
    }
    return {**component, **_clean(extra)}


def _workshop(old: dict, w) -> dict:
    # the slots a day are the capacity setting, changed on its own page with a re-plan (the catalog seeds it)
    numbers = ("assembly_days", "testing_days", "transit_days", "max_window_days")
    ws = {**old, **{name: getattr(w, name).data for name in numbers}}
    ws["promise_confidence"] = float(w.promise_confidence.data)
    hours, minutes = (w.order_cutoff.data or "").strip().split(":")
    ws["order_cutoff"] = f"{int(hours):02d}:{minutes}"
    ws["holiday_country"] = (w.holiday_country.data or "").strip().upper()
    subdivision = (w.holiday_subdivision.data or "").strip().upper()
    ws.pop("holiday_subdivision", None)
    if subdivision:
        ws["holiday_subdivision"] = subdivision
    ws["working_days"] = [d.strip().lower() for d in (w.working_days.data or "").split(",") if d.strip()]
    ws["closures"] = [h.strip() for h in (w.closures.data or "").splitlines() if h.strip()]
    return ws


def keeps_published_codes(form: DraftForm, data: dict, published: set[str]) -> bool:
    """An option code in any published version stays as it is: orders and shared links name it."""
    ok = True
    for old_group, group in zip(data["groups"], form.groups, strict=False):
        for old, option in zip(old_group["options"], group.form.options, strict=False):
            code = option.form.code
            if old["code"] in published and (code.data or "").strip() != old["code"]:
                code.errors.append(
                    f"Code: {old['code']!r} has been published, so it cannot be renamed (orders and shared links "
                    "name it). Add a new option instead, and untick Offered on this one."
                )
                ok = False
    return ok


def _tables(data: dict, form: DraftForm) -> dict:
    """The shipping and tax tables from the form (a catalog without them gets none unless the owner adds some)."""
    shipping, tax = data.get("shipping", {}), data.get("tax", {})
    rates = [_rate(old, f) for old, f in zip(shipping.get("rates", []), form.shipping.form.rates, strict=False)]
    oversized = [c.strip() for c in (form.shipping.form.oversized.data or "").split(",") if c.strip()]
    regions = [_region(old, f) for old, f in zip(tax.get("collect", []), form.tax.form.collect, strict=False)]
    tables = {}
    if "shipping" in data or rates or oversized:
        tables["shipping"] = {**shipping, "oversized": oversized, "rates": [r for r in rates if r is not None]}
    if "tax" in data or regions:
        tables["tax"] = {**tax, "collect": [r for r in regions if r is not None]}
    return tables


RATE_KEYS = ("where", "ships", "fee_cents", "free_over_cents", "oversized_cents")


def _rate(old: dict, f) -> dict | None:
    r = f.form
    if r.delete.data or not (r.where.data or "").strip():  # a row left without a region is an unused blank
        return None
    rate = {"where": (r.where.data or "").strip().upper(), **{k: v for k, v in old.items() if k not in RATE_KEYS}}
    if not r.ships.data:
        rate["ships"] = False
    for key in ("fee_cents", "oversized_cents"):
        cents = getattr(r, key).cents
        if cents or key in old:  # a zero the data never said stays unsaid, so an untouched table stays as it was
            rate[key] = cents
    if r.free_over_cents.cents is not None:
        rate["free_over_cents"] = r.free_over_cents.cents
    return rate


def _region(old: dict, f) -> dict | None:
    r = f.form
    if r.delete.data or not (r.where.data or "").strip():
        return None
    region = {"where": (r.where.data or "").strip().upper()}
    region.update({k: v for k, v in old.items() if k not in ("where", "exact", "taxes")})
    if r.exact.data:
        region["exact"] = True
    region["taxes"] = [_tax(line) for line in (r.taxes.data or "").splitlines() if line.strip()]
    return region


def _tax(line: str) -> dict:
    """One line of taxes ("GST, 5") as data; a percent that is not a number is kept as text, for the check to name."""
    name, comma, text = line.rpartition(",")
    if not comma:
        name, text = line, ""
    text = text.strip()
    for number in (int, float):
        try:
            return {"name": name.strip(), "percent": number(text)}
        except ValueError:
            continue
    return {"name": name.strip(), "percent": text or None}


def validate_workshop_days(form: DraftForm) -> bool:
    """Weekday names and ISO holiday dates, checked beyond what the field validators can say."""
    from datetime import date

    w = form.workshop.form
    ok = True
    bad_days = [d for d in (w.working_days.data or "").split(",") if d.strip().lower() not in WEEKDAY_NAMES]
    if bad_days:
        w.working_days.errors.append(f"Use mon, tue, wed, thu, fri, sat, sun (not {bad_days[0].strip()!r}).")
        ok = False
    for line in (h.strip() for h in (w.closures.data or "").splitlines() if h.strip()):
        try:
            date.fromisoformat(line)
        except ValueError:
            w.closures.errors.append(f"{line!r} is not a date such as 2026-12-25.")
            ok = False
    return ok
