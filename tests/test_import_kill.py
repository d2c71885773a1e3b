"""An import killed half-way (kill -9) leaves the register exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import geopandas as gpd
import pytest
from shapely.geometry import box
from sqlalchemy import func, select, text

from geo.county import load_county
from geo.models import ImportRun, Parcel, ParcelVersion
from geo.register import make_engine

ROWS = 4000


def _big_file(path, updated_code: str) -> None:
    x, y = load_county().settings["seat"]
    shapes = [box(x + (i % 80) * 0.0006, y - 0.02 + (i // 80) * 0.0006,
                  x + (i % 80) * 0.0006 + 0.0005, y - 0.02 + (i // 80) * 0.0006 + 0.0005)
              for i in range(ROWS)]
    codes = [updated_code] + [f"K{i:05d}" for i in range(1, ROWS)]
    frame = gpd.GeoDataFrame({"DKBH": codes, "RJL": [1.5] * ROWS}, geometry=shapes,
                             crs="EPSG:4490")
    frame.to_file(path, driver="GPKG")


def _state(url):
    engine = make_engine(url)
    with engine.connect() as conn:
        state = {
            "parcels": conn.scalar(select(func.count()).select_from(Parcel)),
            "versions": conn.scalar(select(func.count()).select_from(ParcelVersion)),
            "imports": conn.scalar(select(func.count()).select_from(ImportRun)),
            "version_sum": conn.scalar(select(func.sum(Parcel.version))),
            "integrity": conn.execute(text("PRAGMA integrity_check")).scalar(),
        }
    engine.dispose()
    return state


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_kill_9_half_way_through_an_import_leaves_the_register_as_it_was(templates, backend,
                                                                         tmp_path):
    url = templates("spatialite").fresh(True, tmp_path)
    before = _state(url)
    assert before["integrity"] == "ok" and before["parcels"] > 300
    path = tmp_path / "big.gpkg"
    _big_file(path, "141023CL0001")
    env = {**os.environ, "LANDMATCH_DATABASE_URL": url, "LANDMATCH_SECRET_KEY": "x",
           "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", "from webmap.cli import main; main()", "import", str(path),
         "--layer", "stock", "--lang", "en"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        cwd=str(tmp_path))
    seen = []
    killed_at = None
    for line in child.stdout:
        seen.append(line)
        if line.startswith("rows written "):  # the progress line, in English (--lang en)
            done = int(line.split()[2].split("/")[0])
            if 0 < done < ROWS:
                os.kill(child.pid, signal.SIGKILL)
                killed_at = done
                break
    child.wait(timeout=60)
    child.stdout.close()
    assert killed_at is not None, "".join(seen)  # killed while rows were being written
    assert child.returncode == -signal.SIGKILL
    assert _state(url) == before
