"""JSON API for changing parcels and projects; a stale version answers 409 with both versions."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from geo import project_editing
from geo.audit import snapshot
from geo.editing import create_parcel, delete_parcel, parcel_history, update_parcel
from geo.errors import N_, GeoError
from webmap.auth import editor_required, may_see_the_bin
from webmap.db import get_session

bp = Blueprint("edit_api", __name__, url_prefix="/api")


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise GeoError(N_("The request body must be a JSON object."), field="body")
    return body


def _record_json(record) -> dict:
    return {"code": record.code, "version": record.version, "properties": snapshot(record)}


@bp.post("/parcels")
@editor_required
def create():
    """Add a parcel: {"values": {...}, "geometry": GeoJSON polygon}."""
    body = _body()
    parcel = create_parcel(get_session(), body.get("values") or {}, body.get("geometry"),
                           current_user.name)
    return jsonify(_record_json(parcel)), 201


@bp.patch("/parcels/<code>")
@editor_required
def update(code: str):
    """Change a parcel: {"version": n, "values": {...}, "geometry"?: GeoJSON}."""
    body = _body()
    parcel = update_parcel(get_session(), code, body.get("values") or {}, body.get("version"),
                           current_user.name, geometry=body.get("geometry"))
    return jsonify(_record_json(parcel))


@bp.delete("/parcels/<code>")
@editor_required
def delete(code: str):
    """Move a parcel to the bin: ?version=n."""
    delete_parcel(get_session(), code, request.args.get("version"), current_user.name)
    return "", 204


def _history_json(code: str, records) -> dict:
    return {"code": code, "history": [
        {"at": r.at.isoformat(), "user": r.user_name, "action": r.action, "version": r.version,
         "changes": r.changes, "geometry_before": r.geom_before, "geometry_after": r.geom_after,
         "note": r.note} for r in records]}


@bp.get("/parcels/<code>/history")
def history(code: str):
    """List a parcel's changes, newest first."""
    _parcel, records = parcel_history(get_session(), code, binned=may_see_the_bin())
    return jsonify(_history_json(code, records))


@bp.get("/projects/<code>/history")
def project_history(code: str):
    """List a project's changes (attributes, stage, bin), newest first."""
    _project, records = project_editing.project_history(get_session(), code,
                                                        binned=may_see_the_bin())
    return jsonify(_history_json(code, records))


@bp.patch("/projects/<code>")
@editor_required
def update_project(code: str):
    """Change a project's attributes; its stage moves only through transitions.
    ---
    patch:
      tags: [Ledger]
      summary: Change a project's attributes
      description: >-
        Send the version you read; a newer stored version answers 409 with both versions
        (``current``, ``submitted``). ``stage`` moves only through
        /api/projects/{code}/transitions. Needs an editor and the X-CSRFToken header.
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [version, values]
              properties:
                version: {type: integer}
                values: {$ref: '#/components/schemas/ProjectProperties'}
      responses:
        200:
          description: The project's code, new version and properties
          content:
            application/json: {schema: {type: object}}
        400:
          description: A value does not fit its field (the field is named)
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        409:
          description: Someone saved a newer version first
          content:
            application/json: {schema: {type: object}}
    """
    body = _body()
    values = body.get("values") or {}
    if not isinstance(values, dict):
        raise GeoError(N_("%(field)s must be a JSON object of field values."), field="values")
    project = project_editing.update_project(get_session(), code, values, body.get("version"),
                                             current_user.name)
    return jsonify(_record_json(project))
