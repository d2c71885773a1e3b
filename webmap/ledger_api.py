"""Ledger API: projects with their ledger (site as GeoJSON), progress entries, transitions."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from shapely.errors import ShapelyError
from shapely.geometry import shape

from geo.dashboard import dashboard as dashboard_figures
from geo.errors import N_, GeoError
from geo.fields import fields_for, json_value
from geo.idle import idle_ledger
from geo.idle_law import STATES
from geo.ledger import (
    add_progress,
    ledger_table,
    project_row,
    set_annual_plan,
    set_plan,
)
from geo.ledger_json import alert_json, project_feature, record_json, schemas
from geo.lifecycle import advance, get_project, put_back
from webmap.api import availability_json
from webmap.auth import editor_required
from webmap.db import get_session
from webmap.inputs import json_body
from webmap.ledger import rules, today
from webmap.openapi import components, register_schema

for _name, _schema in schemas().items():
    register_schema(_name, _schema)

bp = Blueprint("ledger_api", __name__, url_prefix="/api")


def _body(schema: str) -> dict:
    return json_body(schema, components)


@bp.get("/ledger")
def ledger():
    """Show the ledger lines (filtered, sorted) with their categories, alerts and totals.
    ---
    get:
      tags: [Ledger]
      summary: The ledger table
      x-query: ledger
      responses:
        200:
          description: "Projects with category, latest figures and alerts; totals"
          content:
            application/json: {schema: {type: object}}
        400:
          description: A filter or the sort is refused; the error names it
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    table = ledger_table(get_session(), request.args, today(), rules())
    lines = [{**record_json("project", r.project), "category": r.category, "stage": r.stage,
              "late_report": r.late_report, "status_text": r.status_text,
              "completed_investment": r.completed_investment, "percent_done": r.percent_done,
              "last_report": r.last_report.isoformat() if r.last_report else None,
              "planned_this_year": r.planned_this_year,
              "alerts": [alert_json(a) for a in r.alerts]} for r in table.rows]
    return jsonify({"projects": lines, "totals": table.totals})


@bp.get("/projects/<code>")
def project(code: str):
    """Show one project and its ledger as a GeoJSON Feature (the site is the geometry).
    ---
    get:
      tags: [Ledger]
      summary: One project
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: "A GeoJSON Feature (properties: Project, plan, alerts)"
          content:
            application/json: {schema: {type: object}}
        404:
          description: No such project
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    feature = project_feature(project_row(get_session(), code, today(), rules()))
    return feature, 200, {"Content-Type": "application/geo+json"}


@bp.get("/projects/<code>/progress")
def progress(code: str):
    """Show a project's progress entries, oldest first.
    ---
    get:
      tags: [Ledger]
      summary: Progress entries
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: OK
          content:
            application/json:
              schema:
                type: object
                properties:
                  progress: {type: array, items: {$ref: '#/components/schemas/ProgressEntry'}}
        404:
          description: No such project
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    entries = get_project(get_session(), code).progress
    return jsonify({"progress": [record_json("progress", e) for e in entries]})


@bp.post("/projects/<code>/progress")
@editor_required
def add_progress_entry(code: str):
    """Add a progress entry to a project; an unlikely investment figure needs ``confirm``.
    ---
    post:
      tags: [Ledger]
      summary: Add a progress entry
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/NewProgressEntry'}}
      responses:
        201:
          description: The entry
          content:
            application/json: {schema: {$ref: '#/components/schemas/ProgressEntry'}}
        400:
          description: A value is refused; the error names the field
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        404:
          description: No such project
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        409:
          description: "The completed investment jumps above the rule of data/ledger_rules.json
            (or past the total investment): nothing saved; send it again with confirm: true
            (error code confirmation_required)"
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    body = _body("NewProgressEntry")
    confirmed = bool(body.pop("confirm", False))
    entry = add_progress(get_session(), code, body, jump_ratio=rules().investment_jump_ratio,
                         confirmed=confirmed)
    return jsonify(record_json("progress", entry)), 201


@bp.get("/projects/<code>/transitions")
def transitions(code: str):
    """Show a project's stage transitions, oldest first.
    ---
    get:
      tags: [Ledger]
      summary: Stage transitions
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: OK
          content:
            application/json:
              schema:
                type: object
                properties:
                  transitions: {type: array, items: {$ref: '#/components/schemas/Transition'}}
        404:
          description: No such project
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    done = get_project(get_session(), code).transitions
    return jsonify({"transitions": [record_json("transition", t) for t in done]})


