"""Write pygeoapi's configuration (the parcels through its GeoPackage and PostgreSQL providers)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from sqlalchemy import make_url

GPKG_COLLECTION, POSTGRES_COLLECTION = "parcels_gpkg", "parcels_pg"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
MAX_ITEMS = 10_000  # LandMatch's maximum page too; the 3,000-feature queries fit in one page


def _collection(title: str, provider: dict, extent: list[float]) -> dict:
    return {"type": "collection", "title": title, "description": title, "keywords": ["parcels"],
            "extents": {"spatial": {"bbox": extent, "crs": CRS84}},
            "providers": [{"type": "feature", **provider}]}


def config(port: int, gpkg: Path, postgres_url: str | None, extent: list[float]) -> dict:
    """Return pygeoapi's configuration: one collection per provider, same parcels."""
    resources = {GPKG_COLLECTION: _collection("Parcels (GeoPackage)", {
        "name": "SQLiteGPKG", "data": str(gpkg.resolve()), "id_field": "fid",
        "table": "parcels"}, extent)}
    if postgres_url:
        url = make_url(postgres_url)
        resources[POSTGRES_COLLECTION] = _collection("Parcels (PostgreSQL)", {
            "name": "PostgreSQL", "id_field": "fid", "table": "parcels", "geom_field": "geom",
            "data": {"host": url.host, "port": url.port or 5432, "dbname": url.database,
                     "user": url.username, "password": url.password or "",
                     "search_path": ["public"]}}, extent)
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port}, "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8",
            "language": "en-US", "languages": ["en-US"], "pretty_print": False,
            "limits": {"default_items": 10, "max_items": MAX_ITEMS},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                    "attribution": "OpenStreetMap"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "LandMatch bench", "description": "pygeoapi reference",
                               "keywords": ["bench"], "keywords_type": "theme",
                               "terms_of_service": "none", "url": "http://127.0.0.1"},
            "license": {"name": "CC-BY 4.0",
                        "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "bench", "url": "http://127.0.0.1"},
            "contact": {"name": "bench", "email": "bench@example.org"},
        },
        "resources": resources,
    }


def write(folder: Path, pygeoapi_bin: Path, port: int, gpkg: Path, postgres_url: str | None,
          extent: list[float]) -> dict[str, str]:
    """Write the configuration and the OpenAPI document pygeoapi requires; return their env vars.

    The configuration is written as JSON, which YAML readers accept as it is.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cfg, openapi = folder / "pygeoapi-config.yml", folder / "pygeoapi-openapi.yml"
    cfg.write_text(json.dumps(config(port, gpkg, postgres_url, extent), indent=1))
    env = {"PYGEOAPI_CONFIG": str(cfg), "PYGEOAPI_OPENAPI": str(openapi),
           "SPATIALITE_LIBRARY_PATH": "mod_spatialite"}
    subprocess.run([str(pygeoapi_bin / "pygeoapi"), "openapi", "generate", str(cfg),
                    "--output-file", str(openapi)], env={**os.environ, **env}, check=True,
                   stdout=subprocess.DEVNULL)
    return env
