"""Environmental capacity: landing holds emissions × the zone's ratio; put back frees them."""

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import select

from geo import capacity
from geo.areas import m2_to_mu
from geo.capacity import CapacityExceeded, capacity_table, zones_left
from geo.categories import load_rules
from geo.dashboard import dashboard
from geo.indicators import load_zones, zone_of
from geo.lifecycle import advance, get_project, put_back
from geo.match_query import explain_parcel
from geo.models import Parcel, Project
from geo.supply import offerable_clause
from tests.conftest import offer_park_land

TODAY = dt.date.today()
PARK = "襄汾经济技术开发区"


def _signed(session) -> Project:
    return session.scalars(select(Project).where(Project.stage == "signed",
                                                 Project.parcel_id.is_(None))
                           .order_by(Project.code)).first()


def _park_parcels(session, n=2) -> list[Parcel]:
    offer_park_land(session, PARK)
    found = session.scalars(select(Parcel).where(Parcel.park == PARK, Parcel.layer == "stock",
                                                 offerable_clause()).order_by(Parcel.code)
                            ).all()[:n]
    assert len(found) == n
    return list(found)


def _needs(parcel: Parcel, so2: float) -> dict:
    mu = m2_to_mu(parcel.area_m2)
    return {"industry": "35", "land_class": "industrial", "area_min_mu": mu - 0.5,
            "area_max_mu": mu + 0.5, "total_investment": 10.0 * mu, "emission_so2": so2}


def _left(session, pollutant="so2") -> float:
    return zones_left(session)[PARK].remaining[pollutant]


def test_landing_takes_emissions_times_the_ratio_and_the_next_match_sees_it_and_put_back_frees_it(
        session):
    project = _signed(session)
    project.emission_so2, project.emission_cod = 6.0, 1.5
    session.commit()
    land, other = _park_parcels(session)
    zone = load_zones("141023")[PARK]
    assert (zone.offset("so2"), zone.offset("cod")) == (2.0, 1.0)  # 倍量替代 for the air
    before, cod_before = _left(session), _left(session, "cod")
    seen = {c.name: c for c in explain_parcel(session, _needs(other, 1.0), other.code,
                                              "141023")[1]}
    assert seen["capacity_so2"].threshold == pytest.approx(before)

    advance(session, project.code, {"to_stage": "landed", "date": TODAY, "by": "王建国"},
            parcels=[land.code])
    assert _left(session) == pytest.approx(before - 6.0 * 2)
    assert _left(session, "cod") == pytest.approx(cod_before - 1.5)
    checks = {c.name: c for c in explain_parcel(session, _needs(other, 1.0), other.code,
                                                "141023")[1]}
    assert checks["capacity_so2"].threshold == pytest.approx(before - 12.0)
    assert checks["capacity_so2"].value == pytest.approx(2.0)  # the new project at 2:1 too
    row = next(r for r in capacity_table(session) if (r["zone"], r["pollutant"]) == (PARK, "so2"))
    assert {"project": project.code, "name": project.name, "emission": 6.0,
            "held": 12.0} in row["holders"]
    assert row["left"] == pytest.approx(before - 12.0)

    put_back(session, project.code, {"date": TODAY, "by": "王建国", "note": "投资方撤回"})
    assert _left(session) == pytest.approx(before)
    assert project.code not in {h["project"] for r in capacity_table(session)
                                for h in r["holders"]}


def test_a_confirmed_quota_that_cannot_take_the_project_refuses_the_landing(session,
                                                                           monkeypatch):
    project = _signed(session)
    project.emission_nox = 50.0
    session.commit()
    land = _park_parcels(session, 1)[0]
    zones = load_zones("141023")
    tight = {**zones, PARK: replace(zones[PARK], confirmed=True,
                                    remaining={**zones[PARK].remaining, "nox": 90.0})}
    monkeypatch.setattr(capacity, "load_zones", lambda _code: tight)
    with pytest.raises(CapacityExceeded) as caught:
        advance(session, project.code, {"to_stage": "landed", "date": TODAY, "by": "王建国"},
                parcels=[land.code])
    assert caught.value.status == 409 and caught.value.field == "emission_nox"
    assert "100" in str(caught.value) and PARK in str(caught.value)
    session.rollback()
    assert get_project(session, project.code).stage == "signed"
    assert zone_of(tight, land.park).name == PARK


def test_an_unconfirmed_quota_informs_but_never_refuses(session):
    project = _signed(session)
    project.emission_so2 = 10_000.0  # far beyond the demo's (unconfirmed) quota
    session.commit()
    land = _park_parcels(session, 1)[0]
    advance(session, project.code, {"to_stage": "landed", "date": TODAY, "by": "王建国"},
            parcels=[land.code])
    assert _left(session) < 0


def test_the_dashboard_shows_each_zones_quota_what_is_held_and_by_whom(session):
    figures = dashboard(session, TODAY, load_rules())
    rows = {(r["zone"], r["pollutant"]): r for r in figures["capacity"]}
    assert (PARK, "so2") in rows and ("*", "nh3n") in rows
    held = [h for r in figures["capacity"] for h in r["holders"]]
    assert held, "demo projects that hold land hold some of the quota"
    for r in figures["capacity"]:
        assert r["left"] == pytest.approx(r["quota"] - sum(h["held"] for h in r["holders"]))
