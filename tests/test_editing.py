"""Editing parcels: attributes, shape, split, merge, soft delete, restore, versions, audit."""

import json

import pytest
import shapely
from shapely.geometry import box, mapping
from sqlalchemy import func, select

from geo.areas import ellipsoidal_area_m2
from geo.audit import history
from geo.editing import (
    create_parcel,
    delete_parcel,
    deleted_parcels,
    get_parcel,
    merge_parcels,
    restore_parcel,
    restore_version,
    split_parcel,
    update_parcel,
)
from geo.errors import Conflict, GeoError, NotFound
from geo.features import get_layer, query_layer
from geo.geometry import from_db
from geo.models import AuditRecord
from tests.conftest import csrf_token, login

CODE = "141023XZ0001"
# Two 0.001° squares side by side, far from the demo's parcels (no overlap with anything).
WEST = box(111.300, 36.000, 111.301, 36.001)
EAST = box(111.301, 36.000, 111.302, 36.001)


def _new(session, code, shape, layer="stock"):
    return create_parcel(session, {"code": code, "layer": layer, "status": "available",
                                   "name": "试验地块"}, mapping(shape), "tester")


def test_update_changes_values_bumps_the_version_and_is_audited(session):
    parcel = get_parcel(session, CODE)
    old_name, version = parcel.name, parcel.version
    update_parcel(session, CODE, {"name": "新名称", "plot_ratio": "1.2"}, version, "wang")
    assert parcel.name == "新名称" and parcel.plot_ratio == 1.2
    assert parcel.version == version + 1
    entry = history(session, "parcel", CODE)[0]
    assert entry.user_name == "wang" and entry.action == "update"
    assert entry.changes["name"] == [old_name, "新名称"]
    assert entry.version == version + 1 and entry.geom_before is None


def test_invalid_values_are_refused_by_the_dictionary(session):
    parcel = get_parcel(session, CODE)
    with pytest.raises(GeoError) as caught:
        update_parcel(session, CODE, {"building_coefficient": "150"}, parcel.version, "wang")
    assert caught.value.field == "building_coefficient"


def test_saving_over_a_newer_version_is_a_conflict_showing_both(session):
    parcel = get_parcel(session, CODE)
    seen = parcel.version
    update_parcel(session, CODE, {"name": "甲的修改"}, seen, "jia")
    with pytest.raises(Conflict) as caught:
        update_parcel(session, CODE, {"name": "乙的修改"}, seen, "yi")
    assert caught.value.status == 409
    assert caught.value.current["name"] == "甲的修改"
    assert caught.value.current["version"] == seen + 1
    assert caught.value.submitted["name"] == "乙的修改"
    assert get_parcel(session, CODE).name == "甲的修改"


def test_a_new_parcel_gets_its_area_on_the_ellipsoid(session):
    parcel = _new(session, "NEW-1", WEST)
    # 0.001° × 0.001° at 36°N: 110.96 m of meridian × 90.163 m of parallel on the ellipsoid
    assert parcel.area_m2 == pytest.approx(110.96 * 90.163, abs=1)
    assert history(session, "parcel", "NEW-1")[0].action == "create"


def test_reshaping_records_geometry_before_and_after(session):
    parcel = _new(session, "NEW-1", WEST)
    bigger = box(111.300, 36.000, 111.302, 36.001)
    update_parcel(session, "NEW-1", {}, parcel.version, "wang", geometry=mapping(bigger))
    assert parcel.area_m2 == pytest.approx(2 * ellipsoidal_area_m2(WEST), rel=1e-6)
    entry = history(session, "parcel", "NEW-1")[0]
    assert shapely.from_geojson(entry.geom_before).equals(WEST)
    assert shapely.from_geojson(entry.geom_after).equals(bigger)
    assert entry.changes["area_m2"][0] == pytest.approx(ellipsoidal_area_m2(WEST), abs=0.01)


def test_split_by_a_line_gives_two_parcels_whose_areas_add_up(session):
    parcel = _new(session, "NEW-1", box(111.300, 36.000, 111.302, 36.001))
    total = parcel.area_m2
    line = {"type": "LineString", "coordinates": [[111.3005, 35.999], [111.3005, 36.002]]}
    pieces = split_parcel(session, "NEW-1", line, parcel.version, "wang")
    assert [p.code for p in pieces] == ["NEW-1", "NEW-1-2"]
    assert pieces[0].area_m2 == pytest.approx(total * 3 / 4, rel=1e-3)  # the larger piece
    assert pieces[1].area_m2 == pytest.approx(total / 4, rel=1e-3)
    assert sum(p.area_m2 for p in pieces) == pytest.approx(total, abs=0.01)
    assert pieces[1].name == "试验地块"
    assert {e.action for e in history(session, "parcel", "NEW-1-2")} == {"split"}


def test_a_line_that_misses_the_parcel_does_not_split_it(session):
    parcel = _new(session, "NEW-1", WEST)
    line = {"type": "LineString", "coordinates": [[111.0, 35.0], [111.01, 35.01]]}
    with pytest.raises(GeoError, match="cut"):
        split_parcel(session, "NEW-1", line, parcel.version, "wang")


