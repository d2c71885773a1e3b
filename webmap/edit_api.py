"""JSON API for changing parcels; a stale version answers 409 with both versions."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from geo.audit import snapshot
from geo.editing import create_parcel, delete_parcel, parcel_history, update_parcel
from geo.errors import N_, Conflict, GeoError
from webmap.auth import editor_required
from webmap.db import get_session
from webmap.errors import user_message

bp = Blueprint("edit_api", __name__, url_prefix="/api")


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise GeoError(N_("The request body must be a JSON object."), field="body")
    return body


def _parcel_json(parcel) -> dict:
    return {"code": parcel.code, "version": parcel.version, "properties": snapshot(parcel)}


@bp.errorhandler(Conflict)
def conflict(error: Conflict):
    """Answer 409 with the stored version and the submitted one, so the client can redo."""
    return jsonify({"error": {"code": error.code, "message": user_message(error),
                              "field": error.field},
                    "current": error.current, "submitted": error.submitted}), 409


@bp.post("/parcels")
@editor_required
def create():
    """Add a parcel: {"values": {...}, "geometry": GeoJSON polygon}."""
    body = _body()
    parcel = create_parcel(get_session(), body.get("values") or {}, body.get("geometry"),
                           current_user.name)
    return jsonify(_parcel_json(parcel)), 201


@bp.patch("/parcels/<code>")
@editor_required
def update(code: str):
    """Change a parcel: {"version": n, "values": {...}, "geometry"?: GeoJSON}."""
    body = _body()
    parcel = update_parcel(get_session(), code, body.get("values") or {}, body.get("version"),
                           current_user.name, geometry=body.get("geometry"))
    return jsonify(_parcel_json(parcel))


@bp.delete("/parcels/<code>")
@editor_required
def delete(code: str):
    """Move a parcel to the bin: ?version=n."""
    delete_parcel(get_session(), code, request.args.get("version"), current_user.name)
    return "", 204


@bp.get("/parcels/<code>/history")
def history(code: str):
    """List a parcel's changes, newest first."""
    _parcel, records = parcel_history(get_session(), code)
    return jsonify({"code": code, "history": [
        {"at": r.at.isoformat(), "user": r.user_name, "action": r.action, "version": r.version,
         "changes": r.changes, "geometry_before": r.geom_before, "geometry_after": r.geom_after,
         "note": r.note} for r in records]})
