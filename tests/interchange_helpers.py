"""Helpers for the import/export tests: fresh target databases and parcels inside the county."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from geo.county import load_county
from geo.register import make_engine, make_sessionmaker


def target_sessions(templates, backend, folder):
    """Return (sessionmaker, engine, drop) for a fresh empty register on ``backend``."""
    folder.mkdir(parents=True, exist_ok=True)
    factory = templates(backend)
    url = factory.fresh(False, folder)
    engine = make_engine(url)

    def drop():
        engine.dispose()
        factory.drop(url)

    return make_sessionmaker(engine), engine, drop


def seat_parcels(n: int = 3, size: float = 0.002, dbf: bool = False) -> gpd.GeoDataFrame:
    """Return ``n`` square parcels near the county seat, lon/lat (EPSG:4490).

    ``dbf`` names the columns as pinyin initials (DKBH, QLR, RJL, BZ), which fit a UTF-8
    Shapefile's 10-byte column names.
    """
    x, y = load_county().settings["seat"]
    shapes = [box(x + i * 0.004, y, x + i * 0.004 + size, y + size) for i in range(n)]
    frame = gpd.GeoDataFrame(
        {"地块编号": [f"T{i:03d}" for i in range(n)],
         "权利人": ["山西晋南食品有限公司", "襄汾县国有资产公司", "汾城镇集体"][:n],
         "容积率": [0.8, 1.2, 0.5][:n], "备注": ["甲", "乙", "丙"][:n]},
        geometry=shapes, crs="EPSG:4490")
    if dbf:
        frame = frame.rename(columns={"地块编号": "DKBH", "权利人": "QLR", "容积率": "RJL",
                                      "备注": "BZ"})
    return frame
