"""Ledger API: projects with their ledger (site as GeoJSON), progress entries, transitions."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user
from shapely.errors import ShapelyError
from shapely.geometry import shape

from geo.dashboard import dashboard as dashboard_figures
from geo.errors import N_, GeoError
from geo.fields import fields_for
from geo.idle import idle_ledger
from geo.ledger import (
    add_progress,
    ledger_table,
    project_row,
    set_annual_plan,
    set_plan,
)
from geo.ledger_json import alert_json, project_feature, record_json, schemas
from geo.lifecycle import advance, get_project, put_back
from webmap.auth import editor_required
from webmap.db import get_session
from webmap.ledger import rules, today

bp = Blueprint("ledger_api", __name__, url_prefix="/api")


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise GeoError(N_("The request body must be a JSON object."), field="body")
    return body


@bp.get("/ledger")
def ledger():
    """Show the ledger lines (filtered, sorted) with their categories, alerts and totals."""
    table = ledger_table(get_session(), request.args, today(), rules())
    lines = [{**record_json("project", r.project), "category": r.category, "stage": r.stage,
              "completed_investment": r.completed_investment, "percent_done": r.percent_done,
              "last_report": r.last_report.isoformat() if r.last_report else None,
              "planned_this_year": r.planned_this_year,
              "alerts": [alert_json(a) for a in r.alerts]} for r in table.rows]
    return jsonify({"projects": lines, "totals": table.totals})


@bp.get("/projects/<code>")
def project(code: str):
    """Show one project and its ledger as a GeoJSON Feature (the site is the geometry)."""
    feature = project_feature(project_row(get_session(), code, today(), rules()))
    return feature, 200, {"Content-Type": "application/geo+json"}


@bp.get("/projects/<code>/progress")
def progress(code: str):
    """Show a project's progress entries, oldest first."""
    entries = get_project(get_session(), code).progress
    return jsonify({"progress": [record_json("progress", e) for e in entries]})


@bp.post("/projects/<code>/progress")
@editor_required
def add_progress_entry(code: str):
    """Add a progress entry to a project."""
    entry = add_progress(get_session(), code, _body())
    return jsonify(record_json("progress", entry)), 201


@bp.get("/projects/<code>/transitions")
def transitions(code: str):
    """Show a project's stage transitions, oldest first."""
    done = get_project(get_session(), code).transitions
    return jsonify({"transitions": [record_json("transition", t) for t in done]})


@bp.post("/projects/<code>/transitions")
@editor_required
def add_transition(code: str):
    """Move a project on one stage, or put it back one with ``"kind": "back"``."""
    body = {**_body(), "by": current_user.name}  # who moved it is who is signed in
    if body.pop("kind", "forward") == "back":
        made = put_back(get_session(), code, body)
    else:
        site = body.pop("site", None)
        try:
            geometry = shape(site) if site else None
        except (AttributeError, KeyError, TypeError, ValueError, ShapelyError):
            raise GeoError(N_("%(field)s must be a GeoJSON geometry."), field="site") from None
        made = advance(get_session(), code, body, parcels=body.pop("parcels", None) or (),
                       site=geometry)
    return jsonify(record_json("transition", made)), 201


@bp.post("/projects/<code>/plan")
@editor_required
def update_plan(code: str):
    """Change the planned nodes given in the body (the others stay)."""
    plan = set_plan(get_session(), code, _body())
    return jsonify(record_json("plan", plan))


@bp.post("/projects/<code>/annual-plans")
@editor_required
def update_annual_plan(code: str):
    """Set the investment a project plans for one year."""
    return jsonify(record_json("annual_plan", set_annual_plan(get_session(), code, _body())))


@bp.get("/idle")
def idle():
    """Show the idle parcels' disposal follow-up: 令53 dates and alerts."""
    lines = idle_ledger(get_session(), today())
    return jsonify({"parcels": [
        {**{f.name: _json(getattr(line.parcel, f.name)) for f in fields_for("parcel", "idle")},
         "fee_from": _json(line.fee_from), "recovery_from": _json(line.recovery_from),
         "alerts": [alert_json(a) for a in line.alerts]} for line in lines]})


def _json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@bp.get("/dashboard")
def dashboard():
    """Show the dashboard's figures as JSON."""
    return jsonify(dashboard_figures(get_session(), today(), rules()))


@bp.get("/ledger/schemas")
def ledger_schemas():
    """Show the JSON Schemas of the ledger's objects, derived from the data dictionary."""
    return jsonify(schemas())
