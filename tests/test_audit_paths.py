"""Every write path of matching, the ledger and imports leaves an audit record naming who."""

import datetime as dt

import pytest
from sqlalchemy import select

from geo.audit import history
from geo.ledger import add_progress, set_annual_plan, set_plan
from geo.lifecycle import advance, put_back
from geo.models import AuditRecord, Offer, Parcel, Project
from geo.offers import land_project, save_offers, update_offer
from tests.conftest import csrf_token, login

PROJECT = "141023XM001"  # 储备: still looking for land
TODAY = dt.date.today()


def _as(session, user):
    session.info["user"] = user
    return session


def _latest(session) -> AuditRecord:
    return session.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()


@pytest.mark.parametrize(("action", "entity", "write"), [
    ("update", "plan", lambda s: set_plan(s, PROJECT, {"plan_sign": TODAY.isoformat()})),
    ("update", "annual_plan", lambda s: set_annual_plan(
        s, PROJECT, {"year": TODAY.year, "planned_investment": 1234})),
    ("create", "progress", lambda s: add_progress(
        s, PROJECT, {"date": TODAY.isoformat(), "percent_done": 5, "reporter": "王"})),
    ("advance", "project", lambda s: advance(
        s, PROJECT, {"to_stage": "signed", "date": TODAY.isoformat(), "by": "王"})),
    ("offer", "project", lambda s: save_offers(s, PROJECT, [("141023CL0001", 50.0)], TODAY)),
])
def test_ledger_and_offer_writes_are_audited(session, action, entity, write):
    write(_as(session, "li-editor"))
    entry = _latest(session)
    assert (entry.user_name, entry.action, entry.entity) == ("li-editor", action, entity)
    assert entry.code == PROJECT and entry.changes


def test_putting_back_records_the_reason(session):
    project = session.scalars(select(Project).where(Project.stage == "signed")).first()
    put_back(_as(session, "li"), project.code,
             {"date": TODAY.isoformat(), "by": "li", "note": "合同解除"})
    entry = _latest(session)
    assert entry.action == "put_back" and entry.note == "合同解除"
    assert entry.changes == {"stage": ["signed", "pipeline"]}


def test_landing_a_project_audits_the_project_and_its_parcel(session):
    save_offers(_as(session, "zhao"), PROJECT, [("141023CL0002", None)], TODAY)
    offer = session.scalars(select(Offer)).first()
    update_offer(session, offer.id, {"status": "declined", "feedback": "太远"})
    assert _latest(session).entity == "offer"
    advance(session, PROJECT, {"to_stage": "signed", "date": TODAY, "by": "zhao"})
    land_project(session, PROJECT, "141023CL0002", TODAY)
    assert [r.action for r in history(session, "project", PROJECT)][:1] == ["advance"]
    parcel_entry = history(session, "parcel", "141023CL0002")[0]
    assert parcel_entry.user_name == "zhao" and parcel_entry.action == "reserve"
    assert parcel_entry.changes["status"] == ["available", "reserved"]


def test_a_web_write_is_audited_under_the_signed_in_account(app, client, session):
    login(client, "editor")
    response = client.post(f"/projects/{PROJECT}/progress", data={
        "date": TODAY.isoformat(), "percent_done": "10", "reporter": "张",
        "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    entry = _latest(session)
    assert entry.entity == "progress" and entry.user_name.startswith("test-editor")


def test_a_parcel_in_the_bin_is_neither_available_land_nor_a_site(session):
    from geo.dashboard import land_available
    from geo.editing import delete_parcel, get_parcel
    from geo.errors import FieldError

    code = session.scalar(select(Parcel.code).where(
        Parcel.layer == "stock", Parcel.status == "available").order_by(Parcel.code))
    parcel = get_parcel(session, code)
    town, before = parcel.town, land_available(session)
    delete_parcel(session, parcel.code, parcel.version, "li")
    assert land_available(session)[town]["stock"] < before[town]["stock"]
    with pytest.raises(FieldError, match=code):
        advance(_as(session, "li"), "141023XM002",
                {"to_stage": "landed", "date": TODAY.isoformat(), "by": "li"}, parcels=[code])
