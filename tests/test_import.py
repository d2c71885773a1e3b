"""Imports: formats, CRS and encoding detection, column mapping, the report, all-or-nothing."""

from __future__ import annotations

import pyogrio
import pytest
from shapely.geometry import Polygon, box
from sqlalchemy import func, select

from geo.county import load_county
from geo.errors import GeoError
from geo.gcj02 import wgs84_to_gcj02
from geo.importer import Options, commit_plan, plan_import
from geo.models import Parcel, ParcelVersion
from tests.interchange_helpers import seat_parcels

COUNTY = load_county()
CHECKED = Options(county=COUNTY.outline)


def _plan(path, **kw):
    kw.setdefault("options", CHECKED)
    return plan_import(path, "idle", central_meridian=111, **kw)


def _count(session):
    return session.scalar(select(func.count()).select_from(Parcel))


def _geoms_close(plan, frame, tol=1e-7):
    by_code = {r.values["code"]: r.geometry for r in plan.records}
    for code, geometry in zip(frame.iloc[:, 0], frame.geometry, strict=True):
        assert by_code[code].symmetric_difference(geometry).area < tol * 1e-3, code


@pytest.mark.parametrize("prefixed", [True, False])
@pytest.mark.parametrize("with_prj", [True, False])
def test_gk_zone_37_shapefile_lands_on_the_same_parcels(tmp_path, prefixed, with_prj):
    frame = seat_parcels(dbf=True)
    epsg = 4525 if prefixed else 4546
    path = tmp_path / "gk.shp"
    pyogrio.write_dataframe(frame.to_crs(epsg), path, encoding="UTF-8")
    if not with_prj:
        path.with_suffix(".prj").unlink()
    plan = _plan(path)
    assert plan.ok, plan.issues
    assert plan.crs.label == f"EPSG:{epsg}"
    assert plan.crs.how == ("file" if with_prj else "detected")
    if not with_prj:
        assert "assumed" in plan.crs.note and plan.crs.params["epsg"] == epsg
    _geoms_close(plan, frame)


def test_bare_easting_far_from_the_county_is_refused_with_likely_codes(tmp_path):
    frame = seat_parcels(dbf=True).to_crs(4546)
    frame.geometry = frame.geometry.translate(xoff=-250_000)  # the zone west of Xiangfen
    path = tmp_path / "west.shp"
    pyogrio.write_dataframe(frame, path, encoding="UTF-8")
    path.with_suffix(".prj").unlink()
    with pytest.raises(GeoError, match="EPSG:4545") as refused:
        _plan(path)
    assert refused.value.field == "crs" and "EPSG:4546" in str(refused.value)


def test_gk_with_crs_option_overrides_detection(tmp_path):
    frame = seat_parcels(dbf=True)
    path = tmp_path / "gk.shp"
    pyogrio.write_dataframe(frame.to_crs(4546), path, encoding="UTF-8")
    path.with_suffix(".prj").unlink()
    plan = _plan(path, crs="EPSG:4546")
    assert plan.crs.how == "option" and plan.ok
    _geoms_close(plan, frame)


@pytest.mark.parametrize("with_cpg", [True, False])
def test_gbk_shapefile_reads_its_chinese_text(tmp_path, with_cpg):
    frame = seat_parcels()
    path = tmp_path / "gbk.shp"
    pyogrio.write_dataframe(frame, path, encoding="GBK")
    cpg = path.with_suffix(".cpg")
    assert cpg.exists()
    if not with_cpg:
        cpg.unlink()
    plan = _plan(path)
    assert plan.ok, plan.issues
    assert plan.source.encoding.name == "GBK"
    assert (".cpg" in plan.source.encoding.note) == with_cpg
    holders = sorted(r.values["holder"] for r in plan.records)
    assert holders == sorted(frame["权利人"])
    assert sorted(r.extra["备注"] for r in plan.records) == ["丙", "乙", "甲"]


def test_gcj02_is_converted_on_request(tmp_path):
    frame = seat_parcels()
    shifted = frame.copy()
    shifted.geometry = [Polygon(list(zip(*wgs84_to_gcj02(*g.exterior.xy), strict=True)))
                        for g in frame.geometry]
    path = tmp_path / "amap.geojson"
    pyogrio.write_dataframe(shifted, path)
    plain = _plan(path)
    converted = _plan(path, crs="GCJ-02")
    # GCJ-02 is offset by hundreds of metres here; converted, the parcels are back in place
    assert plain.records[0].geometry.distance(frame.geometry[0]) > 0.001
    _geoms_close(converted, frame)


