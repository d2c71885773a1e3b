"""The OpenAPI document's layer operations: one path per map layer, with its own filters.

A view marks an operation ``x-per-layer: true`` (the path has ``{name}``) and, when it pages,
``x-query: paged`` or ``x-query: ogc``; its filter, paging and bbox parameters are made here
from the layers (geo.features.LAYERS) and the data dictionary, never listed by hand.
"""

from __future__ import annotations

import copy

from geo.features import (
    BBOX_QUERY_PATTERN,
    LAYERS,
    MAX_LIMIT,
    MAX_OFFSET,
    OFFERABLE,
    OFFERABLE_VALUES,
    PROJECTS,
    Layer,
)
from geo.fields import CATEGORY_FIELD, get_field
from geo.filters import LAND_USE_CLASS, RANGES, SEARCH, SEARCH_MAX, land_use_classes
from geo.ledger import FILTERS, SORTS
from geo.schema import filter_schema

TEXT = r"^[^\x00]*$"  # NUL is refused everywhere (webmap/inputs.py)
BBOX = {"name": "bbox", "in": "query", "description": "min longitude, min latitude, max "
        "longitude, max latitude (CRS84), min before max",
        "schema": {"type": "string", "pattern": BBOX_QUERY_PATTERN}}


def filter_parameters(layer: Layer) -> list[dict]:
    """Return the query parameters of ``layer``'s filters, their schemas from the dictionary."""
    entity = "project" if layer.entity == "project" else "parcel"
    params = [{"name": name, "in": "query", "schema": filter_schema(get_field(entity, name))}
              for name in layer.filters]
    for name in layer.ranges:
        rng = RANGES[name]
        unit = "亩 (mu)" if name == "area_mu" else get_field("parcel", rng.field).unit or ""
        for param, bound in zip(rng.params(), ("at least", "at most"), strict=True):
            params.append({"name": param, "in": "query", "description": f"{bound}: "
                           f"{get_field('parcel', rng.field).en}" + (f", in {unit}" if unit
                                                                     else ""),
                           "schema": {"type": "number", "minimum": 0, "maximum": 1e12}})
    params.append({"name": SEARCH, "in": "query", "description": "words in a code, name, "
                   "holder (权利人) or project name", "schema": {
                       "type": "string", "maxLength": SEARCH_MAX, "pattern": TEXT}})
    if entity == "parcel":
        classes = sorted(land_use_classes())
        params.append({"name": LAND_USE_CLASS, "in": "query", "description": "classes of "
                       "land-use codes, comma-separated: " + ", ".join(classes),
                       "schema": {"type": "string", "pattern": "^(?:" + "|".join(classes)
                                  + r")?(?:,(?:" + "|".join(classes) + "))*$"}})
        params.append({"name": OFFERABLE, "in": "query", "description": "true: only land "
                       "that can be offered to a new project now (geo/supply.py); false: the "
                       "rest", "schema": {"type": "string", "enum": ["", *OFFERABLE_VALUES]}})
    return params


def paging_parameters(kind: str) -> list[dict]:
    """Return bbox, limit and offset; OGC lowers a larger limit to the maximum (Part 1)."""
    if kind == "bbox":
        return [BBOX]
    limit = {"type": "integer", "minimum": 1, "default": 1000, "maximum": MAX_LIMIT}
    extra = []
    if kind == "ogc":
        limit = {"type": "integer", "minimum": 1, "default": 100,
                 "description": f"above {MAX_LIMIT} lowered to {MAX_LIMIT}"}
        extra = [{"name": "code", "in": "query", "description": "feature codes, comma-separated",
                  "schema": {"type": "string", "pattern": TEXT}}]
    return [BBOX, *extra, {"name": "limit", "in": "query", "schema": limit},
            {"name": "offset", "in": "query",
             "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}}]


def ledger_parameters() -> list[dict]:
    """Return the ledger table's filters (geo.ledger.FILTERS), sort and order."""
    fields = {name: CATEGORY_FIELD if name == "category" else get_field("project", name)
              for name in FILTERS}
    return [*({"name": name, "in": "query", "schema": filter_schema(f)}
              for name, f in fields.items()),
            {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["", *SORTS]}},
            {"name": "order", "in": "query", "description": "desc: descending",
             "schema": {"type": "string", "pattern": TEXT}}]


def _operation(operation: dict, layer: Layer | None, per_layer: bool = False) -> dict:
    operation = copy.deepcopy(operation)
    paged = operation.pop("x-query", None)
    operation.pop("x-per-layer", None)
    params = [p for p in operation.get("parameters", [])
              if not (per_layer and p.get("name") == "name")]
    if paged == "ledger":
        params += ledger_parameters()
    elif paged:
        params += paging_parameters(paged)
    params += filter_parameters(layer) if layer else []
    if params:
        operation["parameters"] = params
    if layer and operation.get("operationId"):
        operation["operationId"] += "_" + layer.name
    return operation


# Routes that read a layer not named by {name}: /api/parcels takes idle or stock, whose
# filters are the same (tests/test_openapi.py checks).
FIXED_LAYERS = {"/api/parcels": LAYERS["idle"], "/api/projects": PROJECTS}


def layer_paths(paths: dict[str, dict]) -> dict[str, dict]:
    """Return ``paths`` with every ``x-per-layer`` operation split into one path per layer."""
    out: dict[str, dict] = {}
    for path, operations in paths.items():
        for method, operation in operations.items():
            if operation.get("x-per-layer"):
                for layer in LAYERS.values():
                    concrete = path.replace("{name}", layer.name)
                    out.setdefault(concrete, {})[method] = _operation(operation, layer, True)
            else:
                fixed = FIXED_LAYERS.get(path) if method == "get" else None
                out.setdefault(path, {})[method] = _operation(operation, fixed)
    return out
