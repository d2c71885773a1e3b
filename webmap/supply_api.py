"""JSON API for a parcel's supply life: its dated moves, and the next move of idle land."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify
from flask_login import current_user

from geo.editing import get_parcel
from geo.fields import get_field
from geo.models import SupplyMove
from geo.supply import HAND_MOVES, MOVES, PROJECT_MOVES, move, moves_of
from webmap.auth import editor_required
from webmap.db import get_session
from webmap.inputs import json_body
from webmap.openapi import components, register_schema

bp = Blueprint("supply_api", __name__, url_prefix="/api")

register_schema("SupplyMove", {"type": "object", "properties": {
    "date": {"type": "string", "format": "date"},
    "move": {"type": "string", "enum": list(dict.fromkeys([*PROJECT_MOVES, *MOVES.values()]))},
    "from_status": {"type": "string"}, "to_status": {"type": "string"},
    "project": {"type": "string", "nullable": True}, "by": {"type": "string"},
    "note": {"type": "string", "nullable": True}}})
register_schema("NewSupplyMove", {
    "type": "object", "required": ["to_status"], "additionalProperties": False,
    "properties": {
        "to_status": {"type": "string", "enum": sorted({to for _, to in HAND_MOVES})},
        "date": {"type": "string", "format": "date", "description": "default: today"},
        "note": {"type": "string", "maxLength": 1000}}})


def _move_json(m: SupplyMove) -> dict:
    return {"date": m.date.isoformat(), "move": m.move, "from_status": m.from_status,
            "to_status": m.to_status, "project": m.project.code if m.project else None,
            "by": m.by, "note": m.note}


@bp.get("/parcels/<code>/moves")
def moves(code: str):
    """Show a parcel's supply moves, oldest first.
    ---
    get:
      tags: [Register]
      summary: A parcel's supply moves (reserve, release, supply, dispose, recover, …)
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: The moves, oldest first
          content:
            application/json:
              schema:
                type: object
                properties:
                  moves: {type: array, items: {$ref: '#/components/schemas/SupplyMove'}}
        404:
          description: No parcel has this code
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    session = get_session()
    return jsonify({"moves": [_move_json(m) for m in moves_of(session, get_parcel(session, code))]})


@bp.post("/parcels/<code>/moves")
@editor_required
def add_move(code: str):
    """Move idle land on: 处置中, 已处置 or 已收回, then 可供地 when entered into the reserve.
    ---
    post:
      tags: [Register]
      summary: Move a parcel on through disposal and into the reserve
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/NewSupplyMove'}}
      responses:
        201:
          description: The move, as recorded
          content:
            application/json: {schema: {$ref: '#/components/schemas/SupplyMove'}}
        400:
          description: A value is malformed; the error names it
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        409:
          description: The parcel's status does not allow this move (move_refused)
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        404:
          description: No parcel has this code
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    body = json_body("NewSupplyMove", components)
    session = get_session()
    parcel = get_parcel(session, code)
    to = get_field("parcel", "status").clean(body.get("to_status"))
    on = (get_field("transition", "date").clean(body["date"]) if body.get("date")
          else dt.date.today())
    note = get_field("transition", "note").clean(body.get("note"))
    made = move(session, parcel, str(to), on, current_user.name, note)
    session.commit()
    return jsonify(_move_json(made)), 201