def test_columns_map_by_alias_and_override_and_unknown_ones_go_to_extra(tmp_path):
    frame = seat_parcels()
    frame["宗地号"] = ["Z1", "Z2", "Z3"]
    path = tmp_path / "two_codes.gpkg"
    pyogrio.write_dataframe(frame, path)
    plan = _plan(path)
    assert plan.mapping["地块编号"] == "code" and plan.mapping["宗地号"] == "extra"
    assert plan.mapping["权利人"] == "holder" and plan.mapping["容积率"] == "plot_ratio"
    assert plan.mapping["备注"] == "extra"
    swapped = _plan(path, overrides={"宗地号": "code", "备注": ""})
    assert sorted(r.values["code"] for r in swapped.records) == ["Z1", "Z2", "Z3"]
    assert swapped.records[0].extra == {"地块编号": "T000"}
    with pytest.raises(GeoError, match="no column") as unknown:
        _plan(path, overrides={"编号X": "code"})
    assert unknown.value.field == "map"


def test_geopackage_with_two_layers_needs_a_choice(tmp_path):
    path = tmp_path / "two.gpkg"
    pyogrio.write_dataframe(seat_parcels(), path, layer="a")
    pyogrio.write_dataframe(seat_parcels(2), path, layer="b", append=False)
    with pytest.raises(GeoError, match="a, b"):
        _plan(path)
    assert len(_plan(path, source_layer="b").records) == 2


def _faulty(tmp_path):
    """A GeoPackage with one fault per row after the first good one."""
    x, y = COUNTY.settings["seat"]
    good = box(x, y, x + 0.002, y + 0.002)
    bowtie = Polygon([(x, y), (x + 0.002, y + 0.002), (x + 0.002, y), (x, y + 0.002)])
    spike = Polygon([(x, y), (x + 0.002, y), (x + 0.002, y + 0.002), (x + 0.001, y + 0.002),
                     (x + 0.001, y + 0.003), (x + 0.001, y + 0.002), (x, y + 0.002)])
    import geopandas as gpd

    rows = [  # code, geometry, 面积, 地类编码, 容积率
        ("F01", good, None, "0601", "1.0"),
        ("F02", bowtie, None, "0601", "1.0"),  # invalid, repair halves it: rejected
        ("F03", None, None, "0601", "1.0"),  # empty geometry
        ("F01", box(x + 0.01, y, x + 0.012, y + 0.002), None, "0601", "1.0"),  # duplicate
        ("F05", box(120.0, 30.0, 120.002, 30.002), None, "0601", "1.0"),  # outside county
        ("F06", box(x + 0.02, y, x + 0.022, y + 0.002), "99999", "0601", "1.0"),  # area: warned
        ("F07", box(x + 0.03, y, x + 0.032, y + 0.002), None, "9999", "1.0"),  # land use
        ("F08", box(x + 0.04, y, x + 0.042, y + 0.002), None, "0601", "高"),  # not a number
        ("F09", spike, None, "0508", "1.0"),  # invalid, repaired within tolerance: kept
        # (0508 is 三调's alone, so the column's system is told: 三调)
    ]
    frame = gpd.GeoDataFrame(
        {"地块编号": [r[0] for r in rows], "面积": [r[2] for r in rows],
         "地类编码": [r[3] for r in rows], "容积率": [r[4] for r in rows]},
        geometry=[r[1] for r in rows], crs="EPSG:4490")
    path = tmp_path / "faults.gpkg"
    pyogrio.write_dataframe(frame, path)
    return path


def test_each_fault_is_named_by_row_and_field(tmp_path):
    plan = _plan(_faulty(tmp_path))
    errors = {(i.row, i.field) for i in plan.errors}
    assert errors == {(2, "geometry"), (3, "geometry"), (4, "code"), (5, "geometry"),
                      (7, "land_use"), (8, "plot_ratio")}
    messages = {i.row: i.message for i in plan.errors}
    assert "row %(first)s" in messages[4] and "invalid" in messages[2]
    assert "empty" in messages[3] and "outside the county" in messages[5]
    warnings = [(i.row, i.field) for i in plan.issues if i.severity == "warning"]
    assert warnings == [(6, "registered_area"), (9, "geometry")]
    assert plan.issues[[i.row for i in plan.issues].index(4)].params["first"] == 1


def test_a_file_with_a_rejected_row_writes_nothing(empty_app, tmp_path):
    path = _faulty(tmp_path)
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["import", str(path), "--layer", "idle", "--lang", "en"])
    assert result.exit_code != 0
    assert "Row 7:" in result.output and "nothing was written" in result.output
    with empty_app.extensions["landmatch.sessions"]() as session:
        assert _count(session) == 0


