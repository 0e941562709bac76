"""The back office's Staff page (owners only): invite, change roles, deactivate, send password links; and the
public page where an emailed set-password link is used."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, ValidationError

from ..auth import requires, staff_only
from ..domain.roles import Role, parse_role
from ..extensions import limiter
from ..services import staff_accounts as accounts
from ..services.staff import MIN_PASSWORD_LENGTH, StaffError, email_problem, normalise_email, password_problem
from ..web import keep_private
from .forms import VersionedForm

bp = Blueprint("staff", __name__, url_prefix="/backoffice")

staff_only(bp, public=frozenset({"staff.set_password"}))

ROLE_OPTIONS = [(role.value, role.label) for role in Role]
ROLE_MESSAGE = "Choose mechanic, manager or owner."


# ---------------------------------------------------------------- forms


def _role_field(**extra) -> SelectField:
    return SelectField(
        "Role",
        choices=[SelectChoice(value, label) for value, label in ROLE_OPTIONS],
        validate_choice=False,
        validators=[AnyOf([r.value for r in Role], message=ROLE_MESSAGE)],
        **extra,
    )


class InviteForm(FlaskForm):
    email = StringField(
        "Email",
        validators=[
            DataRequired("Enter the email address to invite."),
            Length(max=254, message="That email is too long."),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    role = _role_field(default=Role.MECHANIC.value)

    def validate_email(self, field) -> None:
        problem = email_problem(normalise_email(field.data or ""))
        if problem:
            raise ValidationError(problem)


class RoleForm(VersionedForm):
    role = _role_field()


class AccountForm(VersionedForm):
    """Deactivate, reactivate or send a password link: only the version the page showed."""


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a password."), Length(max=1024, message="That password is too long.")],
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired("Type the password a second time."), EqualTo("password", "The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field) -> None:
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


# ---------------------------------------------------------------- the Staff page


@bp.get("/staff/")
@requires(Role.OWNER)
def index():
    """Every staff account with its role and state, and the invitation form."""
    return _page()


@bp.post("/staff/invite")
@requires(Role.OWNER)
def invite():
    """Create an account with the chosen role and email it a set-password link (48 hours, single use)."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(invite_form=form, status=422)
    try:
        staff = accounts.invite(form.email.data, Role(form.role.data), by=_me())
    except StaffError as exc:
        form.email.errors = [*form.email.errors, str(exc)]
        return _page(invite_form=form, status=422)
    flash(f"Invitation sent to {staff.email} ({staff.staff_role.label.lower()}). The link works once, for 48 hours.")
    return _back_to(staff.id)


@bp.post("/staff/<int:staff_id>/role")
@requires(Role.OWNER)
def change_role(staff_id: int):
    """Give an account another role; it applies from that person's next request."""
    form = RoleForm()
    if not form.validate_on_submit():
        return _page(row_forms={staff_id: form}, status=422)
    role = parse_role(form.role.data)
    staff, refusal = _act(staff_id, lambda: accounts.change_role(staff_id, role, version=form.version.data, by=_me()))
    if refusal:
        return refusal
    flash(f"{staff.email} now has the {role.label.lower()} role.")
    if staff.id == current_user.id and not role.may(Role.OWNER):
        return redirect(url_for("backoffice.board"), 303)  # the Staff page is no longer theirs
    return _back_to(staff.id)


@bp.post("/staff/<int:staff_id>/deactivate")
@requires(Role.OWNER)
def deactivate(staff_id: int):
    """Stop an account from signing in; every session it has ends at once."""
    staff, refusal = _account_change(staff_id, accounts.deactivate)
    if refusal:
        return refusal
    flash(f"Deactivated {staff.email}: they are signed out everywhere and cannot sign in.")
    if staff.id == current_user.id:
        return redirect(url_for("backoffice.login"), 303)
    return _back_to(staff.id)


@bp.post("/staff/<int:staff_id>/reactivate")
@requires(Role.OWNER)
def reactivate(staff_id: int):
    """Let a deactivated account sign in again."""
    staff, refusal = _account_change(staff_id, accounts.reactivate)
    if refusal:
        return refusal
    flash(f"Reactivated {staff.email}: they can sign in again.")
    return _back_to(staff.id)


@bp.post("/staff/<int:staff_id>/password-link")
@requires(Role.OWNER)
def send_password_link(staff_id: int):
    """Email a new set-password link (the invitation again, or a reset); older unused links stop working."""
    staff, refusal = _account_change(staff_id, accounts.send_password_link)
    if refusal:
        return refusal
    flash(f"A set-password link was emailed to {staff.email}. It works once, for 48 hours.")
    return _back_to(staff.id)


def _account_change(staff_id: int, change):
    """An owner's change to an account that needs only the form's version: (the account, None), or (None, the
    page again: 422 for a bad form, or `_act`'s refusal)."""
    form = AccountForm()
    if not form.validate_on_submit():
        return None, _page(row_forms={staff_id: form}, status=422)
    return _act(staff_id, lambda: change(staff_id, version=form.version.data, by=_me()))


def _act(staff_id: int, change):
    """Run an owner change: (the account, None), or (None, the page again with the reason: 409 when another
    owner changed the account first, 422 when the change is refused)."""
    try:
        return change(), None
    except accounts.StaffNotFound:
        abort(404)
    except accounts.StaffChanged as exc:
        return None, _page(problem=str(exc), stale=True, status=409)
    except StaffError as exc:
        return None, _page(row_problems={staff_id: str(exc)}, status=422)


def _me():
    return current_user._get_current_object()


def _back_to(staff_id: int):
    return redirect(url_for("staff.index", _anchor=f"staff-{staff_id}"), 303)


def _page(invite_form=None, row_forms=None, row_problems=None, problem=None, stale=False, status=200):
    """The Staff page as the database has it now; a refused form's messages show on its account's row."""
    row_errors = {
        staff_id: [message for messages in form.errors.values() for message in messages]
        for staff_id, form in (row_forms or {}).items()
    }
    html = render_template(
        "staff/index.html",
        rows=accounts.staff_rows(),
        role_choices=ROLE_OPTIONS,
        row_errors=row_errors,
        row_problems=row_problems or {},
        invite_form=invite_form or InviteForm(formdata=None),
        problem=problem,
        stale=stale,
        owners=accounts.active_owner_count(),
        me=current_user.id,
    )
    return html, status


# ---------------------------------------------------------------- the emailed link (public)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
@limiter.limit("30 per minute", methods=["GET"])
def set_password(token: str):
    """Choose a password through an emailed link. Nobody is signed in by it: the person signs in next."""
    try:
        link = accounts.open_link(token)
    except accounts.LinkRefused as exc:
        return _refused(exc)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            staff = accounts.set_password_with_link(token, form.password.data)
        except accounts.LinkRefused as exc:
            return _refused(exc)
        except StaffError as exc:
            form.password.errors = [*form.password.errors, str(exc)]
        else:
            flash(f"Password set for {staff.email}. Sign in with it now.")
            return keep_private(redirect(url_for("backoffice.login"), 303))
    status = 422 if form.is_submitted() else 200
    html = render_template(
        "staff/set_password.html", form=form, link=link, staff=link.staff, min_length=MIN_PASSWORD_LENGTH
    )
    return keep_private(_response(html, status))


def _refused(exc: accounts.LinkRefused):
    status = 404 if exc.reason == "unknown" else 410
    html = render_template("staff/link_refused.html", message=str(exc), reason=exc.reason)
    return keep_private(_response(html, status))


def _response(html: str, status: int):
    return make_response(html, status)
