"""Imports written in bulk: the same shapes, areas, spatial index, history and audit as
one parcel at a time would give."""

from __future__ import annotations

import gc
import json

import numpy as np
import pyogrio
import pytest
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from sqlalchemy import func, select, text

from geo.areas import ellipsoidal_area_m2
from geo.editing import get_parcel, restore_version, set_buildings
from geo.errors import GeoError
from geo.features import get_layer, properties, query_layer
from geo.geometry import as_multipolygon, from_db
from geo.importer import Options, commit_plan, plan_import
from geo.importer import commit as commit_module
from geo.importer.shapes import _multipolygons, areas_m2
from geo.models import AuditRecord, ImportRun, Parcel, ParcelVersion
from tests.interchange_helpers import seat_parcels

X, Y = 111.44, 35.87


def _shapes():
    """Valid polygons wound either way, holes wound like their shell, and multipolygons."""
    shell = [(X, Y), (X + 0.004, Y), (X + 0.004, Y + 0.003), (X, Y + 0.003)]
    hole = [(X + 0.001, Y + 0.001), (X + 0.002, Y + 0.001), (X + 0.002, Y + 0.002),
            (X + 0.001, Y + 0.002)]
    rng = np.random.default_rng(7)
    odd = [shapely.convex_hull(shapely.multipoints(rng.random((7, 2)) * 0.003 + (X, Y)))
           for _ in range(20)]
    return [Polygon(shell), Polygon(shell[::-1]), Polygon(shell, [hole]),
            Polygon(shell[::-1], [hole[::-1]]), Polygon(shell, [hole[::-1]]),
            MultiPolygon([box(X + 0.01, Y, X + 0.011, Y + 0.001),
                          Polygon(shell, [hole]).reverse()]), *odd]


def test_shapes_of_a_batch_are_wound_as_one_by_one():
    assert all(shapely.is_valid(_shapes()))  # invalid ones are repaired one by one
    for one, batch in zip(_shapes(), _multipolygons(np.array(_shapes(), dtype=object)),
                          strict=True):
        expected = as_multipolygon(one)
        assert batch.geom_type == "MultiPolygon"
        assert shapely.get_coordinates(batch).tolist() == \
            shapely.get_coordinates(expected).tolist()


def test_areas_of_a_batch_are_the_ellipsoidal_areas_to_the_last_bit():
    shapes = _multipolygons(np.array(_shapes(), dtype=object))
    assert areas_m2(shapes).tolist() == [ellipsoidal_area_m2(g) for g in shapes]


def test_planning_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    path = tmp_path / "p.gpkg"
    pyogrio.write_dataframe(seat_parcels(), path)
    plan_import(path, "idle")
    assert gc.get_freeze_count() == 0
    with pytest.raises(GeoError):
        plan_import(path, "nowhere")
    assert gc.get_freeze_count() == 0


def _import(app, frame, tmp_path, name="p.gpkg"):
    path = tmp_path / name
    pyogrio.write_dataframe(frame, path)
    plan = plan_import(path, "idle", central_meridian=111)
    assert plan.ok, plan.issues
    with app.extensions["landmatch.sessions"]() as session:
        return commit_plan(session, plan)


def _spatial_index_ok(session) -> bool:
    if session.get_bind().dialect.name != "sqlite":
        return True  # PostGIS keeps its GiST index itself
    triggers = session.scalar(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                   "AND name IN ('gii_parcels_geom', 'giu_parcels_geom')"))
    return triggers == 2 and session.scalar(text(
        "SELECT CheckSpatialIndex('parcels', 'geom')")) == 1


def test_imported_parcels_are_found_through_the_spatial_index(empty_app, tmp_path):
    assert _import(empty_app, seat_parcels(), tmp_path) == (3, 0)
    with empty_app.extensions["landmatch.sessions"]() as session:
        assert _spatial_index_ok(session)
        x, y = seat_parcels().geometry[1].centroid.coords[0]
        page = query_layer(session, get_layer("idle"), bbox=(x - 1e-4, y - 1e-4, x, y))
        assert [json.loads(f)["id"] for f in page.features] == ["T001"]


def _versions(session, code):
    return session.scalars(select(ParcelVersion).join(Parcel).where(Parcel.code == code)
                           .order_by(ParcelVersion.id)).all()


