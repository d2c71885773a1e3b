"""The OpenAPI document of /api (and /ogc), generated from the views with apispec.

A view is documented by YAML after ``---`` in its docstring (apispec's Flask plugin). A
blueprint that needs a schema registers it with ``register_schema`` at import time; property
schemas come from the data dictionary through ``geo.schema``.
"""

from __future__ import annotations

from collections.abc import Callable

from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import Blueprint, current_app, jsonify, render_template

from geo.fields import BUILDING_FIELDS, DERIVED_FIELDS, PARCEL_FIELDS, PROJECT_FIELDS
from geo.schema import object_schema

bp = Blueprint("openapi", __name__, url_prefix="/api")
DOCUMENTED = ("/api/", "/ogc", "/export/", "/tiles/")
_SCHEMAS: dict[str, Callable[[], dict]] = {}
_PATHS: dict[str, dict] = {}


def register_schema(name: str, schema: dict | Callable[[], dict]) -> None:
    """Add a component schema, referred to as ``#/components/schemas/<name>``."""
    _SCHEMAS[name] = schema if callable(schema) else (lambda: schema)


def register_paths(paths: dict[str, dict]) -> None:
    """Add paths written as OpenAPI objects ({path: {method: operation}}) to the document."""
    _PATHS.update(paths)


def _feature(properties: str) -> dict:
    return {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string", "description": "parcel or project code"},
        "geometry": {"type": "object", "nullable": True,
                     "description": "GeoJSON geometry, lon/lat (RFC 7946)"},
        "properties": {"$ref": f"#/components/schemas/{properties}"}}}


def parcel_properties() -> dict:
    """Return the schema of a parcel's properties: its fields, the derived ones, buildings."""
    return object_schema(
        PARCEL_FIELDS, **object_schema(DERIVED_FIELDS)["properties"],
        buildings={"type": "array", "items": object_schema(BUILDING_FIELDS)})


def project_properties() -> dict:
    """Return the schema of a project's properties: its fields, extra and version."""
    return object_schema(PROJECT_FIELDS, **object_schema(DERIVED_FIELDS[2:])["properties"])


def closed(schema: dict) -> dict:
    """Return an object schema as a request's part: any subset of its keys, and no other.

    What a client read may be sent back whole; read-only fields are then left as they are.
    """
    schema = {k: v for k, v in schema.items() if k != "required"}
    return {**schema, "additionalProperties": False}


register_schema("ParcelProperties", parcel_properties)
register_schema("ProjectProperties", project_properties)
register_schema("ParcelFeature", lambda: _feature("ParcelProperties"))
register_schema("ProjectFeature", lambda: _feature("ProjectProperties"))
register_schema("FeatureCollection", {"type": "object", "properties": {
    "type": {"type": "string", "enum": ["FeatureCollection"]},
    "features": {"type": "array", "items": {"oneOf": [
        {"$ref": "#/components/schemas/ParcelFeature"},
        {"$ref": "#/components/schemas/ProjectFeature"}]}},
    "numberMatched": {"type": "integer"}, "numberReturned": {"type": "integer"},
    "links": {"type": "array", "items": {"type": "object"}}}})
register_schema("Error", {"type": "object", "properties": {"error": {
    "type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "field": {"type": "string"}}}}})


def components() -> dict[str, dict]:
    """Return every registered schema by name, as in the document's components/schemas."""
    return {name: schema() for name, schema in sorted(_SCHEMAS.items())}


def build_spec() -> dict:
    """Return the OpenAPI 3.0 document of every documented view of the current app."""
    spec = APISpec(title="LandMatch API", version="1", openapi_version="3.0.3",
                   plugins=[FlaskPlugin()], info={
                       "description": "The county land register: parcels, projects, exports "
                                      "and OGC API – Features. GeoJSON is RFC 7946 (lon/lat)."})
    for name, schema in components().items():
        spec.components.schema(name, schema)
    seen = set()
    app = current_app._get_current_object()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        if (rule.endpoint in seen or not rule.rule.startswith(DOCUMENTED) or view is None
                or "---" not in (view.__doc__ or "")):
            continue
        seen.add(rule.endpoint)
        spec.path(view=view, app=app)
    document = spec.to_dict()
    # Flask's apispec plugin reads only views' docstrings; these paths come ready-made.
    document["paths"].update(_PATHS)
    return document


@bp.get("/openapi.json")
def document():
    """Show the OpenAPI document of this API."""
    return jsonify(build_spec())


@bp.get("/docs")
def docs():
    """Show the API documentation (Swagger UI, served from static/)."""
    return render_template("api_docs.html")
