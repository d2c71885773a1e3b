"""The demo county: reproducible, plausible, and inside the county."""


import pytest
from shapely import STRtree
from sqlalchemy import select

from geo.areas import ellipsoidal_area_m2
from geo.county import load_county
from geo.demo import counts
from geo.fields import CHAINS, STAGES
from geo.geometry import from_db
from geo.models import Parcel, Project


@pytest.fixture
def parcels(session):
    return list(session.scalars(select(Parcel)))


def test_demo_has_the_promised_numbers(session):
    made = counts(session)
    assert made["stock"] >= 300 and made["idle"] >= 60 and made["projects"] >= 72


def test_demo_county_has_thirteen_towns_and_a_park():
    county = load_county()
    assert len(county.towns) == 13
    assert {"新城镇", "南辛店乡", "陶寺乡"} <= {t.name for t in county.towns}
    assert county.parks


def test_parcels_lie_in_the_county_and_do_not_overlap(parcels):
    county = load_county().outline
    shapes = [from_db(p.geom) for p in parcels]
    assert all(county.contains(s) for s in shapes)
    tree = STRtree(shapes)
    for i, j in tree.query(shapes, predicate="intersects").T:
        if i < j:
            assert shapes[i].intersection(shapes[j]).area == 0


def test_parcels_have_realistic_values(parcels):
    for p in parcels:
        assert 0.3 <= p.plot_ratio <= 2.5
        assert 25 <= p.building_coefficient <= 70
        assert 50 <= p.investment_intensity <= 650
        assert p.area_m2 == pytest.approx(ellipsoidal_area_m2(from_db(p.geom)))
        assert p.town in {t.name for t in load_county().towns}
        if p.layer == "idle":
            assert 2014 <= p.idle_since.year <= 2024
    assert any(p.buildings for p in parcels if p.layer == "idle")


def test_projects_cover_every_stage_and_priority_industry(session):
    projects = list(session.scalars(select(Project)))
    assert {p.stage for p in projects} == {s.value for s in STAGES}
    assert {p.chain for p in projects} == {c.value for c in CHAINS}
    landed = [p for p in projects if p.stage in ("landed", "started", "building", "producing")]
    assert all(p.site is not None for p in landed)
    assert all(p.site is None for p in projects if p.stage in ("pipeline", "signed"))


def test_same_seed_gives_the_same_register(session, empty_app):
    from geo.demo import load_demo

    with empty_app.extensions["landmatch.sessions"]() as other:
        load_demo(other, load_county())
        again = [(p.code, round(p.area_m2, 3), p.holder) for p in
                 other.scalars(select(Parcel).order_by(Parcel.code))]
    first = [(p.code, round(p.area_m2, 3), p.holder) for p in
             session.scalars(select(Parcel).order_by(Parcel.code))]
    assert first == again




def test_demo_ledger_shows_every_category_and_idle_land_alert(session):
    import datetime as dt

    from geo.categories import load_rules
    from geo.fields import CATEGORIES
    from geo.idle import idle_alerts
    from geo.ledger import PLAN_ORDER, ledger

    rows = ledger(session, dt.date.today(), load_rules())
    assert {r.category for r in rows} == {c.value for c in CATEGORIES}
    slow = [r for r in rows if r.category == "slow"]
    assert slow and all(r.stage in ("started", "building") for r in slow)
    assert all("node_overdue" in {a.kind for a in r.alerts} for r in slow)
    late = [r for r in rows if r.late_report]
    assert late and all("silent" in {a.kind for a in r.alerts} for r in late)
    assert {r.category for r in late} - {"slow"}  # a late report is not slow progress
    for r in rows:  # planned nodes in date order, as the ledger form requires
        dates = [getattr(r.project.plan, n) for n in PLAN_ORDER if r.project.plan]
        dates = [d for d in dates if d]
        assert dates == sorted(dates), r.project.code
    assert all(r.project.progress for r in rows if r.stage != "pipeline")
    kinds = {a.kind for a in idle_alerts(session, dt.date.today(), load_rules())}
    assert kinds == {"disposal_overdue", "recovery_due", "idle_candidate"}
