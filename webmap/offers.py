"""The offer log: save a match's parcels as offers, record the investor's answer, land a project."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from geo.errors import N_, GeoError
from geo.fields import OFFER_FIELDS, STAGES, get_field
from geo.offers import land_project, offer_log, save_offers, update_offer
from webmap.api import availability_json
from webmap.auth import editor_required
from webmap.db import get_session
from webmap.i18n import lang
from webmap.inputs import ENVELOPE, json_body
from webmap.openapi import components, register_schema

bp = Blueprint("offers", __name__)
register_schema("OfferSelection", {
    "type": "object", "required": ["project", "candidates"], "additionalProperties": False,
    ENVELOPE: True, "properties": {
        "project": {"type": "string", "description": "the project's code"},
        "candidates": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["code"], "additionalProperties": False,
            "properties": {"code": {"type": "string", "description": "A+B for a pair"},
                           "score": {"type": "number", "nullable": True}}}}}})


@bp.post("/match/offers")
@editor_required
def save():
    """Save the chosen candidates of a match to a project as offers (JSON, CSRF header)."""
    body = json_body("OfferSelection", components)
    project = str(body.get("project") or "")
    if not project:
        raise GeoError(N_("%(field)s is required."), field="project")
    items = body.get("candidates") or []
    if not items:
        raise GeoError(N_("%(field)s: choose at least one parcel."), field="parcel")
    score = get_field("offer", "score")
    offers = [(str(i.get("code") or ""), score.clean(i.get("score"))) for i in items]
    made = save_offers(get_session(), project, offers, dt.date.today())
    return jsonify({"saved": len(made), "log": url_for("offers.log", code=project)})


@bp.get("/projects/<code>/offers")
def log(code: str):
    """Show a project's offer log, with forms to record feedback and to choose a parcel."""
    project, offers = offer_log(get_session(), code)
    language = lang()
    fields = {f.name: f for f in OFFER_FIELDS}
    stage = next((s for s in STAGES if s.value == project.stage), None)
    return render_template(
        "offers.html", project=project, offers=offers, fields=fields, language=language,
        stage=(stage.en if language == "en" else stage.zh) if stage else project.stage,
        signed=project.stage == "signed", pipeline=project.stage == "pipeline",
        availability=availability_json)


@bp.post("/offers/<int:offer_id>")
@editor_required
def update(offer_id: int):
    """Record an offer's new status and the investor's feedback (form, CSRF token)."""
    offer = update_offer(get_session(), offer_id, request.form.to_dict())
    return redirect(url_for("offers.log", code=offer.project.code))


@bp.post("/projects/<code>/land")
@editor_required
def land(code: str):
    """Choose a parcel for the project: it moves to 落地 with that parcel as its site."""
    land_project(get_session(), code, request.form.get("parcel", ""), dt.date.today())
    return redirect(url_for("offers.log", code=code))
