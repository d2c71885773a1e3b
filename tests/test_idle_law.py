"""令53 derived from the supply register: idle dates, the fee and its amount, lawful disposals."""

import datetime as dt

import pyogrio
import pytest
from shapely.geometry import box
from sqlalchemy import select

from geo.errors import FieldError
from geo.geometry import as_multipolygon, to_db
from geo.idle import idle_ledger
from geo.idle_law import Contract, derive
from geo.importer import plan_import
from geo.models import Parcel
from tests.conftest import csrf_token, login
from tests.interchange_helpers import seat_parcels

AREA = 9000.0


def _parcel(session, code, status="idle", **values):
    shape = as_multipolygon(box(111.30, 35.95, 111.301, 35.951))
    parcel = Parcel(code=code, layer="idle", status=status, area_m2=AREA, geom=to_db(shape),
                    extra={}, **values)
    session.add(parcel)
    session.commit()
    return parcel


def _line(session, code, on):
    return next(line for line in idle_ledger(session, on) if line.parcel.code == code)


def test_unstarted_land_is_idle_a_year_after_its_agreed_start_with_fee_then_and_recovery_a_year_on(
        session):
    parcel = _parcel(session, "T-L1", agreed_start=dt.date(2022, 3, 20), contract_price=480.0,
                     supply_method="transfer", idle_cause="user")
    assert parcel.idle_since == dt.date(2023, 3, 20)  # stored, derived, never typed

    before = _line(session, "T-L1", dt.date(2023, 3, 19)).law
    assert (before.state, before.fee_from, before.fee_amount) == ("running", None, None)
    law = _line(session, "T-L1", dt.date(2023, 3, 20)).law
    assert law.state == "idle_unstarted"
    assert (law.idle_from, law.fee_from, law.recovery_from) == (
        dt.date(2023, 3, 20), dt.date(2023, 3, 20), dt.date(2024, 3, 20))
    assert law.fee_amount == pytest.approx(0.2 * 480.0)
    assert "第二条" in law.article and "第十四条" in law.article


def test_a_typed_idle_date_gives_way_to_the_contracts(session):
    parcel = _parcel(session, "T-L2", agreed_start=dt.date(2021, 6, 1))
    parcel.idle_since = dt.date(2015, 1, 1)
    session.commit()
    assert parcel.idle_since == dt.date(2022, 6, 1)


@pytest.mark.parametrize(("facts", "state"), [
    ({"developed_area_m2": AREA / 3 - 1}, "idle_stalled"),        # under a third of the area
    ({"developed_area_m2": AREA / 3}, "in_use"),                  # a third exactly: not stalled
    ({"invested": 249.0, "agreed_investment": 1000.0}, "idle_stalled"),  # under 25 %
    ({"invested": 250.0, "agreed_investment": 1000.0}, "in_use"),
])
def test_started_land_is_idle_when_stalled_under_a_third_or_a_quarter_and_stopped_a_year(
        facts, state):
    contract = Contract(agreed_start=dt.date(2020, 1, 1), actual_start=dt.date(2020, 6, 1),
                        stopped_since=dt.date(2021, 4, 1), area_m2=AREA, **facts)
    law = derive(contract, dt.date(2022, 4, 1))
    assert law.state == state
    if state == "idle_stalled":
        assert law.idle_from == dt.date(2022, 4, 1) and "第二条第二款" in law.article
        assert derive(contract, dt.date(2022, 3, 31)).state == "running"


def test_land_the_government_left_idle_owes_no_fee_and_is_never_taken_back_for_nothing():
    law = derive(Contract(agreed_start=dt.date(2019, 3, 1), contract_price=300.0,
                          cause="government"), dt.date(2026, 1, 1))
    assert law.state == "idle_unstarted" and law.idle_from == dt.date(2020, 3, 1)
    assert (law.fee_from, law.fee_amount, law.recovery_from) == (None, None, None)
    assert "第八条" in law.article


def test_a_start_recorded_at_kaigong_ends_the_idleness(session):
    parcel = _parcel(session, "T-L3", agreed_start=dt.date(2022, 1, 10))
    parcel.actual_start = dt.date(2022, 5, 1)  # geo.supply.start writes it at 开工
    session.commit()
    assert parcel.idle_since is None
    assert _line(session, "T-L3", dt.date(2025, 1, 1)).law.state == "in_use"


@pytest.mark.parametrize("method", ["fee", "recover"])
def test_a_government_cause_with_the_fee_or_recovery_is_refused_citing_the_articles(
        session, method):
    with pytest.raises(FieldError, match="第八条") as caught:
        _parcel(session, "T-L4", idle_cause="government", disposal=method,
                status="disposing")
    assert caught.value.field == "disposal"
    session.rollback()


def test_the_api_refuses_an_unlawful_pair_naming_the_field_and_article(client, session):
    login(client, "editor")
    parcel = session.scalars(select(Parcel).where(Parcel.layer == "idle",
                                                  Parcel.idle_cause == "government")).first()
    answer = client.patch(f"/api/parcels/{parcel.code}?lang=zh",
                          json={"version": parcel.version, "values": {"disposal": "fee"}},
                          headers={"X-CSRFToken": csrf_token(client)})
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["field"] == "disposal" and "第八条" in error["message"]
    assert "处置方式" in error["message"]


def test_an_import_row_with_an_unlawful_pair_is_rejected_by_row(tmp_path):
    frame = seat_parcels(2)
    frame["闲置原因"] = ["政府原因", "企业原因"]
    frame["处置方式"] = ["无偿收回", "无偿收回"]
    path = tmp_path / "idle.gpkg"
    pyogrio.write_dataframe(frame, path)
    plan = plan_import(path, "idle", central_meridian=111)
    assert [(i.row, i.field) for i in plan.errors] == [(1, "disposal")]
    assert "第八条" in plan.errors[0].message % {"field": "处置方式", **plan.errors[0].params}


def test_the_demo_holds_no_unlawful_pair_and_its_idle_dates_follow_from_contracts(session):
    idle = session.scalars(select(Parcel).where(Parcel.layer == "idle")).all()
    assert not [p.code for p in idle if p.idle_cause == "government"
                and p.disposal in ("fee", "recover")]
    assert all(p.agreed_start and p.supervision_no and p.contract_price for p in idle)
    on = dt.date.today()
    states = {derive(Contract.of(p), on).state for p in idle}
    assert {"idle_unstarted", "idle_stalled"} <= states
    assert all(p.idle_since == derive(Contract.of(p), on).idle_from for p in idle)


def test_the_idle_api_gives_state_article_fee_and_dates(client, session):
    parcels = client.get("/api/idle").get_json()["parcels"]
    user = next(p for p in parcels if p["idle_cause"] == "user"
                and p["idle_state"] == "idle_unstarted")
    stored = session.scalars(select(Parcel).where(Parcel.code == user["code"])).one()
    assert user["idle_from"] == stored.idle_since.isoformat() == user["fee_from"]
    assert user["fee_amount"] == pytest.approx(round(0.2 * stored.contract_price, 2))
    assert "第十四条" in user["article"]
    government = next(p for p in parcels if p["idle_cause"] == "government"
                      and p["idle_state"].startswith("idle_"))
    assert government["fee_amount"] is None and government["recovery_from"] is None
