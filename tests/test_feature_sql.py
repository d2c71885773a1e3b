"""The Features the database writes equal the Python definition of a record's properties."""

import datetime as dt
import json
import math

from sqlalchemy import select

from geo.features import LAYERS, PROJECTS, iter_layer, properties, query_layer
from geo.models import Building, Parcel, Project


def _same(a, b, path="") -> None:
    """Assert two JSON values are equal; floats to the last digits either side prints."""
    if isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-12), path
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            _same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{path}[{i}]")
    else:
        assert a == b, path


def test_every_feature_of_every_layer_matches_its_python_properties(session):
    parcel = session.scalars(select(Parcel).where(Parcel.layer == "idle")).first()
    parcel.extra = {"备注": "带\"引号\"与<b>标签</b>", "层数": 3, "嵌套": {"a": [1, None]}}
    parcel.idle_since = dt.date(2019, 2, 28)
    parcel.buildings.append(Building(floor_area_m2=1500.5, storeys=2, idle="yes"))
    parcel.buildings.append(Building(floor_area_m2=800.0, crane_t=10.0))
    session.commit()
    checked = 0
    for layer in [*LAYERS.values(), PROJECTS]:
        model = Project if layer.entity == "project" else Parcel
        for text in iter_layer(session, layer):
            feature = json.loads(text)
            record = session.scalars(select(model).where(model.code == feature["id"])).one()
            code = record.parcel.code if layer.entity == "project" and record.parcel else None
            _same(feature["properties"], properties(layer, record, code), feature["id"])
            assert feature["type"] == "Feature"
            checked += 1
    assert checked > 400
    mine = json.loads(next(f for f in iter_layer(session, LAYERS["idle"])
                           if json.loads(f)["id"] == parcel.code))
    assert [b["floor_area_m2"] for b in mine["properties"]["buildings"]][-2:] == [1500.5, 800.0]
    assert mine["properties"]["extra"]["嵌套"] == {"a": [1, None]}


def test_a_page_that_is_not_full_counts_itself_and_a_full_page_counts_the_rest(session):
    stock = LAYERS["stock"]
    total = query_layer(session, stock, limit=10000).number_matched
    assert total == len(list(iter_layer(session, stock)))
    assert query_layer(session, stock, limit=10).number_matched == total
    assert query_layer(session, stock, limit=10, offset=total - 3).number_matched == total
    assert query_layer(session, stock, limit=10, offset=total + 5).number_matched == total
