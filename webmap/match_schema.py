"""JSON Schemas of POST /api/match, derived from the data dictionary, for the OpenAPI document."""

from __future__ import annotations

from dataclasses import replace

from flask import current_app, has_app_context

from geo.boundaries import places
from geo.county import load_county
from geo.field_types import choices_of
from geo.fields import NEEDS_FIELDS, Field
from geo.reference import industry_codes
from geo.schema import field_schema, filter_schema
from webmap.db import get_session

_LISTS = ("towns", "parks", "layers")


def _places(f: Field) -> Field:
    """Return the towns or parks field as a choice of the configured county's names, so the
    document says which names the match takes (another is refused with 422)."""
    county = load_county(current_app.config["COUNTY"]) if has_app_context() else load_county()
    # the bureau's own outlines once loaded (geo/boundaries.py)
    found = places(get_session(), county) if has_app_context() else county
    names = [p.name for p in (found.towns if f.name == "towns" else found.parks)]
    return replace(f, kind="choice", choices=choices_of(*((n, n, n) for n in names)))


def _property(f: Field) -> dict:
    schema = field_schema(f)
    if f.name in ("towns", "parks"):
        f = _places(f)
        schema = {"oneOf": [{"type": "array", "items": {
                      "type": "string", "enum": [c.value for c in f.choices]}},
                            {**filter_schema(f), "description": "comma-separated"}],
                  "title": f.en, "description": f.zh}
    elif f.name in _LISTS:
        schema = {"oneOf": [{"type": "array", "items": {"type": "string"}},
                            {**filter_schema(f), "description": "comma-separated"}],
                  "title": f.en, "description": f.zh}
    if f.name == "layers":
        schema["oneOf"][0]["items"]["enum"] = [c.value for c in f.choices]
    if f.name == "industry":  # a GB/T 4754 division, then up to three more digits
        divisions = "|".join(sorted(industry_codes()))
        schema["pattern"] = f"^(?:{divisions})[0-9]{{0,{f.max_length - 2}}}$"
    return schema


def needs_schema() -> dict:
    """Return the JSON Schema of a project's needs (the request body of POST /api/match)."""
    return {
        "type": "object",
        "properties": {f.name: _property(f) for f in NEEDS_FIELDS},
        "required": [f.name for f in NEEDS_FIELDS if f.required],
        "additionalProperties": False,
        "anyOf": [{"required": [name], "properties": {name: {"type": "number"}}}
                  for name in ("area_min_mu", "factory_floor_area_m2")],
        "description": "Either area_min_mu (with optional area_max_mu, not below it) or "
                       "factory_floor_area_m2 is needed; lon and lat come together, and "
                       "max_distance_km needs them. The needs may also be wrapped as "
                       '{"needs": {...}}.',
    }


def request_schema() -> dict:
    """Return the JSON Schema of a match request: the needs, or ``{"needs": {...}}``."""
    return {"oneOf": [{"$ref": "#/components/schemas/MatchNeeds"}, {
        "type": "object", "required": ["needs"], "additionalProperties": False,
        "properties": {"needs": {"$ref": "#/components/schemas/MatchNeeds"}}}]}


CHECK_SCHEMA = {
    "type": "object",
    "required": ["name", "passed", "value", "threshold", "unit", "source", "message"],
    "properties": {
        "name": {"type": "string", "description": "status, land_use, area, planning_plot_ratio, "
                 "capacity_<pollutant>, power, water, gas, rail, distance, "
                 "investment_intensity, plot_ratio, building_coefficient, office_share, "
                 "green_ratio"},
        "label": {"type": "string"},
        "passed": {"type": "boolean"},
        "value": {},
        "threshold": {"description": "a number, a [min, max] range, a list or null"},
        "unit": {"type": "string", "nullable": True},
        "source": {"type": "string"},
        "message": {"type": "string"},
        "confirmed": {"type": "boolean", "description": "false when the rule is not confirmed"},
        "severity": {"type": "string", "enum": ["ok", "warning", "error"],
                     "description": "ok: passed; error: failed, the parcel is ruled out; "
                     "warning: failed a rule that is not confirmed, shown but never ruling "
                     "the parcel out"},
        "edition": {"type": "string", "nullable": True,
                    "description": "edition of the control-indicator rule that decided "
                    "(indicator checks), e.g. 2008 or 2023"},
        "rule_set": {"type": "string", "nullable": True,
                     "description": "the rule set (file in data/indicators/) of that rule"},
    },
}

RULE_SET_SCHEMA = {
    "type": "object",
    "required": ["on", "editions", "sets"],
    "properties": {
        "on": {"type": "string", "format": "date",
               "description": "the date whose rules in force judged the match (needs.on, "
               "else today)"},
        "editions": {"type": "array", "items": {"type": "string"},
                     "description": "editions of the rule sets in force on that date"},
        "sets": {"type": "array", "items": {
            "type": "object", "required": ["name", "edition", "confirmed"],
            "properties": {
                "name": {"type": "string"}, "edition": {"type": "string"},
                "documents": {"type": "array", "items": {"type": "string"}},
                "region": {"type": "string",
                           "description": "CN, or the administrative code prefix it covers"},
                "effective_from": {"type": "string", "format": "date", "nullable": True},
                "effective_to": {"type": "string", "format": "date", "nullable": True},
                "scope": {"type": "array", "items": {"type": "string"},
                          "description": "GB/T 4754 divisions the rules are written for"},
                "sources": {"type": "array", "items": {"type": "string"}},
                "confirmed": {"type": "boolean"}}}},
        "region_class": {"type": "object", "properties": {
            "land_grade": {"type": "integer", "nullable": True},
            "class": {"type": "string", "nullable": True},
            "confirmed": {"type": "boolean"}, "text": {"type": "string"}}},
    },
}


