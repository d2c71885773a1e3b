"""The OpenAPI document of /api (and /ogc), generated from the views with apispec.

A view is documented by YAML after ``---`` in its docstring (apispec's Flask plugin). A
blueprint that needs a schema registers it with ``register_schema`` at import time; property
schemas come from the data dictionary through ``geo.schema``.
"""

from __future__ import annotations

from collections.abc import Callable

from apispec import APISpec
from apispec.yaml_utils import load_operations_from_docstring
from apispec_webframeworks.flask import FlaskPlugin
from flask import Blueprint, current_app, jsonify, render_template

from geo.fields import BUILDING_FIELDS, DERIVED_FIELDS, PARCEL_FIELDS, PROJECT_FIELDS
from geo.schema import object_schema
from webmap.openapi_layers import layer_paths

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


def closed(schema: dict, partial: bool = True) -> dict:
    """Return an object schema as a request's part: no key but its own; with ``partial``
    any subset of them (a change names only what it changes).

    What a client read may be sent back whole; read-only fields are then left as they are.
    """
    schema = {k: v for k, v in schema.items() if not (partial and k == "required")}
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
register_schema("Availability", {"type": "object", "required": ["offerable", "reason"],
                                 "properties": {
    "offerable": {"type": "boolean", "description": "can be offered to a new project now"},
    "reason": {"type": "string", "description": "why, in the user's language"},
    "project": {"type": "string", "nullable": True,
                "description": "code of the project holding the parcel"}}})
register_schema("Error", {"type": "object", "properties": {"error": {
    "type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "field": {"type": "string"}}}}})


def components() -> dict[str, dict]:
    """Return every registered schema by name, as in the document's components/schemas."""
    return {name: schema() for name, schema in sorted(_SCHEMAS.items())}


def build_spec() -> dict:
    """Return the OpenAPI 3.0 document of every documented view of the current app.

    Each URL rule under DOCUMENTED is a path, its operations read from the view's docstring
    (YAML after ``---``); an operation marked ``x-per-layer`` becomes one path per map layer,
    with that layer's filters (see ``layer_paths``).
    """
    spec = APISpec(title="LandMatch API", version="1", openapi_version="3.0.3", info={
        "description": "The county land register: parcels, projects, exports "
                       "and OGC API – Features. GeoJSON is RFC 7946 (lon/lat)."})
    for name, schema in components().items():
        spec.components.schema(name, schema)
    app = current_app._get_current_object()
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if not rule.rule.startswith(DOCUMENTED) or view is None:
            continue
        operations = load_operations_from_docstring(view.__doc__ or "")
        path = FlaskPlugin.flaskpath2openapi(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() in operations:
                paths.setdefault(path, {})[method.lower()] = operations[method.lower()]
    # Paths written as OpenAPI objects by the blueprints that register them.
    paths.update(_PATHS)
    for path, operations in sorted(layer_paths(paths).items()):
        for method, operation in operations.items():
            _common_responses(method, operation)
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _common_responses(method: str, operation: dict) -> None:
    """Add the answers every operation may give, so no status code is undocumented.

    Any read is 401 where reading needs an account (LANDMATCH_PUBLIC_READ=false); a write is
    401 without an account, 403 without the role, 409 when it meets a newer version, a code
    already taken or land another project holds, and 503 while another write holds a SQLite
    register (webmap/errors.py).
    """
    responses = operation.setdefault("responses", {})
    responses.setdefault(401, _error("Sign in first (reading, or this write, needs an account)"))
    if method in ("post", "patch", "put", "delete") and "security" not in operation:
        responses.setdefault(403, _error("The account's role does not allow this"))
        responses.setdefault(409, _error("A newer version, a code already taken, or land "
                                         "another project holds; the error says which"))
        responses.setdefault(503, _error("Another write holds the register; retry after the "
                                         "Retry-After header's seconds"))


@bp.get("/openapi.json")
def document():
    """Show the OpenAPI document of this API.
    ---
    get:
      tags: [API]
      summary: This document (OpenAPI 3.0)
      responses:
        200: {description: The OpenAPI document, content: {application/json: {}}}
    """
    return jsonify(build_spec())


@bp.get("/docs")
def docs():
    """Show the API documentation (Swagger UI, served from static/).
    ---
    get:
      tags: [API]
      summary: This document, readable (Swagger UI)
      responses:
        200: {description: An HTML page, content: {text/html: {}}}
    """
    return render_template("api_docs.html")