@bp.post("/projects/<code>/transitions")
@editor_required
def add_transition(code: str):
    """Move a project on one stage, or put it back one with ``"kind": "back"``.
    ---
    post:
      tags: [Ledger]
      summary: Move on or put back one stage
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/NewTransition'}}
      responses:
        201:
          description: "The transition (made by the signed-in account)"
          content:
            application/json: {schema: {$ref: '#/components/schemas/Transition'}}
        400:
          description: A value is refused; the error names the field
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        404:
          description: No such project
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    # who moved it is who is signed in
    body = {**_body("NewTransition"), "by": current_user.name}
    if body.pop("kind", "forward") == "back":
        made = put_back(get_session(), code, body)
    else:
        site = body.pop("site", None)
        try:
            geometry = shape(site) if site else None
        except (AttributeError, KeyError, TypeError, ValueError, OverflowError, ShapelyError):
            raise GeoError(N_("%(field)s must be a GeoJSON geometry."), field="site") from None
        made = advance(get_session(), code, body, parcels=body.pop("parcels", None) or (),
                       site=geometry)
    return jsonify(record_json("transition", made)), 201


@bp.post("/projects/<code>/plan")
@editor_required
def update_plan(code: str):
    """Change the planned nodes given in the body (the others stay).
    ---
    post:
      tags: [Ledger]
      summary: Set planned nodes
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/NewPlan'}}
      responses:
        200:
          description: The plan
          content:
            application/json: {schema: {$ref: '#/components/schemas/Plan'}}
        400:
          description: A value is refused; the error names the field
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        404:
          description: No such project
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    plan = set_plan(get_session(), code, _body("NewPlan"))
    return jsonify(record_json("plan", plan))


@bp.post("/projects/<code>/annual-plans")
@editor_required
def update_annual_plan(code: str):
    """Set the investment a project plans for one year.
    ---
    post:
      tags: [Ledger]
      summary: Set a year's planned investment
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/NewAnnualPlan'}}
      responses:
        200:
          description: The annual plan
          content:
            application/json: {schema: {$ref: '#/components/schemas/AnnualPlan'}}
        400:
          description: A value is refused; the error names the field
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        404:
          description: No such project
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    made = set_annual_plan(get_session(), code, _body("NewAnnualPlan"))
    return jsonify(record_json("annual_plan", made))


@bp.get("/idle")
def idle():
    """Show the idle parcels' disposal follow-up: the derived 令53 state, article, fee and dates.
    ---
    get:
      tags: [Ledger]
      summary: "Idle-land follow-up"
      responses:
        200:
          description: OK
          content:
            application/json: {schema: {type: object}}
    """
    lines = idle_ledger(get_session(), today())
    return jsonify({"parcels": [
        {**{f.name: json_value(getattr(line.parcel, f.name)) for f in fields_for("parcel", "idle")},
         "idle_state": line.law.state, "idle_state_label": _(STATES[line.law.state]),
         "article": line.law.article, "idle_from": json_value(line.law.idle_from),
         "fee_from": json_value(line.fee_from), "fee_amount": line.law.fee_amount,
         "recovery_from": json_value(line.recovery_from),
         "alerts": [alert_json(a) for a in line.alerts],
         "availability": availability_json(line.availability)} for line in lines]})


@bp.get("/dashboard")
def dashboard():
    """Show the dashboard's figures as JSON.
    ---
    get:
      tags: [Ledger]
      summary: Dashboard figures
      responses:
        200:
          description: OK
          content:
            application/json: {schema: {type: object}}
    """
    return jsonify(dashboard_figures(get_session(), today(), rules()))


@bp.get("/ledger/schemas")
def ledger_schemas():
    """Show the JSON Schemas of the ledger's objects, derived from the data dictionary.
    ---
    get:
      tags: [Ledger]
      summary: Ledger schemas
      responses:
        200:
          description: OK
          content:
            application/json: {schema: {type: object}}
    """
    return jsonify(schemas())
