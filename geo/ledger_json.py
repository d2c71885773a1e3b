"""The ledger as JSON: a project as a GeoJSON Feature, its progress and transitions, and the
JSON Schemas of each, all derived from the data dictionary (for the OpenAPI document)."""

from __future__ import annotations

from shapely.geometry import mapping

from geo.categories import Alert
from geo.features import PROJECTS as PROJECT_LAYER
from geo.features import properties
from geo.fields import CATEGORY_FIELD, fields_for, json_value
from geo.geometry import from_db
from geo.ledger import Row
from geo.models import Parcel
from geo.schema import field_schema, object_schema


def _value(value: object) -> object:
    if isinstance(value, Parcel):
        return value.code  # a project's main parcel, by its code as the dictionary names it
    return json_value(value)


def record_json(entity: str, record) -> dict:
    """Return ``record``'s dictionary fields of ``entity`` as JSON values."""
    return {f.name: _value(getattr(record, f.name)) for f in fields_for(entity)}


def alert_json(alert: Alert) -> dict:
    """Return an alert as JSON."""
    return {"kind": alert.kind, "what": alert.what, "since": alert.since.isoformat(),
            "days": alert.days}


def project_feature(row: Row) -> dict:
    """Return a ledger line as a GeoJSON Feature: the site as geometry, the ledger as
    properties (dictionary fields, category, plan, annual plans, latest figures, alerts)."""
    p = row.project
    props = properties(PROJECT_LAYER, p, p.parcel.code if p.parcel else None)
    plan = p.plan
    props.update(
        category=row.category,
        parcels=[x.code for x in p.parcels],
        plan={f.name: _value(getattr(plan, f.name)) if plan else None
              for f in fields_for("plan")},
        annual_plans=[record_json("annual_plan", a) for a in p.annual_plans],
        completed_investment=row.completed_investment, percent_done=row.percent_done,
        status_text=row.status_text, late_report=row.late_report,
        last_report=_value(row.last_report), alerts=[alert_json(a) for a in row.alerts],
    )
    site = from_db(p.site)
    return {"type": "Feature", "id": p.code,
            "geometry": mapping(site) if site is not None else None, "properties": props}


def entity_schema(entity: str, writable: bool = False) -> dict:
    """Return the JSON Schema of an object of ``entity`` (progress, transition, plan, …);
    with ``writable`` the request body (computed fields left out, no other key taken)."""
    schema = object_schema(f for f in fields_for(entity) if not (writable and f.computed))
    if writable:
        schema["additionalProperties"] = False
    return schema


def schemas() -> dict[str, dict]:
    """Return every ledger schema by name, ready for an OpenAPI ``components.schemas``."""
    return {
        "Project": entity_schema("project"),
        "Category": field_schema(CATEGORY_FIELD),
        "Plan": entity_schema("plan"),
        "NewPlan": entity_schema("plan", writable=True),
        "AnnualPlan": entity_schema("annual_plan"),
        "NewAnnualPlan": entity_schema("annual_plan", writable=True),
        "ProgressEntry": entity_schema("progress"),
        "NewProgressEntry": _new_progress_entry(),
        "Transition": entity_schema("transition"),
        "NewTransition": _new_transition(),
    }


def _new_progress_entry() -> dict:
    schema = entity_schema("progress", writable=True)
    # An unlikely completed investment is saved only when confirmed (geo.ledger.add_progress).
    schema["properties"]["confirm"] = {
        "type": "boolean", "default": False,
        "description": "Save a completed investment that jumps above the rule (409 otherwise)"}
    return schema


def _new_transition() -> dict:
    schema = entity_schema("transition", writable=True)
    # What the API takes besides the dictionary's fields: the direction, and the land.
    schema["properties"].update(
        kind={"type": "string", "enum": ["forward", "back"], "default": "forward"},
        parcels={"type": "array", "items": {"type": "string"},
                 "description": "Parcel codes the project occupies (at 落地)"},
        site={"type": "object", "description": "GeoJSON geometry of the site, lon/lat"},
    )
    # The API records the signed-in account as ``by``: a client's own is not needed.
    schema["properties"]["by"] = {**schema["properties"]["by"], "readOnly": True}
    schema["required"] = ["date"]
    # Moving on names the stage; putting back implies it and needs the reason (note).
    schema["anyOf"] = [
        {"required": ["to_stage"], "properties": {"kind": {"enum": ["forward"]}}},
        {"required": ["kind", "note"], "properties": {"kind": {"enum": ["back"]}}},
    ]
    return schema
