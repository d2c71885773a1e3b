"""JSON API for changing parcels and projects; a stale version answers 409 with both versions."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from geo import project_editing
from geo.audit import snapshot
from geo.editing import create_parcel, delete_parcel, parcel_history, update_parcel
from geo.parcel_checks import place_warnings
from webmap.auth import editor_required, may_see_the_bin
from webmap.boundaries import register_places
from webmap.db import get_session
from webmap.errors import translate
from webmap.inputs import ENVELOPE, MAX_INT, json_body
from webmap.openapi import (
    closed,
    components,
    parcel_properties,
    project_properties,
    register_schema,
)

bp = Blueprint("edit_api", __name__, url_prefix="/api")

_REF = "#/components/schemas/"
VERSION = {"type": "integer", "minimum": 1, "maximum": MAX_INT,
           "description": "the version the change was based on (409 when it is not the stored one)"}
register_schema("ParcelValues", lambda: closed(parcel_properties()))
register_schema("NewParcelValues", lambda: closed(parcel_properties(), partial=False))
register_schema("ProjectValues", lambda: closed(project_properties()))
register_schema("Polygon", {
    "type": "object", "required": ["type", "coordinates"], "additionalProperties": False,
    "description": "GeoJSON Polygon or MultiPolygon, lon/lat (EPSG:4490), valid, inside the "
                   "county",
    "properties": {"type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
                   "coordinates": {"type": "array", "minItems": 1, "items": {"type": "array"}},
                   "bbox": {"type": "array", "items": {"type": "number"}},
                   # What the PostGIS reads write (the old GeoJSON member): taken, ignored.
                   "crs": {"type": "object"}}})
register_schema("Record", {
    "type": "object", "required": ["code", "version", "properties"], "properties": {
        "code": {"type": "string"}, "version": {"type": "integer"},
        "properties": {"type": "object"},
        "warnings": {"type": "array", "items": {"type": "string"},
                     "description": "what was saved but looks wrong (a town or park the "
                                    "shape does not lie in), in the user's language"}}})
register_schema("Conflict", {
    "type": "object", "required": ["error", "current", "submitted"], "properties": {
        "error": {"type": "object", "required": ["code", "message"]},
        "current": {"type": "object", "description": "the stored version"},
        "submitted": {"type": "object", "description": "what was sent"}}})
register_schema("History", {
    "type": "object", "required": ["code", "history"], "properties": {
        "code": {"type": "string"}, "history": {"type": "array", "items": {
            "type": "object", "properties": {
                "at": {"type": "string", "description": "ISO 8601 date and time"},
                "user": {"type": "string"}, "action": {"type": "string"},
                "version": {"type": "integer", "nullable": True},
                "changes": {"type": "object", "nullable": True},
                "geometry_before": {"type": "string", "nullable": True,
                                    "description": "GeoJSON geometry, as text"},
                "geometry_after": {"type": "string", "nullable": True,
                                   "description": "GeoJSON geometry, as text"},
                "note": {"type": "string", "nullable": True}}}}}})
CONFIRM_OVERLAP = {
    "type": "boolean", "default": False,
    "description": "save a shape that overlaps another live parcel (without it: 409 overlap)"}
register_schema("NewParcel", {
    "type": "object", "required": ["values", "geometry"], "additionalProperties": False,
    ENVELOPE: True,
    "properties": {"values": {"$ref": _REF + "NewParcelValues"},
                   "geometry": {"$ref": _REF + "Polygon"},
                   "confirm_overlap": CONFIRM_OVERLAP}})
register_schema("ParcelChange", {
    "type": "object", "required": ["version"], "additionalProperties": False, ENVELOPE: True,
    "anyOf": [{"required": ["values"]}, {"required": ["geometry"]}],
    "properties": {"version": VERSION, "values": {"$ref": _REF + "ParcelValues"},
                   "geometry": {"$ref": _REF + "Polygon"},
                   "confirm_overlap": CONFIRM_OVERLAP}})
register_schema("Overlap", {
    "type": "object", "required": ["error", "overlaps"], "properties": {
        "error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "enum": ["overlap"]}, "message": {"type": "string"},
            "field": {"type": "string"}}},
        "overlaps": {"type": "array", "items": {
            "type": "object", "required": ["code", "area_m2"], "properties": {
                "code": {"type": "string"},
                "area_m2": {"type": "number", "description": "area in common, m²"}}}}}})
register_schema("ProjectChange", {
    "type": "object", "required": ["version", "values"], "additionalProperties": False,
    ENVELOPE: True,
    "properties": {"version": VERSION, "values": {"$ref": _REF + "ProjectValues"}}})


def _body(schema: str) -> dict:
    return json_body(schema, components)


def _record_json(record, found=None) -> dict:
    answer = {"code": record.code, "version": record.version, "properties": snapshot(record)}
    if found is not None:
        answer["warnings"] = [translate(m, p["field"], p) for m, p in place_warnings(found, record)]
    return answer


@bp.post("/parcels")
@editor_required
def create():
    """Add a parcel: {"values": {...}, "geometry": GeoJSON polygon}.
    ---
    post:
      tags: [Register]
      summary: Add a parcel
      description: Needs an editor and the X-CSRFToken header. The area comes from the shape.
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/NewParcel'}}
      responses:
        201:
          description: The parcel's code, version and properties
          content:
            application/json: {schema: {$ref: '#/components/schemas/Record'}}
        400:
          description: A value is refused, or an unknown key was sent; the error names the field
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        409:
          description: >-
            ``duplicate``: the code is taken; ``overlap``: the shape overlaps other live
            parcels (listed in ``overlaps``), send ``confirm_overlap: true`` to save it anyway
          content:
            application/json:
              schema:
                anyOf:
                - {$ref: '#/components/schemas/Error'}
                - {$ref: '#/components/schemas/Overlap'}
    """
    body = _body("NewParcel")
    found = register_places()
    parcel = create_parcel(get_session(), body.get("values") or {}, body.get("geometry"),
                           current_user.name, places=found,
                           confirm_overlap=bool(body.get("confirm_overlap")))
    return jsonify(_record_json(parcel, found)), 201


@bp.patch("/parcels/<code>")
@editor_required
def update(code: str):
    """Change a parcel: {"version": n, "values": {...}, "geometry"?: GeoJSON}.
    ---
    patch:
      tags: [Register]
      summary: Change a parcel's attributes or shape
      description: >-
        Send the version you read; a newer stored version answers 409 with both versions.
        Needs an editor and the X-CSRFToken header.
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/ParcelChange'}}
      responses:
        200:
          description: The parcel's code, new version and properties
          content:
            application/json: {schema: {$ref: '#/components/schemas/Record'}}
        400:
          description: A value is refused, or an unknown key was sent; the error names the field
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        404:
          description: No such parcel
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        409:
          description: >-
            ``conflict``: someone saved a newer version first, both versions are in the
            answer; ``overlap``: the new shape overlaps other live parcels (listed in
            ``overlaps``), send ``confirm_overlap: true`` to save it anyway
          content:
            application/json:
              schema:
                anyOf:
                - {$ref: '#/components/schemas/Conflict'}
                - {$ref: '#/components/schemas/Overlap'}
    """
    body = _body("ParcelChange")
    found = register_places()
    parcel = update_parcel(get_session(), code, body.get("values") or {}, body.get("version"),
                           current_user.name, geometry=body.get("geometry"), places=found,
                           confirm_overlap=bool(body.get("confirm_overlap")))
    return jsonify(_record_json(parcel, found))


@bp.delete("/parcels/<code>")
@editor_required
def delete(code: str):
    """Move a parcel to the bin: ?version=n.
    ---
    delete:
      tags: [Register]
      summary: Move a parcel to the bin (an admin can restore it)
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      - {name: version, in: query, required: true, schema: {type: integer, minimum: 1}}
      responses:
        204: {description: In the bin}
        400:
          description: A value is refused, or an unknown key was sent; the error names the field
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        404:
          description: No such parcel
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        409:
          description: "Someone saved a newer version first; both versions are in the answer"
          content:
            application/json: {schema: {$ref: '#/components/schemas/Conflict'}}
    """
    delete_parcel(get_session(), code, request.args.get("version"), current_user.name)
    return "", 204


def _history_json(code: str, records) -> dict:
    return {"code": code, "history": [
        {"at": r.at.isoformat(), "user": r.user_name, "action": r.action, "version": r.version,
         "changes": r.changes, "geometry_before": r.geom_before, "geometry_after": r.geom_after,
         "note": r.note} for r in records]}


@bp.get("/parcels/<code>/history")
def history(code: str):
    """List a parcel's changes, newest first.
    ---
    get:
      tags: [Register]
      summary: A parcel's history
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: Every change, newest first
          content:
            application/json: {schema: {$ref: '#/components/schemas/History'}}
        404:
          description: No such parcel
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    _parcel, records = parcel_history(get_session(), code, binned=may_see_the_bin())
    return jsonify(_history_json(code, records))


@bp.get("/projects/<code>/history")
def project_history(code: str):
    """List a project's changes (attributes, stage, bin), newest first.
    ---
    get:
      tags: [Ledger]
      summary: A project's history
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: Every change, newest first
          content:
            application/json: {schema: {$ref: '#/components/schemas/History'}}
        404:
          description: No such project
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
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
          application/json: {schema: {$ref: '#/components/schemas/ProjectChange'}}
      responses:
        200:
          description: The project's code, new version and properties
          content:
            application/json: {schema: {$ref: '#/components/schemas/Record'}}
        400:
          description: A value is refused, or an unknown key was sent; the error names the field
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        404:
          description: No such project
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        409:
          description: "Someone saved a newer version first; both versions are in the answer"
          content:
            application/json: {schema: {$ref: '#/components/schemas/Conflict'}}
    """
    body = _body("ProjectChange")
    values = body.get("values") or {}
    project = project_editing.update_project(get_session(), code, values, body.get("version"),
                                             current_user.name, places=register_places())
    return jsonify(_record_json(project))
