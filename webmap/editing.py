"""Pages that change parcels: edit attributes and shape, draw new, split, merge, delete, history."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from geo.audit import geometry_json, snapshot
from geo.editing import (
    create_parcel,
    delete_parcel,
    get_parcel,
    merge_parcels,
    parcel_history,
    restore_version,
    set_buildings,
    split_parcel,
    update_parcel,
)
from geo.errors import Conflict, GeoError
from geo.geometry import from_db
from geo.parcel_checks import Overlap, place_warnings
from geo.places import PARCEL_FIELD, Places
from webmap.auth import editor_required, may_see_the_bin
from webmap.boundaries import register_places
from webmap.db import get_session
from webmap.errors import translate, user_message
from webmap.forms import (
    BuildingsForm,
    MergeForm,
    SplitForm,
    VersionForm,
    building_forms,
    building_rows,
    conflict_rows,
    dictionary_values,
    labels,
    parcel_form,
    required_names,
)
from webmap.history import action_label, history_rows

bp = Blueprint("editing", __name__)


def _edit_page(parcel, form, status: int = 200, conflict: Conflict | None = None,
               overlap: Overlap | None = None, found: Places | None = None):
    current = snapshot(parcel)["buildings"]
    found = found or register_places()
    return render_template(
        "edit.html", parcel=parcel, form=form, mode="edit",
        geometry=form.geometry.data or geometry_json(parcel),
        buildings=building_forms(len(current) + 1, current),
        buildings_form=BuildingsForm(version=parcel.version, rows=len(current) + 1),
        merge=MergeForm(version=parcel.version), delete=VersionForm(version=parcel.version),
        conflict=conflict_rows(conflict) if conflict else None,
        conflict_message=user_message(conflict) if conflict else None,
        overlap=user_message(overlap) if overlap else None, required=required_names(),
        derived=_derived(found, from_db(parcel.geom)),
        place_warnings=[translate(m, p["field"], p) for m, p in place_warnings(found, parcel)],
    ), status


def _derived(found: Places, geom) -> dict[str, str]:
    """Return the town and park the shape lies in, by field name (shown beside the fields)."""
    return {name: found.locate(geom, kind) or "—" for kind, name in PARCEL_FIELD.items()}


def _flash_warnings(found: Places, parcel) -> None:
    for message, params in place_warnings(found, parcel):
        flash(translate(message, params["field"], params))


@bp.route("/parcels/<code>/edit", methods=["GET", "POST"])
@editor_required
def edit(code: str):
    """Edit a parcel's attributes and reshape it on the map."""
    session = get_session()
    parcel = get_parcel(session, code)
    found = register_places()
    layer = request.form.get("layer") or parcel.layer
    stored = {**snapshot(parcel), "version": parcel.version}
    if request.method == "GET":
        form = parcel_form(layer, places=found, data=stored)
        return _edit_page(parcel, form, found=found)
    form = parcel_form(layer, places=found, current=stored)  # a field not sent is blank
    if not form.validate_on_submit():
        return _edit_page(parcel, form, 400, found=found)
    try:
        parcel = update_parcel(session, code, dictionary_values(form), form.version.data,
                               current_user.name, geometry=form.geometry.data or None,
                               places=found, confirm_overlap=form.confirm_overlap.data == "1")
    except Conflict as error:
        session.rollback()
        parcel = get_parcel(session, code)
        form.version.data = parcel.version  # saving again now means "mine over theirs"
        return _edit_page(parcel, form, 409, error, found=found)
    except Overlap as error:
        session.rollback()
        return _edit_page(get_parcel(session, code), form, error.status, overlap=error,
                          found=found)
    except GeoError as error:
        session.rollback()
        flash(user_message(error))
        return _edit_page(get_parcel(session, code), form, error.status, found=found)
    flash(_("Saved."))
    _flash_warnings(found, parcel)
    return redirect(url_for("editing.edit", code=code))


