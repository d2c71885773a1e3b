"""Land-use code systems and registered areas through import, export, matching, migration."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from alembic import command
from alembic.config import Config
from pyproj import Geod, Transformer
from shapely.geometry import box
from sqlalchemy import select, text

from geo.areas import M2_PER_HA, M2_PER_MU
from geo.county import load_county
from geo.errors import GeoError
from geo.export import export_layer
from geo.features import get_layer
from geo.importer import Options, commit_plan, plan_import
from geo.match_query import run_match
from geo.models import Parcel
from geo.register import MIGRATIONS, make_engine, migrate

COUNTY = load_county()
CHECKED = Options(county=COUNTY.outline)
TO_4525 = Transformer.from_crs(4490, 4525, always_xy=True)
TO_4490 = Transformer.from_crs(4525, 4490, always_xy=True)
GRS80 = Geod(ellps="GRS80")  # CGCS2000's ellipsoid differs from GRS80 by 1e-10 in flattening


def _gk_squares(n: int, side: float = 220.0) -> list:
    """Return ``n`` squares in EPSG:4525 (zone-prefixed GK, zone 37) near the county seat."""
    x, y = TO_4525.transform(*COUNTY.settings["seat"])
    return [box(x + i * 400, y, x + i * 400 + side, y + side) for i in range(n)]


def _truth_m2(square) -> float:
    lon, lat = TO_4490.transform(*square.exterior.coords.xy)
    return abs(GRS80.polygon_area_perimeter(lon, lat)[0])


def _write(tmp_path, columns: dict, n: int, name="parcels.gpkg"):
    frame = gpd.GeoDataFrame({"地块编号": [f"G{i:02d}" for i in range(n)], **columns},
                             geometry=_gk_squares(n), crs="EPSG:4525")
    path = tmp_path / name
    pyogrio.write_dataframe(frame, path)
    return path


CURRENT = ["0601", "0701 城镇住宅用地", "08H2", "1001", "工业用地"]  # 三调 (08H2 is its alone)
PLANNED = ["100102", "070101", "080403", "0901", "1001"]  # 用地用海 2023 (six digits: its alone)


def test_a_gk_geopackage_round_trips_codes_registered_and_ellipsoidal_areas(
        empty_app, tmp_path):
    squares = _gk_squares(5)
    given = [round(s.area / M2_PER_MU, 2) for s in squares]  # planar GK areas, in 亩
    path = _write(tmp_path, {"面积（亩）": given, "地类编码": CURRENT, "规划用途": PLANNED}, 5)
    plan = plan_import(path, "stock", options=CHECKED)
    assert plan.ok, plan.issues
    notes = [(m, p) for m, p in plan.notes]
    assert ("Column %(column)s: registered areas in %(unit)s, as its header says.",
            {"column": "面积（亩）", "unit": "亩"}) in notes
    assert any(p.get("system") == "三调工作分类" for _, p in notes)
    assert any(p.get("system") == "用地用海分类（2023）" for _, p in notes)
    with empty_app.extensions["landmatch.sessions"]() as session:
        commit_plan(session, plan)
        out = tmp_path / "back.gpkg"
        export_layer(session, get_layer("stock"), "gpkg", out, headers="zh")
    back = pyogrio.read_dataframe(out).set_index("地块编号").loc[[f"G{i:02d}" for i in range(5)]]
    assert list(back["现状地类编码"]) == ["0601", "0701", "08H2", "1001", "0601"]
    assert set(back["现状地类分类"]) == {"三调工作分类"}
    assert list(back["规划用途编码"]) == PLANNED
    assert set(back["规划用途分类"]) == {"用地用海分类（2023）"}
    assert list(back["登记面积"]) == given and set(back["登记面积单位"]) == {"亩"}
    for square, area in zip(squares, back["椭球面积"], strict=True):
        assert area == pytest.approx(_truth_m2(square), rel=2e-5)  # 0.002 %


def test_the_registered_areas_unit_is_told_from_the_values_and_a_mismatch_is_warned_in_it(
        tmp_path):
    squares = _gk_squares(3)
    hectares = [round(s.area / M2_PER_HA, 4) for s in squares]
    hectares[2] = round(hectares[2] * 1.05, 4)  # 5 % more than its shape
    plan = plan_import(_write(tmp_path, {"面积": hectares}, 3), "stock", options=CHECKED)
    assert plan.ok  # a mismatch is reported, never a reason to drop the row
    assert ("Column %(column)s: registered areas in %(unit)s, told from the values (they "
            "match the computed areas in that unit).", {"column": "面积", "unit": "公顷"}
            ) in plan.notes
    assert [r.values["registered_area"] for r in plan.records] == hectares
    assert {r.values["registered_area_unit"] for r in plan.records} == {"ha"}
    [warning] = [i for i in plan.issues if i.field == "registered_area"]
    assert warning.severity == "warning" and warning.row == 3
    assert warning.params["unit"] == "公顷" and warning.params["declared"] == f"{hectares[2]:g}"
    assert warning.params["pct"] == "5.00"  # of the computed area, in 公顷 too


def test_a_mu_column_is_kept_not_dropped_and_its_mismatch_named_in_mu(tmp_path):
    # the 220 m square is 72.6 亩: 75 亩 is 3.3 % off
    plan = plan_import(_write(tmp_path, {"面积（亩）": [75.0]}, 1), "stock", options=CHECKED)
    assert plan.mapping["面积（亩）"] == "registered_area"
    [warning] = [i for i in plan.issues if i.field == "registered_area"]
    assert warning.params["unit"] == "亩" and warning.params["declared"] == "75"
    assert warning.params["computed"] == "72.5971" and warning.params["pct"] == "3.31"
    assert "平方米" not in str(warning.params)


def test_codes_of_several_systems_are_refused_with_the_candidates(tmp_path):
    path = _write(tmp_path, {"地类编码": ["0601", "0602 采矿用地"]}, 2)
    with pytest.raises(GeoError) as refused:
        plan_import(path, "stock", options=CHECKED)
    assert refused.value.field == "code_system"
    assert refused.value.params["choices"] == "GB/T 21010-2017 土地利用现状分类、三调工作分类"
    declared = plan_import(path, "stock", options=Options(
        county=COUNTY.outline, code_systems={"land_use": "gbt21010"}))
    assert declared.ok
    assert [r.values["land_use_system"] for r in declared.records] == ["gbt21010"] * 2


def test_a_declared_system_reads_names_and_refuses_a_code_with_another_systems_name(tmp_path):
    path = _write(tmp_path, {"地类编码": ["工业用地", "1001 铁路用地", "0701"]}, 3)
    plan = plan_import(path, "stock", options=Options(
        county=COUNTY.outline, code_systems={"land_use": "ydyh2023"}))
    assert [r.values["land_use"] for r in plan.records] == ["1001", "0701"]
    [error] = plan.errors
    assert error.row == 2 and error.field == "land_use"
    assert error.params == {"value": "1001", "system": "用地用海分类（2023）", "name": "工业用地",
                            "given": "铁路用地"}


def test_a_value_in_no_system_rejects_only_its_row(tmp_path):
    path = _write(tmp_path, {"地类编码": ["0508", "9999", "住宅用地"]}, 3)
    plan = plan_import(path, "stock", options=CHECKED)
    assert [(i.row, i.field) for i in plan.errors] == [(2, "land_use")]
    assert [r.values["land_use_system"] for r in plan.records] == ["sandiao", "sandiao"]


def test_the_cli_takes_the_code_system(empty_app, tmp_path):
    path = _write(tmp_path, {"地类编码": ["0601", "1001"]}, 2)
    runner = empty_app.test_cli_runner()
    refused = runner.invoke(args=["import", str(path), "--layer", "stock", "--lang", "en"])
    assert refused.exit_code != 0 and "--code-system" in refused.output
    ok = runner.invoke(args=["import", str(path), "--layer", "stock", "--lang", "en",
                             "--code-system", "gbt21010"])
    assert ok.exit_code == 0, ok.output
    with empty_app.extensions["landmatch.sessions"]() as session:
        stored = {p.code: (p.land_use, p.land_use_system) for p in session.scalars(select(Parcel))}
    assert stored == {"G00": ("0601", "gbt21010"), "G01": ("1001", "gbt21010")}


def test_railway_land_is_never_offered_to_a_factory_and_2023_industrial_land_is(
        empty_app, tmp_path):
    runner = empty_app.test_cli_runner()
    for name, system, code in (("rail.gpkg", "gbt21010", "G0"), ("ind.gpkg", "ydyh2023", "G1")):
        frame = gpd.GeoDataFrame({"地块编号": [code], "地类编码": ["1001"]},
                                 geometry=[_gk_squares(2)[int(code[1])]], crs="EPSG:4525")
        pyogrio.write_dataframe(frame, tmp_path / name)
        done = runner.invoke(args=["import", str(tmp_path / name), "--layer", "stock",
                                   "--code-system", system])
        assert done.exit_code == 0, done.output
    with empty_app.extensions["landmatch.sessions"]() as session:
        result = run_match(session, {"industry": "39", "land_class": "industrial2",
                                     "total_investment": "50000", "area_min_mu": "1",
                                     "area_max_mu": "500"}, COUNTY.code)
    assert [c.facts.code for c in result.outcome.candidates] == ["G1"], result.outcome.rejected
    assert dict(result.outcome.rejected) == {"G0": ["land_use"]}


def test_migration_0009_gives_existing_codes_the_system_they_were_read_in(empty_db_url):
    engine = make_engine(empty_db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    with engine.begin() as connection:
        for i, code in enumerate(["1001", "0601", "0604", "100102", "9999"]):
            connection.execute(text(
                "INSERT INTO parcels (code, layer, area_m2, land_use, status, extra, geom, "
                "version, created_at, updated_at) VALUES (:code, 'stock', 1.0, :use, "
                "'available', '{}', ST_GeomFromText(:wkt, 4490), 1, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"),
                {"code": f"M{i}", "use": code,
                 "wkt": "MULTIPOLYGON(((111.4 35.8,111.401 35.8,111.401 35.801,111.4 35.8)))"})
    migrate(engine)
    with engine.connect() as connection:
        systems = dict(connection.execute(text("SELECT land_use, land_use_system FROM parcels")
                                          ).all())
    assert systems == {"1001": "ydyh2023", "0601": "sandiao", "0604": "gbt21010",
                       "100102": "ydyh2023", "9999": None}
    engine.dispose()
