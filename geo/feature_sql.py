"""GeoJSON Features written by the database itself, one text per row, for the bulk reads.

Serialising properties in Python costs about as much as the query (3,000 parcels: 25 ms of
``json.dumps`` on top of 30 ms of SQL); SQLite's ``json_object`` and PostgreSQL's
``row_to_json`` do it while the row is read, for a fraction of that. The text equals
``geo.features.properties`` (a test compares the two field by field on both backends), which
stays the one Python definition used for single records, snapshots and history.
"""

from __future__ import annotations

import functools
import re

from sqlalchemy import Float, Numeric, Text, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from geo.areas import M2_PER_HA, M2_PER_MU
from geo.fields import fields_for
from geo.models import Building, Parcel


@functools.cache
def feature_json(dialect: str, layer, model, geom, parcel_code=None) -> ColumnElement[str]:
    """Return an SQL expression giving each row of ``model`` as a GeoJSON Feature text.

    ``layer`` is a ``geo.features.Layer``; ``parcel_code`` is the joined parcel's code for
    projects. Key order is the data dictionary's, as in ``geo.features.properties``. Built
    once per layer and backend: building it costs more than running it for a small page.
    """
    pg = dialect == "postgresql"
    pairs: dict[str, ColumnElement] = {}
    for field in layer.fields:
        pairs[field.name] = parcel_code if field.name == "parcel" else getattr(model, field.name)
    if model is Parcel:
        pairs["area_mu"] = _rounded(Parcel.area_m2 / M2_PER_MU, 4, pg)
        pairs["area_ha"] = _rounded(Parcel.area_m2 / M2_PER_HA, 6, pg)
        pairs["area_m2"] = _rounded(Parcel.area_m2, 2, pg)
        pairs["buildings"] = _buildings(pg)
    pairs["extra"] = (func.coalesce(model.extra, literal_column("'{}'::json")) if pg
                      else func.json(func.coalesce(model.extra, "{}")))
    pairs["version"] = model.version
    geometry = func.coalesce(func.ST_AsGeoJSON(geom, 8), "null")
    code = func.to_json(model.code) if pg else func.json_quote(model.code)
    return (_sql_text('{"type":"Feature","id":') + cast(code, Text()) + _sql_text(',"geometry":')
            + geometry + _sql_text(',"properties":') + cast(_properties(pairs, pg), Text())
            + _sql_text("}"))


def _properties(pairs: dict[str, ColumnElement], pg: bool) -> ColumnElement:
    """Return the JSON object of ``pairs``, in their order.

    On PostgreSQL, ``row_to_json`` of a one-row subquery: ``json_build_object`` looks up
    every argument's type on every row, which made it 13 % slower over 3,000 parcels, and
    it takes at most 100 arguments.
    """
    if not pg:
        return _object(pairs, pg)
    row = select(*[value.label(key) for key, value in pairs.items()]).correlate_except(
        Building).subquery("props")
    return select(func.row_to_json(literal_column("props"))).select_from(row).scalar_subquery()


def _sql_text(constant: str) -> ColumnElement[str]:
    """Return a string constant written into the SQL, not sent as a parameter per query."""
    if not re.fullmatch(r'[\w{}":,]+', constant):
        raise ValueError(constant)
    return literal_column(f"'{constant}'", Text())


def _rounded(value: ColumnElement, digits: int, pg: bool) -> ColumnElement:
    # PostgreSQL rounds only numerics; back to a float so JSON shows 22.5, not 22.5000.
    if pg:
        return cast(func.round(cast(value, Numeric), digits), Float)
    return func.round(value, digits)


def _object(pairs: dict[str, ColumnElement], pg: bool) -> ColumnElement:
    """Return the JSON object of a few ``pairs`` (a building's); see ``_properties``."""
    return func.json_build_object(*_flatten(pairs)) if pg else func.json_object(*_flatten(pairs))


def _flatten(pairs: dict[str, ColumnElement]) -> list:
    args: list = []
    for key, value in pairs.items():
        args += [_sql_text(key), value]
    return args


def _buildings(pg: bool) -> ColumnElement:
    """Return the parcel's buildings as a JSON array, in id order (a correlated subquery)."""
    one = _object({f.name: getattr(Building, f.name) for f in fields_for("building")}, pg)
    if pg:
        agg = (select(func.json_agg(aggregate_order_by(one, Building.id)))
               .where(Building.parcel_id == Parcel.id).correlate(Parcel))
        return func.coalesce(agg.scalar_subquery(), literal_column("'[]'::json"))
    # SQLite 3.40 has no ORDER BY inside an aggregate: order in a subquery first.
    inner = (select(Building.id, one.label("b_obj")).where(Building.parcel_id == Parcel.id)
             .order_by(Building.id).correlate(Parcel).subquery())
    agg = select(func.json_group_array(func.json(inner.c.b_obj))).scalar_subquery()
    return func.json(func.coalesce(agg, "[]"))
