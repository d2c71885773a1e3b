"""Read the register's three layers as GeoJSON features: by bounding box, filters and page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from geo.areas import m2_to_ha, m2_to_mu
from geo.errors import N_, GeoError
from geo.fields import Field, fields_for, json_value
from geo.filters import (
    OFFERABLE,
    OFFERABLE_VALUES,
    PARCEL_RANGES,
    conditions,
    parse_filters,
)
from geo.models import Parcel, Project
from geo.register import BBox, backend_for, feature_json
from geo.supply import DEFAULT_OFFERABLE, offerable_statuses

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000
# The largest OFFSET both databases take (a 64-bit integer); past it the driver raises
# OverflowError, which was a 500 (issue 15).
MAX_OFFSET = 2**63 - 1
LAYER_NAMES = ("sites", "idle", "stock")
# The filters themselves live in geo/filters.py; these names stay importable from here.
__all__ = ["OFFERABLE", "OFFERABLE_VALUES", "parse_filters"]


@dataclass(frozen=True)
class Layer:
    """How one map layer is read: its table, geometry, fields and the filters it accepts."""

    name: str
    entity: str
    filters: tuple[str, ...]  # data-dictionary fields, "any of" (geo/filters.py)
    ranges: tuple[str, ...] = ()  # geo.filters.RANGES: <name>_min / <name>_max

    @property
    def fields(self) -> tuple[Field, ...]:
        """Return the data-dictionary fields of this layer."""
        if self.entity == "project":
            return fields_for("project")
        return fields_for("parcel", self.name)


LAYERS = {
    "sites": Layer("sites", "project", ("stage", "town", "chain", "industry")),
    "idle": Layer("idle", "parcel", ("town", "park", "status", "land_use", "gas", "rail"),
                  PARCEL_RANGES),
    "stock": Layer("stock", "parcel", ("town", "park", "status", "land_use", "gas", "rail"),
                   PARCEL_RANGES),
}
PROJECTS = Layer("projects", "project", LAYERS["sites"].filters)


@dataclass
class Page:
    """One page of features, each already serialised as a GeoJSON Feature string."""

    features: list[str]
    number_matched: int | None

    @property
    def number_returned(self) -> int:
        """Return how many features this page holds."""
        return len(self.features)


def get_layer(name: str) -> Layer:
    """Return the layer called ``name``, or raise a GeoError naming the known ones."""
    try:
        return LAYERS[name]
    except KeyError:
        raise GeoError(
            N_("Unknown layer %(value)s; use one of: %(choices)s."),
            field="layer", value=name, choices=", ".join(LAYER_NAMES),
        ) from None


# A bbox as parse_bbox reads it: plain decimals within longitude/latitude, the same regular
# expression for the parser and for the OpenAPI document, so that what the document allows is
# what the API takes (only "min before max" is beyond a pattern).
_LON = r"[ ]*([-+]?(?:180(?:\.0*)?|(?:1[0-7][0-9]|[0-9]{1,2})(?:\.[0-9]*)?|\.[0-9]+))[ ]*"
_LAT = r"[ ]*([-+]?(?:90(?:\.0*)?|[0-8]?[0-9](?:\.[0-9]*)?|\.[0-9]+))[ ]*"
BBOX_PATTERN = f"^{_LON},{_LAT},{_LON},{_LAT}$"
# In a query an empty bbox means none (the views read it only when it is not empty).
BBOX_QUERY_PATTERN = f"^(?:{_LON},{_LAT},{_LON},{_LAT})?$"


def parse_bbox(text: str) -> BBox:
    """Return ``"minx,miny,maxx,maxy"`` (lon/lat) as four floats; raise GeoError if malformed.

    >>> parse_bbox("111.2,35.7,111.6,36.0")
    (111.2, 35.7, 111.6, 36.0)
    """
    match = re.search(BBOX_PATTERN, text)
    if match is None:
        if len(text.split(",")) == 4 and all(_is_number(v) for v in text.split(",")):
            raise GeoError(
                N_("bbox must be longitude/latitude with min before max."), field="bbox")
        raise GeoError(
            N_("bbox must be four numbers: min longitude, min latitude, max longitude, "
               "max latitude."), field="bbox",
        )
    minx, miny, maxx, maxy = (float(v) for v in match.groups())
    if not (minx <= maxx and miny <= maxy):
        raise GeoError(
            N_("bbox must be longitude/latitude with min before max."), field="bbox"
        )
    return minx, miny, maxx, maxy


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _whole_number(name: str, raw: object, default: int, low: int, high: int | None) -> int:
    try:
        value = default if raw in (None, "") else int(str(raw))
    except ValueError:
        raise GeoError(N_("%(field)s must be a whole number."), field=name) from None
    if high is not None and not low <= value <= high:
        raise GeoError(N_("%(field)s must be between %(min)s and %(max)s."), field=name,
                       min=low, max=high)
    if value < low:
        raise GeoError(N_("%(field)s must be %(min)s or more."), field=name, min=low)
    return value


def parse_paging(limit: object, offset: object) -> tuple[int, int]:
    """Return (limit, offset) as integers within bounds; raise GeoError naming the field.

    >>> parse_paging("50", None)
    (50, 0)
    """
    return (_whole_number("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT),
            _whole_number("offset", offset, 0, 0, MAX_OFFSET))


def layer_source(layer: Layer, filters: Mapping[str, list[str]] | None = None,
                 statuses: Sequence[str] = DEFAULT_OFFERABLE):
    """Return (model, geometry column, conditions) selecting ``layer``'s live records.

    Live means not in the bin, which every ORM read leaves out (geo/register/bin.py); the
    sites layer also leaves out projects without a site. ``filters`` (from ``parse_filters``)
    add their conditions (geo/filters.py); ``offerable`` asks the one offerable rule
    (geo/supply.py) with these offerable ``statuses``.
    """
    if layer.entity == "project":
        model, geom = Project, Project.site
        where = []
        if layer.name == "sites":
            where.append(Project.site.is_not(None))
    else:
        model, geom = Parcel, Parcel.geom
        where = [Parcel.layer == layer.name]
    return model, geom, where + conditions(model, filters or {}, statuses)


def _statement(session: Session, layer: Layer, bbox: BBox | None,
               filters: Mapping[str, list[str]]) -> Select:
    """Return SELECT (id, Feature text) for the layer's live records, filtered."""
    backend = backend_for(session)
    model, geom, conditions = layer_source(layer, filters, offerable_statuses(session))
    if model is Project:
        feature = feature_json(backend, layer, Project, geom, Parcel.code)
        stmt = select(Project.id, feature).outerjoin(Parcel, Project.parcel_id == Parcel.id)
    else:
        stmt = select(Parcel.id, feature_json(backend, layer, Parcel, geom))
    stmt = stmt.where(*conditions)
    if bbox is not None:
        stmt = stmt.where(backend.bbox_filter(geom, model.id, bbox))
    return stmt


