"""Describe the machine and the software a benchmark ran on, so its figures can be compared."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, text


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            return round(int(line.split()[1]) / 1024 ** 2, 1)
    return 0.0


def load_average() -> str:
    """Return the 1, 5 and 15-minute load averages, as the shell shows them."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _database(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return {"SQLite": conn.scalar(text("SELECT sqlite_version()")),
                    "SpatiaLite": conn.scalar(text("SELECT spatialite_version()"))}
        return {"PostgreSQL": conn.scalar(text("SHOW server_version")),
                "PostGIS": conn.scalar(text("SELECT postgis_lib_version()"))}


def _pygeoapi(python: Path) -> dict[str, str]:
    code = ("import sys, pygeoapi, gunicorn; "
            "print(pygeoapi.__version__, gunicorn.__version__, sys.version.split()[0])")
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    pygeoapi, gunicorn, version = out.stdout.split()
    return {"pygeoapi": pygeoapi, "pygeoapi's gunicorn": gunicorn, "pygeoapi's Python": version}


def describe(engines: list[Engine], pygeoapi_python: Path) -> dict[str, str]:
    """Return the machine (CPU, cores, RAM, kernel) and the versions of what was measured."""
    import gunicorn

    info = {
        "host": socket.gethostname(), "CPU": _cpu_model(), "cores": str(os.cpu_count()),
        "RAM": f"{_ram_gib()} GiB", "kernel": f"{platform.system()} {platform.release()}",
        "Python": sys.version.split()[0], "gunicorn": gunicorn.__version__,
    }
    for engine in engines:
        info.update(_database(engine))
    info.update(_pygeoapi(pygeoapi_python))
    return info
