"""Every write checks the record as it will be stored, not only the fields sent: API, forms,
direct ORM writes, imports."""

from __future__ import annotations

import pyogrio
import pytest
from sqlalchemy import select, update

from geo.editing import delete_parcel, get_parcel, restore_parcel, update_parcel
from geo.errors import FieldError, GeoError
from geo.importer import Options, commit_plan, plan_import
from geo.models import Parcel
from tests.conftest import csrf_token, login
from tests.interchange_helpers import seat_parcels

IDLE = "141023XZ0001"  # an idle parcel of the demo county, 闲置未处置 or after


@pytest.fixture
def editor(client, session):
    login(client, "editor")
    parcel = get_parcel(session, IDLE)
    parcel.status = "idle"
    parcel.plot_ratio_min, parcel.plot_ratio_max = 1.0, 2.0
    session.commit()
    return client


def _patch(client, values, version):
    return client.patch(f"/api/parcels/{IDLE}", json={"version": version, "values": values},
                        headers={"X-CSRFToken": csrf_token(client)})


def test_moving_an_idle_parcel_to_stock_without_a_new_status_is_refused(editor, session):
    version = get_parcel(session, IDLE).version
    response = _patch(editor, {"layer": "stock"}, version)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "status" and "闲置未处置" in error["message"]
    session.expire_all()
    parcel = get_parcel(session, IDLE)
    assert (parcel.layer, parcel.status, parcel.version) == ("idle", "idle", version)


def test_moving_it_with_a_stock_status_is_accepted(editor, session):
    version = get_parcel(session, IDLE).version
    response = _patch(editor, {"layer": "stock", "status": "可供地"}, version)
    assert response.status_code == 200, response.get_json()
    session.expire_all()
    assert get_parcel(session, IDLE).layer == "stock"


def test_creating_a_stock_parcel_with_an_idle_status_is_refused_the_same_way(editor):
    square = {"type": "Polygon", "coordinates": [[[111.30, 36.0], [111.301, 36.0],
                                                  [111.301, 36.001], [111.30, 36.0]]]}
    response = editor.post("/api/parcels", json={
        "values": {"code": "NEW1", "layer": "stock", "status": "处置中"}, "geometry": square},
        headers={"X-CSRFToken": csrf_token(editor)})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "status"


def test_a_planned_minimum_above_the_stored_maximum_is_refused(editor, session):
    version = get_parcel(session, IDLE).version
    response = _patch(editor, {"plot_ratio_min": 3}, version)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "plot_ratio_min"
    assert _patch(editor, {"plot_ratio_min": 1.5}, version).status_code == 200


def test_the_edit_form_shows_the_same_refusal(editor, session):
    parcel = get_parcel(session, IDLE)
    html = editor.get(f"/parcels/{IDLE}/edit").get_data(as_text=True)
    assert "csrf_token" in html
    response = editor.post(f"/parcels/{IDLE}/edit", data={
        "csrf_token": csrf_token(editor), "version": parcel.version, "code": IDLE,
        "layer": "stock", "status": "idle", "name": parcel.name or "x"})
    assert response.status_code == 400
    assert "闲置未处置" in response.get_data(as_text=True)
    session.expire_all()
    assert get_parcel(session, IDLE).layer == "idle"


def test_no_write_path_can_store_a_record_that_breaks_a_rule(session):
    parcel = session.scalar(select(Parcel).where(Parcel.layer == "stock"))
    parcel.status = "idle"  # straight through the ORM, as any module could
    with pytest.raises(FieldError, match="is not one a parcel of"):
        session.commit()
    session.rollback()
    # A parcel with planning conditions, whichever the demo drew: a maximum below its minimum.
    ruled = session.scalar(select(Parcel).where(Parcel.plot_ratio_min > 0.5)
                           .order_by(Parcel.code))
    with pytest.raises(FieldError):
        update_parcel(session, ruled.code, {"plot_ratio_max": 0.5}, ruled.version, "someone")


def test_an_import_row_with_an_idle_status_on_the_stock_layer_is_reported(tmp_path):
    frame = seat_parcels()
    frame["状态"] = ["可供地", "闲置未处置", "已供应"]
    path = tmp_path / "stock.gpkg"
    pyogrio.write_dataframe(frame, path)
    plan = plan_import(path, "stock", central_meridian=111, options=Options())
    assert [(i.row, i.field) for i in plan.errors] == [(2, "status")]


def test_an_import_update_that_disagrees_with_what_it_keeps_writes_nothing(session, tmp_path):
    frame = seat_parcels(1)
    frame["容积率上限"] = [2.0]
    path = tmp_path / "first.gpkg"
    pyogrio.write_dataframe(frame, path)
    commit_plan(session, plan_import(path, "idle", central_meridian=111, options=Options()))
    second = seat_parcels(1)
    second["容积率下限"] = [3.0]  # the maximum (2.0) stays as stored
    path = tmp_path / "second.gpkg"
    pyogrio.write_dataframe(second, path)
    plan = plan_import(path, "idle", central_meridian=111, options=Options())
    assert plan.errors == []  # the row alone is fine
    with pytest.raises(GeoError, match="breaks a rule of the whole record"):
        commit_plan(session, plan)
    session.rollback()
    stored = session.scalar(select(Parcel).where(Parcel.code == "T000"))
    assert (stored.plot_ratio_min, stored.plot_ratio_max, stored.version) == (None, 2.0, 1)


def test_restoring_a_record_that_breaks_a_rule_is_refused_until_it_is_fixed(session):
    parcel = session.scalar(select(Parcel).where(Parcel.layer == "stock"))
    delete_parcel(session, parcel.code, parcel.version, "someone")
    # data written before the rule existed, straight into the table
    session.execute(update(Parcel).where(Parcel.code == parcel.code).values(status="idle"))
    session.commit()
    session.expire_all()
    with pytest.raises(FieldError) as refused:
        restore_parcel(session, parcel.code, "admin")
    assert refused.value.field == "status"
