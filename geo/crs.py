"""Coordinate systems: storage in CGCS2000 lon/lat, Gauss–Krüger zones, and reprojection.

Every geometry enters and leaves the register through this module, so the CRS is explicit
at each border (STYLE.md: geopandas reprojects before handing data on; pygeoapi keeps CRS
logic in one crs.py).
"""

from __future__ import annotations

from functools import cache

import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

STORAGE_SRID = 4490  # CGCS2000 geographic; at web-map scale the same as WGS84


def gk_epsg(central_meridian: int, with_zone_prefix: bool) -> int:
    """Return the EPSG code of a CGCS2000 3° Gauss–Krüger zone.

    With the zone number in the easting (e.g. 37 512 345 m) the codes are 4513–4533
    (zones 25–45); without it, 4534–4554 (central meridians 75°E–135°E).

    >>> gk_epsg(111, True), gk_epsg(111, False)
    (4525, 4546)
    """
    if central_meridian % 3 or not 75 <= central_meridian <= 135:
        raise ValueError(f"no CGCS2000 3° zone has central meridian {central_meridian}")
    zone = central_meridian // 3
    return 4513 + zone - 25 if with_zone_prefix else 4534 + (central_meridian - 75) // 3


@cache
def _transformer(src: int, dst: int) -> Transformer:
    return Transformer.from_crs(CRS.from_epsg(src), CRS.from_epsg(dst), always_xy=True)


def reproject(geometry: BaseGeometry, src_epsg: int, dst_epsg: int) -> BaseGeometry:
    """Return ``geometry`` moved from one EPSG CRS to another (x = easting/longitude)."""
    if src_epsg == dst_epsg:
        return geometry
    return shapely.transform(geometry, _transformer(src_epsg, dst_epsg).transform,
                             interleaved=False)


def to_storage(geometry: BaseGeometry, src_epsg: int) -> BaseGeometry:
    """Return ``geometry`` in the storage CRS (EPSG:4490)."""
    return reproject(geometry, src_epsg, STORAGE_SRID)