def test_merging_adjacent_parcels_sums_their_areas_and_bins_the_other(session):
    west, east = _new(session, "W", WEST), _new(session, "E", EAST)
    expected = west.area_m2 + east.area_m2
    merged = merge_parcels(session, "W", "E", west.version, east.version, "wang")
    assert merged.area_m2 == pytest.approx(expected, abs=0.01)
    assert len(from_db(merged.geom).geoms) == 1
    assert [p.code for p in deleted_parcels(session)] == ["E"]


def test_parcels_apart_are_not_merged(session):
    west = _new(session, "W", WEST)
    far = _new(session, "F", box(111.31, 36.0, 111.311, 36.001))
    with pytest.raises(GeoError, match="boundary"):
        merge_parcels(session, "W", "F", west.version, far.version, "wang")


def test_deleted_parcel_leaves_every_read_and_returns_from_the_bin(session):
    parcel = get_parcel(session, CODE)
    layer = get_layer(parcel.layer)
    before = query_layer(session, layer).number_matched
    delete_parcel(session, CODE, parcel.version, "wang")
    assert query_layer(session, layer).number_matched == before - 1
    with pytest.raises(NotFound):
        get_parcel(session, CODE)
    restore_parcel(session, CODE, "admin")
    assert query_layer(session, layer).number_matched == before
    assert [e.action for e in history(session, "parcel", CODE)] == ["restore", "delete"]


def test_restoring_an_old_version_brings_back_values_and_shape(session):
    parcel = _new(session, "NEW-1", WEST)
    update_parcel(session, "NEW-1", {"name": "第二版"}, 1, "wang")
    update_parcel(session, "NEW-1", {"name": "第三版", "plot_ratio": 2},
                  2, "wang", geometry=mapping(box(111.300, 36.000, 111.302, 36.001)))
    restore_version(session, "NEW-1", 1, 3, "li")
    assert parcel.name == "试验地块" and parcel.plot_ratio is None
    assert from_db(parcel.geom).equals(WEST) and parcel.version == 4
    assert history(session, "parcel", "NEW-1")[0].action == "restore_version"


WRITES = {
    "create": lambda s: _new(s, "NEW-1", WEST),
    "update": lambda s: update_parcel(s, CODE, {"name": "x"}, get_parcel(s, CODE).version, "u"),
    "split": lambda s: split_parcel(s, CODE, json.dumps({"type": "LineString", "coordinates": [
        [c, 30.0], [c, 40.0]]}), get_parcel(s, CODE).version, "u")
    if (c := from_db(get_parcel(s, CODE).geom).centroid.x) else None,
    "merge": lambda s: (_new(s, "W", WEST), _new(s, "E", EAST),
                        merge_parcels(s, "W", "E", 1, 1, "u")),
    "delete": lambda s: delete_parcel(s, CODE, get_parcel(s, CODE).version, "u"),
    "restore": lambda s: (delete_parcel(s, CODE, get_parcel(s, CODE).version, "u"),
                          restore_parcel(s, CODE, "u")),
    "restore_version": lambda s: (update_parcel(s, CODE, {"name": "x"}, 1, "u"),
                                  restore_version(s, CODE, 1, 2, "u")),
}


@pytest.mark.parametrize("action", sorted(WRITES))
def test_every_write_path_leaves_an_audit_record(session, action):
    count = session.scalar(select(func.count()).select_from(AuditRecord))
    WRITES[action](session)
    entries = session.scalars(select(AuditRecord).where(AuditRecord.id > count)).all()
    assert any(e.action == action and e.user_name == ("tester" if action == "create" else "u")
               for e in entries)


def test_api_patch_with_a_stale_version_answers_409_with_both_versions(client):
    login(client, "editor")
    headers = {"X-CSRFToken": csrf_token(client)}
    ok = client.patch(f"/api/parcels/{CODE}", json={"version": 1, "values": {"name": "甲"}},
                      headers=headers)
    assert ok.status_code == 200 and ok.get_json()["version"] == 2
    stale = client.patch(f"/api/parcels/{CODE}", json={"version": 1, "values": {"name": "乙"}},
                         headers=headers)
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["error"]["code"] == "conflict"
    assert body["current"]["name"] == "甲" and body["current"]["version"] == 2
    assert body["submitted"]["name"] == "乙"


def test_edit_page_with_a_stale_version_shows_both_versions(client, session):
    login(client, "editor")
    update_parcel(session, CODE, {"name": "别人先存的"}, 1, "other")
    form = {"csrf_token": csrf_token(client), "version": "1", "layer": "idle",
            "status": "idle", "name": "我的修改"}
    response = client.post(f"/parcels/{CODE}/edit", data=form)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "别人先存的" in html and "我的修改" in html and 'id="conflict"' in html


def test_edit_form_is_built_from_the_data_dictionary(client):
    login(client, "editor")
    html = client.get(f"/parcels/{CODE}/edit").get_data(as_text=True)
    for label in ("地块名称", "建筑系数（%）", "投资强度（万元/亩）", "闲置原因", "处置期限"):
        assert label in html
    assert 'name="building_coefficient"' in html and 'max="100"' in html
    assert 'name="area_m2"' not in html  # computed, never typed in


