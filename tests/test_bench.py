"""The benchmark's generator (bench/generate.py) writes parcels the importer maps by itself."""

import subprocess
import sys
from pathlib import Path

import pyogrio

from geo.fields import fields_for
from geo.importer.mapping import auto_mapping

GENERATE = Path(__file__).resolve().parent.parent / "bench" / "generate.py"


def test_generated_parcels_read_back_in_cgcs2000_with_every_column_mapped(tmp_path):
    out = tmp_path / "parcels.gpkg"
    subprocess.run([sys.executable, str(GENERATE), "-n", "200", "-o", str(out)], check=True,
                   capture_output=True)
    info = pyogrio.read_info(out, layer="parcels")
    assert info["features"] == 200
    assert info["crs"] == "EPSG:4490"
    assert info["geometry_type"] == "MultiPolygon"
    columns = list(info["fields"])
    mapping = auto_mapping(columns, "stock")
    stock_fields = {f.name for f in fields_for("parcel", "stock")}
    assert {"code", "name", "status", "land_use"} <= set(columns)
    assert all(mapping[c] in stock_fields for c in columns), mapping
    frame = pyogrio.read_dataframe(out)
    assert frame["code"].is_unique and frame.geometry.is_valid.all()
