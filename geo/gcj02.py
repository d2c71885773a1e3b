"""GCJ-02 (the offset datum of AMap, Tencent and other Chinese web maps) to WGS84/CGCS2000."""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

# The published forward formula (Krasovsky ellipsoid constants), inverted by fixed-point
# iteration: the offset is smooth and small, so a few rounds reach millimetres.
_A, _EE = 6378245.0, 0.00669342162296594323


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y, pi = lon - 105.0, lat - 35.0, math.pi
    s = np.sqrt(np.abs(x))
    common = (20 * np.sin(6 * x * pi) + 20 * np.sin(2 * x * pi)) * 2 / 3
    dlat = (-100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * s + common
            + (20 * np.sin(y * pi) + 40 * np.sin(y / 3 * pi)) * 2 / 3
            + (160 * np.sin(y / 12 * pi) + 320 * np.sin(y * pi / 30)) * 2 / 3)
    dlon = (300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * s + common
            + (20 * np.sin(x * pi) + 40 * np.sin(x / 3 * pi)) * 2 / 3
            + (150 * np.sin(x / 12 * pi) + 300 * np.sin(x / 30 * pi)) * 2 / 3)
    rad = lat / 180 * pi
    magic = 1 - _EE * np.sin(rad) ** 2
    dlat = dlat * 180 / ((_A * (1 - _EE)) / (magic * np.sqrt(magic)) * pi)
    dlon = dlon * 180 / (_A / np.sqrt(magic) * np.cos(rad) * pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    """Return GCJ-02 coordinates of WGS84 ``lon``, ``lat`` (scalars or arrays)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat, tol: float = 1e-10):
    """Return WGS84 coordinates of GCJ-02 ``lon``, ``lat``, exact to about 1e-5 m.

    >>> lon, lat = gcj02_to_wgs84(*wgs84_to_gcj02(111.442, 35.877))
    >>> round(float(lon), 9), round(float(lat), 9)
    (111.442, 35.877)
    """
    glon, glat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(30):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        if np.all(np.abs(elon) < tol) and np.all(np.abs(elat) < tol):
            break
    return wlon, wlat


def geometry_gcj02_to_wgs84(geometry: BaseGeometry) -> BaseGeometry:
    """Return a GCJ-02 lon/lat geometry moved to WGS84 (= CGCS2000 at map scale)."""
    return shapely.transform(geometry, lambda xy: np.column_stack(gcj02_to_wgs84(xy[:, 0],
                                                                                 xy[:, 1])))
