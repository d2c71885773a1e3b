"""JSON Schema of the data dictionary's fields, for the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Iterable

from geo.fields import UNITS, Field
from geo.reference import LAND_USE_FIELDS, any_land_use_code

_TYPES = {"text": "string", "number": "number", "integer": "integer", "date": "string",
          "choice": "string", "json": "object"}


def field_schema(field: Field) -> dict:
    """Return the JSON Schema (OpenAPI 3.0 dialect) of one field.

    >>> from geo.fields import get_field
    >>> field_schema(get_field("parcel", "plot_ratio"))["maximum"]
    20
    """
    schema: dict = {"type": _TYPES[field.kind], "title": field.en,
                    "description": field.zh + (f" ({UNITS[field.unit][1]})" if field.unit else "")}
    if field.kind == "date":
        schema["format"] = "date"
    if field.kind == "choice":
        schema["enum"] = [c.value for c in field.choices]
    if field.name in LAND_USE_FIELDS:  # geo/parcel_checks.py refuses any other
        schema["enum"] = list(any_land_use_code())
    if field.max_length:
        schema["maxLength"] = field.max_length
    if field.required and field.kind == "text":
        schema["pattern"] = r"\S"  # blank is missing (Field.clean)
    if field.min is not None:
        schema["minimum"] = int(field.min) if float(field.min).is_integer() else field.min
    if field.max is not None:
        schema["maximum"] = int(field.max) if float(field.max).is_integer() else field.max
    if field.kind == "integer":  # the column's own bounds (BIGINT, SQLite's INTEGER)
        schema.setdefault("minimum", -(2**63))
        schema.setdefault("maximum", 2**63 - 1)
    if not field.required:
        schema["nullable"] = True
    if field.computed:
        schema["readOnly"] = True
    return schema


def object_schema(fields: Iterable[Field], **more: dict) -> dict:
    """Return an object schema with one property per field (plus ``more`` properties)."""
    fields = tuple(fields)
    schema = {"type": "object",
              "properties": {**{f.name: field_schema(f) for f in fields}, **more}}
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    return schema


def filter_schema(field: Field) -> dict:
    """Return the JSON Schema of a query filter on ``field``: values separated by commas.

    A choice takes its value or either label; text each value up to its length. The pattern
    is exactly what ``geo.features.parse_filters`` accepts, so a request the schema allows
    is never refused, and one it forbids always is.

    >>> import re
    >>> from geo.fields import get_field
    >>> pattern = filter_schema(get_field("parcel", "status"))["pattern"]
    >>> bool(re.search(pattern, "idle, 可供地")), bool(re.search(pattern, "idle,gone"))
    (True, False)
    """
    if field.kind == "choice":
        # A label with a comma in it ("Idle, not disposed") cannot be told from two values.
        names = sorted({n for c in field.choices for n in (c.value, c.zh, c.en) if "," not in n})
        value = "(?:" + "|".join(re.escape(n) for n in names) + ")"
    else:
        # At most max_length characters once stripped, as Field.clean counts them; no NUL.
        edge, inner = r"[^,\s\x00]", f"{{0,{field.max_length - 2}}}" if field.max_length else "*"
        value = edge if field.max_length == 1 else rf"{edge}(?:[^,\x00]{inner}{edge})?"
    item = rf"\s*(?:{value})?\s*"
    choices = ", ".join(c.value for c in field.choices)
    return {"type": "string", "pattern": f"^{item}(?:,{item})*$",
            "description": f"{field.zh} / {field.en}: any of, comma-separated"
                           + (f" ({choices}, or their labels)" if choices else "")}
