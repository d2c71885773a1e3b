"""Administration pages: staff accounts (add, disable, re-role) and the bin of deleted records."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from geo import project_editing
from geo.editing import deleted_parcels, restore_parcel
from geo.sessions import count_sessions
from geo.users import ROLES, create_user, list_users, sign_out_everywhere, update_user
from webmap.auth import admin_required, idle_timeout
from webmap.db import get_session

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _role_choices():
    names = {"viewer": _("Viewer"), "editor": _("Editor"), "admin": _("Administrator")}
    return [SelectChoice(r, names[r]) for r in ROLES]


class AddUserForm(FlaskForm):
    """A new account."""

    name = StringField("Account name")
    password = PasswordField("Password")
    role = SelectField("Role")


class UserForm(FlaskForm):
    """One account's role and disabled flag."""

    role = SelectField("Role")
    disabled = BooleanField("Disabled")


@bp.get("/users")
@admin_required
def users():
    """List the staff accounts."""
    add = AddUserForm()
    add.role.choices = _role_choices()
    forms, sessions = {}, {}
    for user in list_users(get_session()):
        sessions[user.name] = count_sessions(get_session(), user, idle_timeout())
        # One <form> per account, so no prefix: each posts only its own fields.
        form = UserForm(formdata=None, data={"role": user.role, "disabled": user.disabled})
        form.role.choices = _role_choices()
        forms[user.name] = (user, form)
    return render_template("users.html", add=add, forms=forms, sessions=sessions)


@bp.post("/users")
@admin_required
def add_user():
    """Add a staff account."""
    form = AddUserForm()
    form.role.choices = _role_choices()
    if form.validate_on_submit():
        create_user(get_session(), form.name.data, form.password.data, form.role.data,
                    acting=current_user.name)
        flash(_("Account %(name)s added.", name=form.name.data))
    return redirect(url_for("admin.users"))


@bp.post("/users/<name>")
@admin_required
def change_user(name: str):
    """Change an account's role or disable it."""
    form = UserForm()
    form.role.choices = _role_choices()
    if form.validate_on_submit():
        update_user(get_session(), name, role=form.role.data, disabled=form.disabled.data,
                    acting=current_user.name)
        flash(_("Account %(name)s changed.", name=name))
    return redirect(url_for("admin.users"))


@bp.post("/users/<name>/sign-out")
@admin_required
def sign_out_user(name: str):
    """End every session of an account (a lost laptop, a leaver)."""
    if FlaskForm().validate_on_submit():
        ended = sign_out_everywhere(get_session(), name, acting=current_user.name)
        flash(_("%(count)s sessions of %(name)s ended.", count=ended, name=name))
    return redirect(url_for("admin.users"))


@bp.get("/bin")
@admin_required
def bin_():
    """List the deleted parcels and projects."""
    session = get_session()
    return render_template("bin.html", parcels=deleted_parcels(session),
                           projects=project_editing.deleted_projects(session), form=FlaskForm())


@bp.post("/bin/<code>/restore")
@admin_required
def restore(code: str):
    """Take a parcel out of the bin."""
    if FlaskForm().validate_on_submit():
        restore_parcel(get_session(), code, current_user.name)
        flash(_("Parcel %(code)s restored.", code=code))
    return redirect(url_for("admin.bin_"))


@bp.post("/bin/projects/<code>/restore")
@admin_required
def restore_project(code: str):
    """Take a project out of the bin, back into the ledger."""
    if FlaskForm().validate_on_submit():
        project_editing.restore_project(get_session(), code, current_user.name)
        flash(_("Project %(code)s restored.", code=code))
    return redirect(url_for("admin.bin_"))
