"""Turn every error into one JSON shape (API) or a page (browser), in the user's language."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from geo.errors import Conflict, GeoError
from geo.fields import CATEGORY_FIELD, Field, fields_for
from geo.filters import filter_label
from webmap.i18n import lang
from webmap.negotiation import wants_json

# Register fields win where a needs or offer field shares their name.
_ENTITIES = ("parcel", "project", "plan", "annual_plan", "progress", "transition", "building",
             "needs", "offer")
# Names that are request parameters rather than dictionary fields, labelled all the same.
_PARAMETERS = (CATEGORY_FIELD, Field("month", "月份", "Month", "text"),
               Field("file", "文件", "File", "text"), Field("sort", "排序", "Sort by", "text"),
               Field("on", "日期", "Date", "date"),
               Field("offerable", "可供地", "Can be offered", "text"))
_LABELS: dict[str, Field] = {}
for _f in (*(f for e in _ENTITIES for f in fields_for(e)), *_PARAMETERS):
    _LABELS.setdefault(_f.name, _f)
# Message parameters that hold a parcel's choice values, shown by their labels.
_LABELLED = {"status", "disposal"}


def translate(message: str, field_name: str | None = None, params: dict | None = None,
              field: Field | None = None) -> str:
    """Return an English msgid from geo/ translated, with ``%(field)s`` as the field's label.

    ``params["entity"]`` names the table whose field it is where names are shared ("name" is
    a parcel's 地块名称 and a project's 项目名称); a form passes its ``field`` itself.
    """
    params = dict(params or {})
    entity = params.get("entity")
    by_entity = {f.name: f for f in fields_for(entity)} if entity in _ENTITIES else {}
    field = field or by_entity.get(field_name or "") or _LABELS.get(field_name or "")
    # A choice value shown in a message reads as its label (状态 处置中, not "disposing").
    for name in _LABELLED & params.keys():
        if params[name]:
            params[name] = _LABELS[name].choice_label(params[name], lang())
    # Another field a message names (``other``, geo.ledger.check_plan_order) reads as its label.
    if params.get("other") in _LABELS:
        params["other"] = _LABELS[params["other"]].label(lang())
    # A reason that is a message of its own (geo.supply.NotOfferable) is translated first.
    if "reason" in params:
        params["reason"] = translate(params["reason"], None, params.pop("reason_params", {}))
    named = filter_label(field_name or "", lang()) or field_name or ""  # geo/filters.py
    values = {**params, "field": field.label(lang()) if field else named}
    return gettext(message, **values)


def user_message(error: GeoError, field: Field | None = None) -> str:
    """Return a GeoError's message translated, with the field named by its label."""
    return translate(error.message, error.field, error.params, field)


def _respond(status: int, code: str, message: str, field: str | None = None,
             beside: dict | None = None):
    if wants_json():
        body = {"error": {"code": code, "message": message}}
        if field:
            body["error"]["field"] = field
        return jsonify({**body, **(beside or {})}), status
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    """Register the handlers for domain errors, HTTP errors and anything unforeseen."""

    @app.errorhandler(GeoError)
    def geo_error(error: GeoError):
        # A conflict carries both versions, so that the client can compare and redo.
        beside = ({"current": error.current, "submitted": error.submitted}
                  if isinstance(error, Conflict) else None)
        if getattr(error, "overlaps", None):  # geo.parcel_checks.Overlap: which parcels
            beside = {"overlaps": error.overlaps}
        response, status = _respond(error.status, error.code, user_message(error), error.field,
                                    beside)
        if getattr(error, "retry_after", None):  # Busy: the register is locked by a writer
            response = make_response(response)
            response.headers["Retry-After"] = str(error.retry_after)
        return response, status

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        # Named, so that a script knows what to send: the page's csrf-token, as a form
        # field or the X-CSRFToken header.
        return _respond(400, "csrf", gettext(
            "The security token (the form's csrf_token field or the X-CSRFToken header) is "
            "missing or has expired: reload the page and try again."), "csrf_token")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            401: gettext("Sign in first: this needs a staff account."),
            403: gettext("Your account's role does not allow this."),
            404: gettext("Nothing here: check the address."),
            405: gettext("This address does not accept that method."),
            413: gettext("The upload is too large."),
            429: gettext("Too many attempts: wait a minute and try again."),
        }
        message = messages.get(error.code or 500, gettext("The request could not be handled."))
        return _respond(error.code or 500, (error.name or "error").lower().replace(" ", "_"),
                        message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error")
        return _respond(500, "internal", gettext(
            "Something went wrong on the server; it has been logged. Please try again."))