RELAX_SCHEMA = {
    "type": "object",
    "required": ["check", "field", "direction", "to", "message"],
    "properties": {
        "check": {"type": "string", "description": "the check that failed"},
        "field": {"type": "string", "description": "the needs field to change"},
        "label": {"type": "string"},
        "direction": {"type": "string", "enum": ["lower", "raise", "drop"]},
        "to": {"type": "number", "nullable": True,
               "description": "the field's new value (null: no longer require it)"},
        "unit": {"type": "string", "nullable": True},
        "message": {"type": "string", "description": "e.g. 用地面积下限降到 31 亩：6 块"},
        "parcels": {"type": "integer",
                    "description": "suggestions only: near-miss parcels this change lets in"},
    },
}


def match_response_schema() -> dict:
    """Return the JSON Schema of the response of POST /api/match."""
    return {
        "type": "object",
        "required": ["needs", "rule_set", "candidates", "rejected", "counts", "near_misses"],
        "properties": {
            "needs": needs_schema(),
            "rule_set": RULE_SET_SCHEMA,
            "candidates": {"type": "array", "items": {
                "type": "object",
                "required": ["code", "layer", "score", "score_parts", "checks", "feature"],
                "properties": {
                    "code": {"type": "string", "description": "A+B for a pair"},
                    "layer": {"type": "string", "enum": ["idle", "stock"]},
                    "score": {"type": "number"},
                    "score_parts": {"type": "object",
                                    "additionalProperties": {"type": "number"}},
                    "checks": {"type": "array", "items": CHECK_SCHEMA},
                    "feature": {"type": "object", "description": "GeoJSON Feature"},
                    "pair": {"type": "boolean"},
                    "members": {"type": "array", "items": {"type": "string"}},
                }}},
            "rejected": {"type": "array", "items": {
                "type": "object", "required": ["code", "failed"],
                "properties": {"code": {"type": "string"},
                               "failed": {"type": "array", "items": {"type": "string"}}}}},
            "counts": {"type": "object", "properties": {
                "considered": {"type": "integer", "description": "parcels checked"},
                "passed": {"type": "integer", "description": "single parcels passing"},
                "pairs": {"type": "integer", "description": "adjacent pairs passing"}}},
            "near_misses": {
                "type": "object", "required": ["parcels", "suggestions"],
                "description": "When fewer parcels pass than the configured number: the best "
                               "parcels that fail one check the project could relax, and per "
                               "needs field the change that lets the closest ones in. Empty "
                               "lists otherwise.",
                "properties": {
                    "parcels": {"type": "array", "items": {
                        "type": "object",
                        "required": ["code", "layer", "score", "failed", "relax", "feature"],
                        "properties": {
                            "code": {"type": "string"},
                            "layer": {"type": "string", "enum": ["idle", "stock"]},
                            "score": {"type": "number",
                                      "description": "the score it would have if it passed"},
                            "score_parts": {"type": "object",
                                            "additionalProperties": {"type": "number"}},
                            "failed": CHECK_SCHEMA, "relax": RELAX_SCHEMA,
                            "feature": {"type": "object", "description": "GeoJSON Feature"},
                        }}},
                    "suggestions": {"type": "array", "items": RELAX_SCHEMA},
                }},
        },
    }


OPENAPI_PATHS = {
    "/api/match": {
        "post": {
            "summary": "Match a project's needs to the parcels that can take it",
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/MatchRequest"}}}},
            "responses": {
                "200": {"description": "Ranked candidates with per-check reasons",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/MatchResult"}}}},
                "400": {"description": "Bad needs: error.field names the field"},
                "422": {"description": "A town or park the county does not have: "
                                       "error.field names the field (towns or parks)"},
            },
        }
    },
    "/api/match/explain/{code}": {
        "post": {
            "summary": "Every check of one parcel against the needs (why not)",
            "parameters": [{"name": "code", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/MatchRequest"}}}},
            "responses": {
                "200": {"description": "The parcel's checks, passed or failed"},
                "400": {"description": "Bad needs: error.field names the field"},
                "422": {"description": "A town or park the county does not have: "
                                       "error.field names the field (towns or parks)"},
                "404": {"description": "No such parcel"},
            },
        }
    },
}


def openapi_components() -> dict:
    """Return the schemas OPENAPI_PATHS refers to, for components/schemas: functions, called
    when the document is built (the towns and parks are the configured county's)."""
    return {"MatchNeeds": needs_schema, "MatchRequest": request_schema,
            "MatchResult": match_response_schema}