def query_layer(
    session: Session, layer: Layer, *, bbox: BBox | None = None,
    filters: Mapping[str, list[str]] | None = None, limit: int = DEFAULT_LIMIT,
    offset: int = 0, count: bool = True,
) -> Page:
    """Return one page of ``layer``'s features intersecting ``bbox``, in a stable order.

    The bounding-box test goes through the spatial index on both backends. The count is
    only queried when this page is full: otherwise the page itself tells it.
    """
    stmt = _statement(session, layer, bbox, filters or {})
    rows = session.execute(stmt.order_by(layer_id(layer)).limit(limit).offset(offset)).all()
    features = [row[1] for row in rows]
    matched = None
    if count and (len(rows) == limit or (offset and not rows)):
        matched = session.scalar(select(func.count()).select_from(
            stmt.with_only_columns(layer_id(layer)).subquery()))
    elif count:
        matched = offset + len(rows)
    return Page(features, matched)


def iter_layer(session: Session, layer: Layer, filters: Mapping[str, list[str]] | None = None,
               batch: int = 2000, bbox: BBox | None = None) -> Iterator[str]:
    """Yield every feature of ``layer`` (in ``bbox``) as a GeoJSON string, a batch at a time."""
    last_id = 0
    stmt = _statement(session, layer, bbox, filters or {})
    while True:
        rows = session.execute(
            stmt.where(layer_id(layer) > last_id).order_by(layer_id(layer)).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield row[1]
        last_id = rows[-1][0]


def layer_id(layer: Layer):
    """Return the primary-key column of ``layer``'s table."""
    return Project.id if layer.entity == "project" else Parcel.id


def properties(layer: Layer, record: Parcel | Project, parcel_code: str | None = None) -> dict:
    """Return a record's attributes, named as in the data dictionary, as JSON values."""
    props: dict[str, object] = {}
    for field in layer.fields:
        value = parcel_code if field.name == "parcel" else getattr(record, field.name)
        props[field.name] = json_value(value)
    if isinstance(record, Parcel):
        props["area_mu"] = round(m2_to_mu(record.area_m2), 4)
        props["area_ha"] = round(m2_to_ha(record.area_m2), 6)
        props["area_m2"] = round(record.area_m2, 2)
        props["buildings"] = [
            {f.name: json_value(getattr(b, f.name)) for f in fields_for("building")}
            for b in record.buildings
        ]
    props["extra"] = record.extra or {}
    props["version"] = record.version
    return props


def collection_json(features: list[str] | Iterator[str], **members: object) -> Iterator[str]:
    """Yield a GeoJSON FeatureCollection as text chunks, with extra top-level ``members``."""
    yield '{"type":"FeatureCollection"'
    for key, value in members.items():
        yield f",{json.dumps(key)}:{json.dumps(value, ensure_ascii=False)}"
    yield ',"features":['
    for i, feature in enumerate(features):
        yield ("," if i else "") + feature
    yield "]}"
