"""Matching against the database on both backends: pre-filter, shared edges, why-not, landing."""

import datetime as dt

import pytest
from shapely.geometry import box

from geo.areas import ellipsoidal_area_m2, m2_to_mu
from geo.geometry import as_multipolygon, from_db, to_db
from geo.match_query import explain_parcel, run_match
from geo.models import Offer, Parcel, Project
from geo.offers import land_project, offer_log, save_offers

COUNTY = "141023"
TODAY = dt.date(2026, 11, 26)
# A small cluster near (111.40, 35.90); 0.0006° × 0.0006° is about 5.4 亩 there.
SHAPES = {
    "E1": box(111.4000, 35.9000, 111.4006, 35.9006),
    "E2": box(111.4006, 35.9000, 111.4012, 35.9006),   # shares E1's east edge
    "K": box(111.3994, 35.8994, 111.4000, 35.9000),    # touches E1 at one corner only
    "G": box(111.4030, 35.9000, 111.4036, 35.9006),    # a road's width away
    "R": box(111.4050, 35.9000, 111.4062, 35.9012),    # large enough, but reserved
    "F": box(111.5500, 35.9000, 111.5512, 35.9012),    # 13 km east
    "HUGE": box(111.4100, 35.9000, 111.4160, 35.9060),  # far above the area wanted
}
NEEDS = {"industry": "39", "land_class": "industrial2", "area_min_mu": 8, "area_max_mu": 30,
         "total_investment": 2000, "lon": 111.40, "lat": 35.90, "max_distance_km": 5}


@pytest.fixture
def db(empty_app):
    with empty_app.extensions["landmatch.sessions"]() as session:
        for code, shape in SHAPES.items():
            geom = as_multipolygon(shape)
            session.add(Parcel(code=code, layer="stock", land_use="100102",
                               land_use_system="ydyh2023",
                               status="reserved" if code == "R" else "available",
                               area_m2=ellipsoidal_area_m2(geom), geom=to_db(geom), extra={}))
        session.add(Project(code="XM1", name="示例项目", stage="signed", industry="39", extra={}))
        session.commit()
        yield session


def test_only_parcels_sharing_an_edge_are_offered_as_a_pair(db):
    result = run_match(db, NEEDS, COUNTY)
    pairs = [c for c in result.outcome.candidates if c.pair]
    assert [c.facts.code for c in pairs] == ["E1+E2"]
    assert m2_to_mu(pairs[0].facts.area_m2) == pytest.approx(
        m2_to_mu(db.get(Parcel, 1).area_m2 + db.get(Parcel, 2).area_m2))
    assert {"E1", "E2"} <= set(result.features)


def test_prefilter_drops_far_and_oversized_parcels_but_keeps_taken_ones_as_rejected(db):
    result = run_match(db, NEEDS, COUNTY)
    rejected = dict(result.outcome.rejected)
    assert rejected["R"] == ["status"]
    assert rejected["G"] == ["area"] and rejected["K"] == ["area"]
    considered = {c for c, _ in result.outcome.rejected} | {
        c.facts.code for c in result.outcome.candidates if not c.pair}
    assert "F" not in considered and "HUGE" not in considered
    assert result.outcome.considered == 5


def test_why_not_explains_a_parcel_the_prefilter_left_out(db):
    facts, checks, feature = explain_parcel(db, NEEDS, "F", COUNTY)
    failed = [c.name for c in checks if not c.passed]
    assert failed == ["distance"] and feature["id"] == "F"
    distance = next(c for c in checks if c.name == "distance")
    assert 12 < distance.value < 14


def test_choosing_a_parcel_lands_the_project_on_it(db):
    save_offers(db, "XM1", [("R", None), ("E1+E2", 61.5)], TODAY)
    save_offers(db, "XM1", [("E1", 60.0)], TODAY)  # offered already: not twice
    project, offers = offer_log(db, "XM1")
    assert sorted(o.parcel.code for o, _found in offers) == ["E1", "E2", "R"]
    land_project(db, "XM1", "E1+E2", TODAY)
    db.expire_all()
    project = db.query(Project).filter_by(code="XM1").one()
    assert project.stage == "landed" and project.parcel.code in ("E1", "E2")
    site = from_db(project.site)
    assert site.area == pytest.approx((SHAPES["E1"].union(SHAPES["E2"])).area, rel=1e-6)
    statuses = {o.parcel.code: o.status for o in db.query(Offer)}
    assert statuses == {"R": "offered", "E1": "chosen", "E2": "chosen"}
    assert dict(run_match(db, NEEDS, COUNTY).outcome.rejected)["E1"] == ["status", "area"]


def test_same_industry_projects_nearby_raise_the_chain_part(db):
    site = as_multipolygon(box(111.4013, 35.9000, 111.4019, 35.9006))
    db.add(Project(code="XM2", name="邻近项目", stage="producing", industry="3911",
                   site=to_db(site), extra={}))
    db.add(Project(code="XM3", name="同链项目", stage="producing", industry="13",
                   chain="new_energy", site=to_db(site), extra={}))
    db.commit()
    needs = {**NEEDS, "area_min_mu": 10}
    pair = next(c for c in run_match(db, needs, COUNTY).outcome.candidates if c.pair)
    assert pair.facts.neighbours == 1 and pair.score_parts["chain"] == 5.0  # 1/3 of 15
    chained = run_match(db, {**needs, "chain": "new_energy"}, COUNTY).outcome.candidates
    assert next(c for c in chained if c.pair).facts.neighbours == 2


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_spatialite_prefilter_goes_through_the_rtree(db):
    from sqlalchemy import text

    from geo.match_query import prefilter
    from geo.matching import Settings
    from geo.needs import parse_needs

    stmt = prefilter(db, parse_needs(NEEDS), Settings())
    sql = stmt.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
    plan = " ".join(str(r) for r in db.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "idx_parcels_geom" in plan and "VIRTUAL TABLE INDEX" in plan, plan
