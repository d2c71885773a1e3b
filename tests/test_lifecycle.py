"""Project stages: allowed moves, refused moves, putting back, tying the land at 落地."""

import datetime as dt

import pytest
from shapely.geometry import box
from sqlalchemy import select

from geo.errors import FieldError, GeoError, NotFound
from geo.geometry import from_db
from geo.lifecycle import advance, put_back, stage_on
from geo.models import Parcel, Project, project_parcels

TODAY = dt.date(2026, 6, 30)
D = dt.date(2026, 3, 1)


@pytest.fixture
def project(session):
    p = Project(code="T001", name="测试项目", stage="pipeline", extra={})
    session.add(p)
    session.commit()
    return p


def _move(session, to, date=D, **kw):
    return advance(session, "T001", {"to_stage": to, "date": date, "by": "王建国",
                                     "note": kw.pop("note", None)}, today=TODAY, **kw)


def test_advance_one_stage_records_date_who_and_note(session, project):
    t = advance(session, "T001", {"to_stage": "签约", "date": "2026-03-01", "by": "王建国",
                                  "note": "签订投资协议"}, today=TODAY)
    assert (t.from_stage, t.to_stage, t.kind, t.by, t.note) == (
        "pipeline", "signed", "forward", "王建国", "签订投资协议")
    assert t.date == D and project.stage == "signed"


def test_every_stage_is_reached_in_order_with_land_at_landed(session, project):
    _move(session, "signed")
    _move(session, "landed", parcels=["141023CL0002"])
    for stage in ("started", "building", "producing"):
        _move(session, stage)
    assert project.stage == "producing"
    assert [t.to_stage for t in project.transitions] == [
        "signed", "landed", "started", "building", "producing"]


def test_skipping_a_stage_is_refused(session, project):
    with pytest.raises(FieldError, match="can only move on") as info:
        _move(session, "landed", site=box(111.4, 35.8, 111.41, 35.81))
    assert info.value.field == "to_stage" and project.stage == "pipeline"


def test_moving_to_the_same_stage_or_past_production_is_refused(session, project):
    with pytest.raises(FieldError, match="can only move on"):
        _move(session, "pipeline")
    project.stage = "producing"
    session.commit()
    with pytest.raises(FieldError, match="can only move on"):
        _move(session, "producing")


def test_landing_without_parcel_or_site_is_refused(session, project):
    _move(session, "signed")
    with pytest.raises(FieldError, match="parcel") as info:
        _move(session, "landed")
    assert info.value.field == "parcel"
    session.rollback()
    assert session.get(Project, project.id).stage == "signed"


def test_landing_with_an_unknown_parcel_is_refused(session, project):
    _move(session, "signed")
    with pytest.raises(FieldError, match="NOPE"):
        _move(session, "landed", parcels=["NOPE"])


def test_landing_with_parcels_ties_them_and_makes_the_site(session, project):
    _move(session, "signed")
    # Two parcels that can be offered (可供地), whichever the demo drew; the larger is the
    # project's main parcel.
    free = session.scalars(select(Parcel).where(
        Parcel.layer == "stock", Parcel.status == "available",
        Parcel.id.not_in(select(project_parcels.c.parcel_id)),
        Parcel.id.not_in(select(Project.parcel_id).where(Project.parcel_id.is_not(None))))
        .order_by(Parcel.code).limit(2)).all()
    codes = [p.code for p in free]
    _move(session, "landed", parcels=codes)
    assert [p.code for p in project.parcels] == codes
    assert project.parcel.code == max(free, key=lambda p: p.area_m2).code
    site = from_db(project.site)
    for parcel in project.parcels:
        assert site.contains(from_db(parcel.geom).representative_point())


def test_landing_with_a_drawn_site(session, project):
    _move(session, "signed")
    _move(session, "landed", site=box(111.40, 35.80, 111.41, 35.81))
    assert from_db(project.site).bounds == pytest.approx((111.40, 35.80, 111.41, 35.81))


def test_put_back_one_stage_needs_a_reason(session, project):
    _move(session, "signed")
    with pytest.raises(FieldError, match="reason") as info:
        put_back(session, "T001", {"date": D, "by": "李志强"}, today=TODAY)
    assert info.value.field == "note"
    t = put_back(session, "T001", {"date": D, "by": "李志强", "note": "协议解除"}, today=TODAY)
    assert (t.from_stage, t.to_stage, t.kind, t.note) == ("signed", "pipeline", "back", "协议解除")
    assert project.stage == "pipeline"


def test_a_pipeline_project_cannot_be_put_back(session, project):
    with pytest.raises(GeoError, match="cannot be put back"):
        put_back(session, "T001", {"date": D, "by": "李志强", "note": "x"}, today=TODAY)


def test_transition_dates_cannot_be_in_the_future_or_go_backwards(session, project):
    with pytest.raises(FieldError, match="future"):
        _move(session, "signed", date=TODAY + dt.timedelta(days=1))
    _move(session, "signed", date=TODAY)  # today itself is fine
    with pytest.raises(FieldError, match="before the project's last transition"):
        put_back(session, "T001", {"date": D, "by": "x", "note": "y"}, today=TODAY)


def test_who_and_date_are_required(session, project):
    with pytest.raises(FieldError) as info:
        advance(session, "T001", {"to_stage": "signed", "date": D}, today=TODAY)
    assert info.value.field == "by"
    with pytest.raises(FieldError) as info:
        advance(session, "T001", {"to_stage": "signed", "by": "x"}, today=TODAY)
    assert info.value.field == "date"


def test_unknown_project_is_not_found(session):
    with pytest.raises(NotFound):
        advance(session, "NOPE", {"to_stage": "signed", "date": D, "by": "x"}, today=TODAY)


def test_stage_on_a_past_day_follows_the_transitions(session, project):
    _move(session, "signed", date=dt.date(2026, 2, 1))
    _move(session, "landed", date=dt.date(2026, 4, 1), site=box(111.4, 35.8, 111.41, 35.81))
    assert stage_on(project, dt.date(2026, 1, 31)) == "pipeline"
    assert stage_on(project, dt.date(2026, 2, 1)) == "signed"
    assert stage_on(project, dt.date(2026, 3, 31)) == "signed"
    assert stage_on(project, dt.date(2026, 4, 1)) == "landed"
