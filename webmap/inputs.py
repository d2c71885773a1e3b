"""Refuse malformed input before a view uses it: NUL bytes, oversized integers, bad JSON bodies.

A request body is checked against its schema in the OpenAPI document (the component named by
the view), so the document and the check cannot drift apart: unknown keys are refused
(``unknown_field``), a missing envelope names the body's shape. Values themselves are left to
the data dictionary, whose messages name the field in the user's language.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable

from flask import Flask, Response, request
from werkzeug.exceptions import MethodNotAllowed

from geo.errors import N_, GeoError

# The widest integer both databases store (BIGINT, SQLite's INTEGER): a larger one reaching
# SQL raises OverflowError in the driver, a 500 before (issue 15).
MAX_INT = 2**63 - 1
# Far deeper than any body the API takes; Python's json parser would recurse past its limit
# (RecursionError) on a body nested 50,000 deep.
MAX_DEPTH = 32
# Marks a schema whose required keys are the body's envelope ({"version", "values"}): their
# absence is told as the body's shape. A dictionary object's required fields are the
# dictionary's to name, in the user's language.
ENVELOPE = "x-envelope"


class UnknownField(GeoError):
    """A key the request's schema does not have: refused rather than silently ignored."""

    code = "unknown_field"


def init_app(app: Flask) -> None:
    """Screen every request's path, query and form values before its view runs."""
    app.before_request(_screen)
    app.after_request(_allow)


def _allow(response: Response) -> Response:
    """Say which methods an address takes when it refuses one (405), as HTTP requires.

    The error handler answers in the error shape and so drops werkzeug's Allow header.
    """
    error = request.routing_exception
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers.setdefault("Allow", ", ".join(sorted(error.valid_methods)))
    return response


def _screen() -> None:
    if request.routing_exception is not None:
        return  # no such address or method: that answer comes first
    for name, value in (request.view_args or {}).items():
        _scalar(name, value)
    sources = [request.args]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.form)
    for source in sources:
        for name, value in source.items(multi=True):
            _scalar(_printable(name), name)
            _scalar(_printable(name), value)


def _printable(name: str) -> str:
    return name.replace("\x00", "\\x00")


def _scalar(name: str, value: object, kind: str | None = "integer") -> None:
    """Refuse what no database column takes: NUL, lone surrogates, integers past 64 bits.

    ``kind`` is the schema's type where the value goes: an integer column holds 64 bits, a
    number column a float; free-form JSON (``extra``) holds any number.
    """
    if isinstance(value, str):
        if "\x00" in value:
            # PostgreSQL refuses NUL in text; SQLite would store a string cut short.
            raise GeoError(N_("%(field)s must not contain a NUL character."), field=name)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise GeoError(N_("%(field)s must be valid Unicode text (it contains a lone "
                              "surrogate)."), field=name) from None
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if kind == "integer" and not -MAX_INT - 1 <= value <= MAX_INT:
            raise GeoError(N_("%(field)s is too large: at most %(max)s."), field=name,
                           max=MAX_INT)
        if kind == "number" and not -sys.float_info.max <= value <= sys.float_info.max:
            raise GeoError(N_("%(field)s is too large: at most %(max)s."), field=name,
                           max=sys.float_info.max)
    elif isinstance(value, float) and not math.isfinite(value):
        raise GeoError(N_("%(field)s must be a finite number."), field=name)


def json_body(schema: str, components: Callable[[], dict[str, dict]]) -> dict:
    """Return the request's JSON body, checked against ``components()[schema]``.

    Raise GeoError (400) naming the field for a body that is not JSON, too deep, holds NUL,
    a lone surrogate or an integer past 64 bits, lacks a required key, or has a key the
    schema does not list (``unknown_field``).
    """
    if not request.is_json:
        raise GeoError(N_("The request body must be JSON (Content-Type: application/json)."),
                       field="body")
    try:
        body = json.loads(request.get_data(cache=True))
    except RecursionError:
        raise GeoError(N_("The request body is nested too deeply (at most %(max)s levels)."),
                       field="body", max=MAX_DEPTH) from None
    except ValueError:
        raise GeoError(N_("The request body is not valid JSON."), field="body") from None
    schemas = components()
    check(body, {"$ref": f"#/components/schemas/{schema}"}, schemas)
    return body