def test_edit_form_shows_the_dictionary_message_for_a_bad_value(client):
    login(client, "editor")
    response = client.post(f"/parcels/{CODE}/edit", data={
        "csrf_token": csrf_token(client), "version": "1", "layer": "idle", "status": "idle",
        "plot_ratio": "abc"})
    assert response.status_code == 400
    assert "容积率" in response.get_data(as_text=True)


def test_history_page_lists_who_changed_what(client, session):
    update_parcel(session, CODE, {"name": "改过的名字"}, 1, "wang")
    html = client.get(f"/parcels/{CODE}/history").get_data(as_text=True)
    assert "wang" in html and "改过的名字" in html and "地块名称" in html


def test_admin_restores_from_the_bin_page(client, session):
    delete_parcel(session, CODE, 1, "wang")
    login(client, "admin")
    assert CODE in client.get("/admin/bin").get_data(as_text=True)
    client.post(f"/admin/bin/{CODE}/restore", data={"csrf_token": csrf_token(client)})
    session.expire_all()
    assert get_parcel(session, CODE).deleted_at is None


def test_saving_without_a_change_records_nothing(session):
    parcel = get_parcel(session, CODE)
    update_parcel(session, CODE, {"name": parcel.name}, parcel.version, "wang")
    assert history(session, "parcel", CODE) == [] and parcel.version == 1


def test_merge_and_restore_version_from_the_pages(client, session):
    _new(session, "W", WEST)
    _new(session, "E", EAST)
    login(client, "editor")
    token = csrf_token(client)
    merged = client.post("/parcels/W/merge", data={"csrf_token": token, "version": "1",
                                                   "other": "E"})
    assert merged.status_code == 302
    session.expire_all()
    assert get_parcel(session, "E", deleted=True).deleted_at is not None
    assert get_parcel(session, "W").version == 2
    client.post("/parcels/W/restore-version/1", data={"csrf_token": token, "version": "2"})
    session.expire_all()
    assert from_db(get_parcel(session, "W").geom).equals(WEST)



def test_deleted_projects_leave_every_read(session):
    import datetime as dt

    from geo.features import PROJECTS
    from geo.models import Project

    before = query_layer(session, PROJECTS).number_matched
    project = session.scalars(select(Project).where(Project.site.is_not(None))).first()
    sites = query_layer(session, get_layer("sites")).number_matched
    project.deleted_at = dt.datetime.now(dt.UTC)
    session.commit()
    assert query_layer(session, PROJECTS).number_matched == before - 1
    assert query_layer(session, get_layer("sites")).number_matched == sites - 1


def test_deleting_records_no_change_of_shape(session):
    delete_parcel(session, CODE, 1, "wang")
    entry = history(session, "parcel", CODE)[0]
    assert entry.geom_before is None and entry.geom_after is None
    assert list(entry.changes) == ["deleted_at"]


def test_factory_buildings_are_edited_as_part_of_their_parcel(session):
    from geo.editing import set_buildings

    parcel = _new(session, "NEW-1", WEST)
    set_buildings(session, "NEW-1", [{"floor_area_m2": "1200", "storeys": "1"},
                                     {"floor_area_m2": "800", "crane_t": "10"}], 1, "wang")
    assert [b.floor_area_m2 for b in parcel.buildings] == [1200, 800]
    assert parcel.version == 2
    set_buildings(session, "NEW-1", [{"floor_area_m2": "1500", "storeys": "2"}], 2, "wang")
    assert [(b.floor_area_m2, b.storeys) for b in parcel.buildings] == [(1500, 2)]
    entry = history(session, "parcel", "NEW-1")[0]
    assert entry.changes["buildings"][0][1]["floor_area_m2"] == 800
    with pytest.raises(GeoError) as caught:
        set_buildings(session, "NEW-1", [{"storeys": "2"}], 3, "wang")
    assert caught.value.field == "floor_area_m2" and caught.value.params["row"] == 1
    session.rollback()
    restore_version(session, "NEW-1", 2, 3, "li")
    assert [b.floor_area_m2 for b in get_parcel(session, "NEW-1").buildings] == [1200, 800]


def test_buildings_are_edited_on_the_parcel_page(client, session):
    login(client, "editor")
    html = client.get(f"/parcels/{CODE}/edit").get_data(as_text=True)
    assert "行车吨位" in html and 'name="b-0-floor_area_m2"' in html
    response = client.post(f"/parcels/{CODE}/buildings", data={
        "csrf_token": csrf_token(client), "version": "1", "rows": "2",
        "b-0-floor_area_m2": "2400", "b-0-storeys": "1", "b-0-idle": "yes",
        "b-1-floor_area_m2": ""})
    assert response.status_code == 302
    session.expire_all()
    parcel = get_parcel(session, CODE)
    assert [(b.floor_area_m2, b.idle) for b in parcel.buildings] == [(2400, "yes")]
