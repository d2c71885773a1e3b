"""Pages that change a key project's own attributes, move it to the bin, and show its history."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from geo.audit import snapshot
from geo.errors import Conflict, GeoError
from geo.lifecycle import get_project
from geo.project_editing import delete_project, project_history, update_project
from webmap.auth import editor_required, may_see_the_bin
from webmap.boundaries import register_places
from webmap.db import get_session
from webmap.errors import user_message
from webmap.forms import (
    VersionForm,
    conflict_rows,
    dictionary_values,
    labels,
    project_form,
    required_names,
)
from webmap.history import action_label, history_rows

bp = Blueprint("project_editing", __name__)


def _edit_page(project, form, status: int = 200, conflict: Conflict | None = None):
    return render_template(
        "project_edit.html", project=project, form=form,
        delete=VersionForm(version=project.version),
        conflict=conflict_rows(conflict, "project") if conflict else None,
        conflict_message=user_message(conflict) if conflict else None,
        required=required_names("project"),
    ), status


@bp.route("/projects/<code>/edit", methods=["GET", "POST"])
@editor_required
def edit(code: str):
    """Edit a project's own attributes (its stage moves on the project page)."""
    session = get_session()
    project = get_project(session, code)
    found = register_places()
    stored = {**snapshot(project), "version": project.version}
    if request.method == "GET":
        return _edit_page(project, project_form(found, data=stored))
    form = project_form(found, current=stored)  # a field not sent is blank, not the stored
    if not form.validate_on_submit():
        return _edit_page(project, form, 400)
    try:
        update_project(session, code, dictionary_values(form), form.version.data,
                       current_user.name, places=found)
    except Conflict as error:
        session.rollback()
        project = get_project(session, code)
        form.version.data = project.version  # saving again now means "mine over theirs"
        return _edit_page(project, form, 409, error)
    except GeoError as error:
        session.rollback()
        flash(user_message(error))
        return _edit_page(get_project(session, code), form, error.status)
    flash(_("Saved."))
    return redirect(url_for("ledger.project", code=code))


@bp.post("/projects/<code>/delete")
@editor_required
def delete(code: str):
    """Move a project to the bin."""
    form = VersionForm()
    if form.validate_on_submit():
        delete_project(get_session(), code, form.version.data, current_user.name)
        flash(_("Moved to the bin; an administrator can restore it."))
    return redirect(url_for("ledger.projects"))


@bp.get("/projects/<code>/history")
def history(code: str):
    """Show every change of a project: who, when, which fields, before and after."""
    project, records = project_history(get_session(), code, binned=may_see_the_bin())
    back = None if project.deleted_at else url_for("ledger.project", code=code)
    return render_template("history.html", item=project,
                           rows=history_rows(records, "project", labels("project"),
                                             project.version),
                           action_deleted=action_label("delete"),
                           form=VersionForm(version=project.version),
                           restore_endpoint=None, back=back)