def check(value: object, schema: dict, schemas: dict[str, dict], path: str = "",
          depth: int = 0) -> None:
    """Check ``value``'s structure against a JSON Schema of the OpenAPI document.

    Only what the dictionary cannot: objects, required keys, unknown keys, arrays, and the
    scalars no column stores (see ``_scalar``). A field's type and range are the data
    dictionary's to check, with its own messages.

    >>> check({"version": 1, "nme": "x"}, {"type": "object", "properties": {
    ...     "version": {}}, "additionalProperties": False}, {})
    Traceback (most recent call last):
    ...
    webmap.inputs.UnknownField: Unknown field nme; this request takes: version.
    """
    if depth > MAX_DEPTH:
        raise GeoError(N_("The request body is nested too deeply (at most %(max)s levels)."),
                       field="body", max=MAX_DEPTH)
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    name = path or "body"
    if value is None:
        if not path and schema.get("type") == "object":
            raise GeoError(N_("The request body must be a JSON object."), field="body")
        return  # a null where a value belongs is the dictionary's to refuse or to clear
    if isinstance(value, dict):
        if schema.get("type") not in (None, "object"):
            raise GeoError(N_("%(field)s must not be a JSON object."), field=name)
        _check_object(value, schema, schemas, path, depth)
    elif isinstance(value, list):
        if schema.get("type") == "object":
            raise GeoError(_OBJECT_MESSAGE, field=name)
        for i, item in enumerate(value):
            check(item, _items(schema, schemas), schemas, f"{name}[{i}]", depth + 1)
    else:
        if schema.get("type") == "object":
            raise GeoError(_OBJECT_MESSAGE, field=name)
        _scalar(name, value, schema.get("type"))


_OBJECT_MESSAGE = N_("%(field)s must be a JSON object.")


def _items(schema: dict, schemas: dict[str, dict]) -> dict:
    for alternative in schema.get("oneOf", schema.get("anyOf", [])):
        while "$ref" in alternative:
            alternative = schemas[alternative["$ref"].rsplit("/", 1)[1]]
        if alternative.get("type") == "array":
            return alternative.get("items", {})
    return schema.get("items", {})


def _check_object(value: dict, schema: dict, schemas: dict[str, dict], path: str,
                  depth: int) -> None:
    properties = schema.get("properties", {})
    if schema.get(ENVELOPE):
        _check_envelope(value, schema, path)
    for key, item in value.items():
        name = f"{path}.{key}" if path else key
        _scalar(_printable(name), key)
        if key in properties:
            check(item, properties[key], schemas, name, depth + 1)
        elif schema.get("additionalProperties") is False:
            raise UnknownField(N_("Unknown field %(field)s; this request takes: %(choices)s."),
                               field=_printable(name), choices=", ".join(properties))
        else:
            extra = schema.get("additionalProperties")
            check(item, extra if isinstance(extra, dict) else {}, schemas, name, depth + 1)


def _check_envelope(value: dict, schema: dict, path: str) -> None:
    missing = [k for k in schema.get("required", []) if k not in value]
    alternatives = [a["required"] for a in schema.get("anyOf", []) if set(a) == {"required"}]
    if not missing and alternatives and not any(all(k in value for k in a)
                                                 for a in alternatives):
        missing = alternatives[0]
    if missing:
        raise GeoError(N_("The request body must be %(shape)s: %(field)s is missing."),
                       field=f"{path}.{missing[0]}" if path else missing[0],
                       shape=shape(schema))


def shape(schema: dict) -> str:
    """Return an object schema's keys as a short pattern, optional ones marked with ``?``.

    >>> shape({"properties": {"version": {}, "values": {}, "geometry": {}},
    ...        "required": ["version", "values"]})
    '{"version", "values", "geometry"?}'
    """
    required = schema.get("required", [])
    keys = [f'"{k}"' + ("" if k in required else "?") for k in schema.get("properties", {})]
    return "{" + ", ".join(keys) + "}"
