"""JSON Schema of the data dictionary's fields, for the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterable

from geo.fields import UNITS, Field

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
    if field.max_length:
        schema["maxLength"] = field.max_length
    if field.min is not None:
        schema["minimum"] = int(field.min) if float(field.min).is_integer() else field.min
    if field.max is not None:
        schema["maximum"] = int(field.max) if float(field.max).is_integer() else field.max
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
