"""Load the generated parcels: into LandMatch by its import command, into PostGIS for pygeoapi."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pyogrio
from sqlalchemy import create_engine, make_url, text

TIME = shutil.which("time", path="/usr/bin:/bin")


def _peak_by_polling(proc: subprocess.Popen) -> int:
    """Return the peak RSS (kB) of ``proc``, read from its VmHWM until it exits."""
    peak = 0
    while proc.poll() is None:
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM"):
                    peak = max(peak, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            pass
        time.sleep(0.1)
    return peak


def timed(command: list[str], env: dict[str, str], log: Path) -> tuple[float, float]:
    """Run ``command``; return (wall seconds, peak resident MB). Raise if it fails.

    The peak comes from GNU time's maximum RSS when /usr/bin/time exists, else from polling
    the process's high-water mark (VmHWM) in /proc.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report, log.open("ab") as out:
        wrapped = [TIME, "-f", "%M", "-o", report.name, *command] if TIME else command
        started = time.perf_counter()
        proc = subprocess.Popen(wrapped, env=env, stdout=out, stderr=subprocess.STDOUT)
        polled = 0 if TIME else _peak_by_polling(proc)
        code = proc.wait()
        seconds = time.perf_counter() - started
        if code:
            raise RuntimeError(f"{' '.join(command)} failed ({code}); see {log}")
        peak_kb = int(report.read().split()[-1]) if TIME else polled
    return seconds, peak_kb / 1024


def landmatch_env(url: str, repo: Path) -> dict[str, str]:
    """Return the environment that runs ``repo``'s LandMatch code on the database ``url``.

    PYTHONPATH makes the commands and the server import this checkout's code even when the
    venv's editable install points at another one.
    """
    return {**os.environ, "LANDMATCH_DATABASE_URL": url, "PYTHONPATH": str(repo),
            "SPATIALITE_LIBRARY_PATH": "mod_spatialite"}


def recreate_postgis(url: str) -> None:
    """Drop and create the database of ``url``, with PostGIS in it."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(target)
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    engine.dispose()


def import_into_landmatch(gpkg: Path, url: str, repo: Path, bin_dir: Path,
                          log: Path) -> tuple[float, float]:
    """Make a fresh register at ``url`` and import ``gpkg`` as the stock layer.

    Return the import's (seconds, peak MB), measured on the real ``landmatch import`` command.
    """
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        recreate_postgis(url)
    env = landmatch_env(url, repo)
    subprocess.run([str(bin_dir / "landmatch"), "init-db"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return timed([str(bin_dir / "landmatch"), "import", str(gpkg), "--layer", "stock",
                  "--no-county-check"], env, log)


def load_for_pygeoapi(gpkg: Path, url: str) -> float:
    """Copy ``gpkg``'s parcels into table ``parcels`` of ``url`` (recreated) with a GiST index.

    The geometry is declared EPSG:4326, pygeoapi's storage CRS by default: its PostgreSQL
    provider builds the bbox envelope in 4326 and PostGIS refuses mixed SRIDs. The coordinates
    are unchanged (CGCS2000 and WGS 84 agree to centimetres, and LandMatch reads a CRS84 bbox
    the same way). Return the seconds it took.
    """
    started = time.perf_counter()
    recreate_postgis(url)
    frame = pyogrio.read_dataframe(gpkg, fid_as_index=True)
    frame.index.name = "fid"
    frame = frame.set_crs(4326, allow_override=True).rename_geometry("geom")
    engine = create_engine(url)
    frame.to_postgis("parcels", engine, index=True, chunksize=10_000)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE parcels ADD PRIMARY KEY (fid)"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS parcels_geom_gist "
                          "ON parcels USING gist (geom)"))
        conn.execute(text("ANALYZE parcels"))
    engine.dispose()
    return time.perf_counter() - started
