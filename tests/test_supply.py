"""A parcel's supply life: the one offerable rule, landing and releasing, and every path to it."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from geo.areas import m2_to_mu
from geo.checks import land_class
from geo.dashboard import land_available
from geo.editing import update_parcel
from geo.errors import GeoError
from geo.lifecycle import advance, put_back
from geo.models import Parcel, Project, SupplyMove, Transition
from geo.offers import land_project
from geo.supply import (
    NotOfferable,
    ParcelTaken,
    availability,
    holders,
    move,
    offerable_clause,
)
from tests.conftest import csrf_token, login

TODAY = dt.date.today()


def _signed_projects(session, n=2) -> list[str]:
    codes = session.scalars(select(Project.code).where(Project.stage == "signed",
                                                       Project.parcel_id.is_(None))
                            .order_by(Project.code)).all()
    assert len(codes) >= n
    return list(codes[:n])


def _offerable_parcel(session, layer="stock") -> Parcel:
    return session.scalars(select(Parcel).where(Parcel.layer == layer, offerable_clause())
                           .order_by(Parcel.code)).first()


def _needs_for(parcel: Parcel) -> dict:
    mu = m2_to_mu(parcel.area_m2)
    return {"industry": "35", "land_class": "industrial", "area_min_mu": mu - 0.5,
            "area_max_mu": mu + 0.5, "total_investment": 10.0 * mu,
            "towns": parcel.town}


@pytest.mark.parametrize("facts, offerable, words", [
    (("available", "stock"), True, "can be offered"),
    (("underused", "stock"), False, "not land for supply"),
    (("reserved", "stock"), False, "promised"),
    (("supplied", "stock"), False, "promised"),
    (("available", "stock", None, "XM001"), False, "Reserved for project"),
    (("disposing", "idle", "extend"), False, "original user still holds"),
    (("disposed", "idle", "fee"), False, "original user still holds"),
    (("disposed", "idle", "temporary"), False, "original user still holds"),
    (("disposing", "idle", "change_use"), False, "original user still holds"),
    (("idle", "idle", None), False, "only once it has been taken back"),
    (("disposing", "idle", "recover"), False, "not land for supply"),
    (("recovered", "idle", "recover"), False, "not land for supply"),
    (("available", "idle", "paid_recovery"), True, "can be offered"),
    (("available", "idle", "swap"), True, "can be offered"),
    (("available", "stock", None, None, True), False, "bin"),
])
def test_availability_says_whether_and_why(facts, offerable, words):
    found = availability(*facts)
    assert found.offerable is offerable
    assert words in found.reason


def test_an_administrator_may_add_statuses_but_never_held_ones():
    assert availability("underused", "stock", statuses=("available", "underused")).offerable
    assert not availability("reserved", "stock", statuses=("available", "reserved")).offerable
    assert availability("recovered", "idle", "recover",
                        statuses=("available", "recovered")).offerable


def test_the_sql_clause_and_the_python_rule_agree_on_every_parcel(session):
    project = _signed_projects(session, 1)[0]
    parcel = _offerable_parcel(session)
    advance(session, project, {"to_stage": "landed", "date": TODAY, "by": "王建国"},
            parcels=[parcel.code])
    for statuses in (("available",), ("available", "underused", "recovered")):
        by_sql = set(session.scalars(select(Parcel.code).where(offerable_clause(statuses))))
        held = holders(session, session.scalars(select(Parcel.id)).all())
        by_python = {p.code for p in session.scalars(select(Parcel))
                     if availability(p.status, p.layer, p.disposal, held.get(p.id),
                                     statuses=statuses).offerable}
        assert by_sql == by_python
        assert parcel.code not in by_sql


def test_the_demo_never_offers_idle_land_its_user_still_holds(session):
    offered = session.scalars(select(Parcel).where(Parcel.layer == "idle",
                                                   offerable_clause())).all()
    assert offered, "the demo has idle land taken back and entered into the reserve"
    assert all(p.disposal in ("recover", "paid_recovery", "swap") for p in offered)


def test_landing_through_the_api_reserves_the_parcel_and_a_second_project_gets_409(
        client, session):
    login(client, "editor")
    token = csrf_token(client)
    a, b = _signed_projects(session)
    # An offerable parcel on industrial land, whichever the demo drew (_needs_for asks for it).
    parcel = next(p for p in session.scalars(select(Parcel).where(
        Parcel.layer == "stock", offerable_clause()).order_by(Parcel.code))
        if land_class(p.planned_use or p.land_use,
                      p.planned_use_system if p.planned_use else p.land_use_system
                      ).startswith("industrial"))
    needs = _needs_for(parcel)
    assert parcel.code in _candidates(client, needs)

    land = {"to_stage": "landed", "date": TODAY.isoformat(), "parcels": [parcel.code]}
    response = client.post(f"/api/projects/{a}/transitions", json=land,
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_json()

    card = client.get(f"/api/parcels/{parcel.code}").get_json()
    assert card["properties"]["status"] == "reserved"
    assert card["properties"]["availability"]["offerable"] is False
    assert card["properties"]["availability"]["project"] == a
    assert a in card["properties"]["availability"]["reason"]
    assert parcel.code not in _candidates(client, needs)

    taken = client.post(f"/api/projects/{b}/transitions", json=land,
                        headers={"X-CSRFToken": token})
    assert taken.status_code == 409
    assert taken.get_json()["error"]["code"] == "parcel_taken"
    assert a in taken.get_json()["error"]["message"]

    back = client.post(f"/projects/{a}/put-back", data={
        "date": TODAY.isoformat(), "note": "投资方撤回", "csrf_token": token})
    assert back.status_code == 302
    card = client.get(f"/api/parcels/{parcel.code}").get_json()
    assert card["properties"]["availability"] == {
        "offerable": True, "reason": card["properties"]["availability"]["reason"],
        "project": None}
    assert card["properties"]["status"] == "available"
    assert parcel.code in _candidates(client, needs)


def _candidates(client, needs) -> set[str]:
    body = client.post("/api/match", json=needs).get_json()
    return {c["code"] for c in body["candidates"]}


def test_matching_names_the_parcels_own_status_and_the_rule(client, session):
    kept = session.scalars(select(Parcel).where(Parcel.layer == "idle",
                                                Parcel.disposal == "extend")).first()
    body = client.post(f"/api/match/explain/{kept.code}?lang=zh",
                       json={"industry": "35", "land_class": "industrial",
                             "total_investment": 5000, "area_min_mu": 10}).get_json()
    status = next(c for c in body["checks"] if c["name"] == "status")
    assert status["passed"] is False
    assert "延长动工期限" in status["message"] and "原使用权人" in status["message"]


def test_the_page_path_lands_and_puts_back_through_the_same_rule(client, session):
    login(client, "editor")
    token = csrf_token(client)
    a, b = _signed_projects(session)
    parcel = _offerable_parcel(session)
    form = {"to_stage": "landed", "date": TODAY.isoformat(), "parcels": parcel.code,
            "csrf_token": token}
    assert client.post(f"/projects/{a}/advance", data=form).status_code == 302
    refused = client.post(f"/projects/{b}/advance", data={**form, "lang": "zh"})
    assert refused.status_code == 409
    assert a in refused.get_data(as_text=True)


def test_the_offer_log_lands_with_a_dated_transition_and_refuses_the_pipeline(session):
    signed = _signed_projects(session, 1)[0]
    pipeline = session.scalars(select(Project.code).where(Project.stage == "pipeline")).first()
    parcel = _offerable_parcel(session)
    with pytest.raises(GeoError, match="pipeline"):
        land_project(session, pipeline, parcel.code, TODAY)
    project = land_project(session, signed, parcel.code, TODAY)
    assert project.stage == "landed"
    last = session.scalars(select(Transition).where(Transition.project_id == project.id)
                           .order_by(Transition.id.desc())).first()
    assert (last.from_stage, last.to_stage, last.date) == ("signed", "landed", TODAY)
    assert parcel.status == "reserved"
    assert holders(session, [parcel.id]) == {parcel.id: signed}


def test_idle_land_its_user_keeps_cannot_be_landed_on(session):
    kept = session.scalars(select(Parcel).where(Parcel.layer == "idle",
                                                Parcel.disposal == "extend")).first()
    project = _signed_projects(session, 1)[0]
    with pytest.raises(NotOfferable) as caught:
        advance(session, project, {"to_stage": "landed", "date": TODAY, "by": "王建国"},
                parcels=[kept.code])
    assert caught.value.status == 409


def test_reaching_started_supplies_the_parcel_and_records_its_actual_start(session):
    project = _signed_projects(session, 1)[0]
    parcel = _offerable_parcel(session)
    advance(session, project, {"to_stage": "landed", "date": TODAY, "by": "王建国"},
            parcels=[parcel.code])
    advance(session, project, {"to_stage": "started", "date": TODAY, "by": "王建国"})
    assert (parcel.status, parcel.actual_start) == ("supplied", TODAY)
    moves = session.scalars(select(SupplyMove.move).where(SupplyMove.parcel_id == parcel.id)
                            .order_by(SupplyMove.id)).all()
    assert moves == ["reserve", "supply"]


def test_putting_a_project_back_from_landed_gives_its_land_back(session):
    project = _signed_projects(session, 1)[0]
    parcel = _offerable_parcel(session)
    advance(session, project, {"to_stage": "landed", "date": TODAY, "by": "王建国"},
            parcels=[parcel.code])
    put_back(session, project, {"date": TODAY, "by": "王建国", "note": "投资方撤回"})
    assert parcel.status == "available" and holders(session, [parcel.id]) == {}


def test_idle_land_moves_through_disposal_to_the_reserve(session):
    idle = session.scalars(select(Parcel).where(Parcel.layer == "idle",
                                                Parcel.status == "idle")).first()
    update_parcel(session, idle.code, {"disposal": "recover"}, idle.version, "王建国")
    for to in ("disposing", "recovered", "available"):
        move(session, idle, to, TODAY, "王建国", "令53处置")
        session.commit()
    assert availability(idle.status, idle.layer, idle.disposal).offerable
    with pytest.raises(GeoError):
        move(session, idle, "supplied", TODAY, "王建国")


def test_the_dashboard_counts_exactly_the_offerable_land(session):
    shown = land_available(session)
    total = sum(v for town in shown.values() for v in town.values())
    offerable = session.scalar(select(func.sum(Parcel.area_m2)).where(offerable_clause()))
    assert total == pytest.approx(m2_to_mu(offerable), abs=0.1 * len(shown))


def test_the_investor_sheet_says_nothing_of_the_idle_users_default(client, session):
    idle = session.scalars(select(Parcel).where(Parcel.layer == "idle",
                                                Parcel.disposal_plan.is_not(None))).first()
    sheet = client.get(f"/match/sheet/{idle.code}?lang=zh").get_data(as_text=True)
    for secret in (idle.holder, idle.disposal_plan, "闲置原因", "处置方式"):
        assert secret not in sheet
    login(client, "viewer")
    internal = client.get(f"/match/sheet/{idle.code}?lang=zh&internal=1").get_data(
        as_text=True)
    assert idle.holder in internal and "Internal" in client.get(
        f"/match/sheet/{idle.code}?lang=en&internal=1").get_data(as_text=True)


# SQLite serialises writers; the race is PostgreSQL's to run.
@pytest.mark.parametrize("backend", ["postgis"], indirect=True)
def test_two_simultaneous_landings_on_one_parcel_let_exactly_one_win(app, session, backend):
    a, b = _signed_projects(session)
    code = _offerable_parcel(session).code
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def land(project: str) -> None:
        with app.extensions["landmatch.sessions"]() as s:
            # Both read the parcel as free before either writes.
            s.scalars(select(Parcel).where(Parcel.code == code)).one()
            barrier.wait()
            try:
                advance(s, project, {"to_stage": "landed", "date": TODAY, "by": "王建国"},
                        parcels=[code])
                outcome[project] = "won"
            except (ParcelTaken, GeoError) as error:
                outcome[project] = type(error).__name__

    threads = [threading.Thread(target=land, args=(p,)) for p in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcome.values()) == ["ParcelTaken", "won"], outcome


def test_staff_move_idle_land_through_disposal_into_the_reserve_by_the_api(client, session):
    login(client, "editor")
    headers = {"X-CSRFToken": csrf_token(client)}
    idle = session.scalars(select(Parcel).where(Parcel.layer == "idle",
                                                Parcel.status == "idle")).first()
    update_parcel(session, idle.code, {"disposal": "paid_recovery"}, idle.version, "王建国")
    wrong = client.post(f"/api/parcels/{idle.code}/moves?lang=zh",
                        json={"to_status": "available"}, headers=headers)
    assert wrong.status_code == 409 and "闲置未处置" in wrong.get_json()["error"]["message"]
    for to in ("disposing", "recovered", "available"):
        made = client.post(f"/api/parcels/{idle.code}/moves", headers=headers,
                           json={"to_status": to, "note": "协议有偿收回，纳入储备"})
        assert made.status_code == 201, made.get_json()
    moves = client.get(f"/api/parcels/{idle.code}/moves").get_json()["moves"]
    assert [m["move"] for m in moves] == ["dispose", "recover", "enter_reserve"]
    assert all(m["by"] == "test-editor" for m in moves)
    card = client.get(f"/api/parcels/{idle.code}").get_json()
    assert card["properties"]["availability"]["offerable"] is True


def test_reserved_and_supplied_cannot_be_typed_in_by_hand(session):
    parcel = _offerable_parcel(session)
    with pytest.raises(GeoError, match="landing a project"):
        update_parcel(session, parcel.code, {"status": "supplied"}, parcel.version, "王建国")
    project = _signed_projects(session, 1)[0]
    advance(session, project, {"to_stage": "landed", "date": TODAY, "by": "王建国"},
            parcels=[parcel.code])
    with pytest.raises(GeoError, match="follows the project"):
        update_parcel(session, parcel.code, {"status": "available"}, parcel.version, "王建国")