def test_reimport_keeps_each_parcel_as_it_was_and_audits_what_changed(empty_app, tmp_path):
    _import(empty_app, seat_parcels(), tmp_path)
    sessions = empty_app.extensions["landmatch.sessions"]
    with sessions() as session:
        created = session.scalars(select(AuditRecord).order_by(AuditRecord.code)).all()
        assert [(a.code, a.version, a.user_name, a.action) for a in created] == [
            (c, 1, "system", "import") for c in ("T000", "T001", "T002")]
        assert created[0].changes["plot_ratio"] == [None, 0.8]
        set_buildings(session, "T000", [{"floor_area_m2": 1200, "storeys": 1}], 1, "li")
        kept = {}
        for code in ("T000", "T001", "T002"):
            parcel = get_parcel(session, code)
            kept[code] = json.loads(json.dumps({
                "properties": properties(get_layer("idle"), parcel),
                "geometry": mapping(from_db(parcel.geom))}))
        old_shape = kept["T001"]["geometry"]
    changed = seat_parcels()
    changed.loc[0, "容积率"] = 2.5
    changed.loc[1, "geometry"] = shapely.affinity.translate(changed.geometry[1], 0.0001)
    assert _import(empty_app, changed, tmp_path, "changed.gpkg") == (0, 3)
    with sessions() as session:
        for code in kept:
            assert [v.data for v in _versions(session, code)] == [kept[code]]
        audit = {a.code: a for a in session.scalars(
            select(AuditRecord).where(AuditRecord.action == "import", AuditRecord.version > 1))}
        assert audit["T000"].changes == {"plot_ratio": [0.8, 2.5]}
        assert (audit["T000"].version, audit["T000"].geom_before) == (3, None)
        assert audit["T001"].changes == {} and audit["T001"].version == 2
        assert json.loads(audit["T001"].geom_before) == old_shape
        assert audit["T002"].changes == {} and audit["T002"].geom_after is None
        assert [get_parcel(session, c).version for c in kept] == [3, 2, 2]
        assert _spatial_index_ok(session)
        restore_version(session, "T001", 1, 2, "li")
        restored = from_db(get_parcel(session, "T001").geom)
        assert shapely.equals_exact(restored, shape(old_shape), 0)


def test_reimporting_the_same_dates_records_no_change(empty_app, tmp_path):
    frame = seat_parcels()
    frame["agreed_start"] = ["2021-03-01", None, "2020-12-31"]
    _import(empty_app, frame, tmp_path)
    _import(empty_app, frame, tmp_path, "again.gpkg")
    with empty_app.extensions["landmatch.sessions"]() as session:
        assert get_parcel(session, "T000").agreed_start.isoformat() == "2021-03-01"
        # 令53: the idle date follows from the agreed start, a full year on
        assert get_parcel(session, "T000").idle_since.isoformat() == "2022-03-01"
        again = session.scalars(select(AuditRecord.changes).where(AuditRecord.version == 2))
        assert list(again) == [{}, {}, {}]


def _counts(session):
    return [session.scalar(select(func.count()).select_from(m))
            for m in (Parcel, ParcelVersion, AuditRecord, ImportRun)]


def test_a_failure_half_way_writes_nothing_and_keeps_the_spatial_index(
        empty_app, tmp_path, monkeypatch):
    _import(empty_app, seat_parcels(2), tmp_path)
    with empty_app.extensions["landmatch.sessions"]() as session:
        before = _counts(session)

    def broken(self, entries):
        raise RuntimeError("disk full")

    monkeypatch.setattr(commit_module._Writer, "_audit", broken)
    with pytest.raises(RuntimeError):
        _import(empty_app, seat_parcels(3), tmp_path, "three.gpkg")  # T002 is new
    with empty_app.extensions["landmatch.sessions"]() as session:
        assert _counts(session) == before
        assert _spatial_index_ok(session)


def test_a_parcel_edited_during_the_import_stops_it(empty_app, tmp_path, monkeypatch):
    _import(empty_app, seat_parcels(), tmp_path)
    read = commit_module._Writer._stored

    def stale(self, ids):  # as if an editor saved T000 between the read and the write
        rows = read(self, ids)
        for row in rows.values():
            row["version"] -= row["code"] == "T000"
        return rows

    monkeypatch.setattr(commit_module._Writer, "_stored", stale)
    changed = seat_parcels()
    changed.loc[0, "容积率"] = 2.5
    with pytest.raises(GeoError, match="changed by someone else"):
        _import(empty_app, changed, tmp_path, "changed.gpkg")
    with empty_app.extensions["landmatch.sessions"]() as session:
        assert [get_parcel(session, c).version for c in ("T000", "T001")] == [1, 1]
        assert _counts(session)[1] == 0


def test_options_and_progress_count_every_row(empty_app, tmp_path):
    path = tmp_path / "p.gpkg"
    pyogrio.write_dataframe(seat_parcels(), path)
    steps: list[tuple[str, int]] = []
    plan = plan_import(path, "idle", options=Options(), progress=lambda s, n: steps.append((s, n)))
    with empty_app.extensions["landmatch.sessions"]() as session:
        commit_plan(session, plan, progress=lambda s, n: steps.append((s, n)))
    totals = {s: sum(n for t, n in steps if t == s) for s, _ in steps}
    assert totals == {"read": 3, "validated": 3, "written": 3}


def test_an_import_is_audited_under_the_acting_user(empty_app, tmp_path):
    path = tmp_path / "p.gpkg"
    pyogrio.write_dataframe(seat_parcels(), path)
    plan = plan_import(path, "idle")
    with empty_app.extensions["landmatch.sessions"]() as session:
        session.info["user"] = "li-editor"  # as the upload page names the signed-in editor
        commit_plan(session, plan, "地块.gpkg")
        run = session.scalar(select(ImportRun))
        notes = session.execute(select(AuditRecord.user_name, AuditRecord.note)).all()
    assert notes == [("li-editor", f"地块.gpkg (#{run.id})")] * 3
    assert (run.created, run.updated) == (3, 0)