@bp.post("/parcels/<code>/buildings")
@editor_required
def buildings(code: str):
    """Save a parcel's factory buildings (a blank row is dropped, a cleared row removed)."""
    form = BuildingsForm()
    if form.validate_on_submit():
        count = min(int(form.rows.data or 0), 200) if (form.rows.data or "").isdigit() else 0
        rows = building_rows(building_forms(count, formdata=request.form))
        set_buildings(get_session(), code, rows, form.version.data, current_user.name)
        flash(_("Saved."))
    return redirect(url_for("editing.edit", code=code))


@bp.route("/parcels/new", methods=["GET", "POST"])
@editor_required
def new():
    """Draw a new parcel on the map and fill in its attributes."""
    layer = request.values.get("layer") if request.values.get("layer") in ("idle",
                                                                           "stock") else "stock"
    found = register_places()
    form = parcel_form(layer, new=True, places=found, data={"layer": layer})
    status, overlap = 200, None
    if form.validate_on_submit():
        try:
            parcel = create_parcel(get_session(), dictionary_values(form), form.geometry.data,
                                   current_user.name, places=found,
                                   confirm_overlap=form.confirm_overlap.data == "1")
        except Overlap as error:
            get_session().rollback()
            overlap, status = user_message(error), error.status
        except GeoError as error:
            get_session().rollback()
            flash(user_message(error))
            status = error.status
        else:
            flash(_("Saved."))
            _flash_warnings(found, parcel)
            return redirect(url_for("editing.edit", code=parcel.code))
    elif request.method == "POST":
        status = 400
    return render_template("edit.html", parcel=None, form=form, mode="new",
                           geometry=form.geometry.data or None, layer=layer, overlap=overlap,
                           required=required_names(), derived={}, place_warnings=[]), status


@bp.route("/parcels/<code>/split", methods=["GET", "POST"])
@editor_required
def split(code: str):
    """Split a parcel along a line drawn across it."""
    session = get_session()
    parcel = get_parcel(session, code)
    form = SplitForm(version=parcel.version)
    status = 200
    if form.validate_on_submit():
        try:
            pieces = split_parcel(session, code, form.line.data, form.version.data,
                                  current_user.name)
        except GeoError as error:
            session.rollback()
            flash(user_message(error))
            status = error.status
            parcel = get_parcel(session, code)
        else:
            flash(_("Split into %(codes)s.", codes="、".join(p.code for p in pieces)))
            return redirect(url_for("editing.edit", code=code))
    return render_template("edit.html", parcel=parcel, form=form, mode="split",
                           geometry=geometry_json(parcel)), status


@bp.post("/parcels/<code>/merge")
@editor_required
def merge(code: str):
    """Merge a neighbouring parcel into this one."""
    form = MergeForm()
    if form.validate_on_submit():
        merge_parcels(get_session(), code, (form.other.data or "").strip(), form.version.data,
                      None, current_user.name)
        flash(_("Merged."))
    return redirect(url_for("editing.edit", code=code))


@bp.post("/parcels/<code>/delete")
@editor_required
def delete(code: str):
    """Move a parcel to the bin."""
    form = VersionForm()
    if form.validate_on_submit():
        delete_parcel(get_session(), code, form.version.data, current_user.name)
        flash(_("Moved to the bin; an administrator can restore it."))
    return redirect(url_for("pages.index"))


@bp.get("/parcels/<code>/history")
def history(code: str):
    """Show every change of a parcel: who, when, which fields, before and after."""
    parcel, records = parcel_history(get_session(), code, binned=may_see_the_bin())
    return render_template("history.html", item=parcel,
                           rows=history_rows(records, "parcel", labels(), parcel.version),
                           action_deleted=action_label("delete"),
                           form=VersionForm(version=parcel.version),
                           restore_endpoint="editing.restore")


@bp.post("/parcels/<code>/restore-version/<int:version>")
@editor_required
def restore(code: str, version: int):
    """Bring a parcel back to an earlier version (a new version, audited)."""
    form = VersionForm()
    if form.validate_on_submit():
        restore_version(get_session(), code, version, form.version.data, current_user.name)
        flash(_("Version %(version)s restored.", version=version))
    return redirect(url_for("editing.history", code=code))