def test_dry_run_writes_nothing_and_reimport_updates_with_history(empty_app, tmp_path):
    path = tmp_path / "ok.gpkg"
    pyogrio.write_dataframe(seat_parcels(), path)
    runner = empty_app.test_cli_runner()
    report = tmp_path / "report.csv"
    dry = runner.invoke(args=["import", str(path), "--layer", "idle", "--dry-run",
                              "--report", str(report)])
    assert dry.exit_code == 0, dry.output
    assert report.read_text(encoding="utf-8").startswith("\ufeffrow")
    sessions = empty_app.extensions["landmatch.sessions"]
    with sessions() as session:
        assert _count(session) == 0
    first = runner.invoke(args=["import", str(path), "--layer", "idle", "--lang", "en"])
    assert first.exit_code == 0 and "3 parcels added, 0 updated" in first.output
    changed = seat_parcels()
    changed.loc[0, "容积率"] = 2.5
    pyogrio.write_dataframe(changed, path)
    again = runner.invoke(args=["import", str(path), "--layer", "idle", "--lang", "en"])
    assert "0 parcels added, 3 updated" in again.output, again.output
    with sessions() as session:
        parcel = session.scalar(select(Parcel).where(Parcel.code == "T000"))
        assert parcel.plot_ratio == 2.5 and parcel.version == 2 and parcel.status == "idle"
        old = session.scalars(select(ParcelVersion).where(
            ParcelVersion.parcel_id == parcel.id)).all()
        assert [v.version for v in old] == [1]
        assert old[0].data["properties"]["plot_ratio"] == 0.8
        assert old[0].data["geometry"]["type"] == "MultiPolygon"


def test_commit_refuses_a_plan_with_rejected_rows(empty_app, tmp_path):
    plan = _plan(_faulty(tmp_path))
    with empty_app.extensions["landmatch.sessions"]() as session:
        with pytest.raises(GeoError, match="nothing was written"):
            commit_plan(session, plan)
        assert _count(session) == 0


def test_a_cpg_that_lies_about_the_encoding_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "mislabelled.shp"
    pyogrio.write_dataframe(seat_parcels(), path, encoding="GBK")
    path.with_suffix(".cpg").write_text("UTF-8")
    with pytest.raises(GeoError, match="--encoding") as refused:
        _plan(path)
    assert refused.value.field == "encoding"
    assert _plan(path, encoding="GBK").ok


def test_a_broken_file_is_refused_by_name(tmp_path):
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"not a geopackage")
    with pytest.raises(GeoError, match="broken.gpkg"):
        _plan(path)


def test_numeric_dbf_columns_give_codes_back_their_form(tmp_path):
    frame = seat_parcels(dbf=True)
    frame["DKBH"] = [141023001.0, 141023002.0, 141023003.0]
    frame["DLBM"] = [601.0, 1001.0, 508.0]  # 三调: 工业用地, 铁路用地, 物流仓储用地
    path = tmp_path / "numeric.shp"
    pyogrio.write_dataframe(frame, path, encoding="UTF-8")
    plan = _plan(path)
    assert plan.ok, plan.issues
    assert sorted(r.values["code"] for r in plan.records) == ["141023001", "141023002",
                                                              "141023003"]
    assert sorted(r.values["land_use"] for r in plan.records) == ["0508", "0601", "1001"]
    assert {r.values["land_use_system"] for r in plan.records} == {"sandiao"}


def test_area_tolerance_and_county_check_can_be_relaxed_on_the_cli(empty_app, tmp_path):
    frame = seat_parcels()
    frame["面积"] = [44000.0, None, None]  # the square is 40 079 m²: 9.8 % off
    frame.geometry = frame.geometry.translate(xoff=2.0)  # two degrees east: another county
    path = tmp_path / "wide.gpkg"
    pyogrio.write_dataframe(frame, path)
    runner = empty_app.test_cli_runner()
    strict = runner.invoke(args=["import", str(path), "--layer", "stock", "--lang", "en",
                                 "--crs", "EPSG:4490"])
    assert strict.exit_code != 0 and "outside the county" in strict.output
    relaxed = runner.invoke(args=["import", str(path), "--layer", "stock", "--lang", "en",
                                  "--crs", "EPSG:4490", "--no-county-check",
                                  "--area-tolerance", "20"])
    assert relaxed.exit_code == 0, relaxed.output
    assert "3 parcels added" in relaxed.output
