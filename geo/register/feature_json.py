"""GeoJSON Features written by the database itself, one text per row, for the bulk reads.

Serialising properties in Python costs about as much as the query (3,000 parcels: 25 ms of
``json.dumps`` on top of 30 ms of SQL); SQLite's ``json_object`` and PostgreSQL's
``row_to_json`` do it while the row is read, for a fraction of that (docs/traps.md 18). The
text equals ``geo.features.properties`` (a test compares the two field by field on both
backends), which stays the one Python definition used for single records, snapshots and
history. The JSON functions each backend offers are its class's ``json_*`` methods.
"""

from __future__ import annotations

import functools
import re

from sqlalchemy import Text, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

from geo.areas import M2_PER_HA, M2_PER_MU
from geo.fields import fields_for
from geo.models import Building, Parcel


@functools.cache
def feature_json(backend, layer, model, geom, parcel_code=None) -> ColumnElement[str]:
    """Return an SQL expression giving each row of ``model`` as a GeoJSON Feature text.

    ``backend`` is the database's ``geo.register.Backend``; ``layer`` is a
    ``geo.features.Layer``; ``parcel_code`` is the joined parcel's code for projects. Key
    order is the data dictionary's, as in ``geo.features.properties``. Built once per layer
    and backend: building it costs more than running it for a small page.
    """
    pairs: dict[str, ColumnElement] = {}
    for field in layer.fields:
        pairs[field.name] = parcel_code if field.name == "parcel" else getattr(model, field.name)
    if model is Parcel:
        pairs["area_mu"] = backend.json_rounded(Parcel.area_m2 / M2_PER_MU, 4)
        pairs["area_ha"] = backend.json_rounded(Parcel.area_m2 / M2_PER_HA, 6)
        pairs["area_m2"] = backend.json_rounded(Parcel.area_m2, 2)
        one = backend.json_object({f.name: getattr(Building, f.name)
                                   for f in fields_for("building")})
        pairs["buildings"] = backend.json_buildings(one)
    pairs["extra"] = backend.json_extra(model.extra)
    pairs["version"] = model.version
    geometry = func.coalesce(func.ST_AsGeoJSON(geom, 8), "null")
    return (sql_text('{"type":"Feature","id":') + cast(backend.json_code(model.code), Text())
            + sql_text(',"geometry":') + geometry + sql_text(',"properties":')
            + cast(backend.json_properties(pairs), Text()) + sql_text("}"))


def sql_text(constant: str) -> ColumnElement[str]:
    """Return a string constant written into the SQL, not sent as a parameter per query."""
    if not re.fullmatch(r'[\w{}":,]+', constant):
        raise ValueError(constant)
    return literal_column(f"'{constant}'", Text())


def flatten(pairs: dict[str, ColumnElement]) -> list:
    """Return ``pairs`` as the alternating key, value arguments of a JSON object function."""
    args: list = []
    for key, value in pairs.items():
        args += [sql_text(key), value]
    return args
