"""Areas on the CGCS2000 ellipsoid, and the bureau's area units (亩, 公顷)."""

from __future__ import annotations

from pyproj import Geod
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

# CGCS2000 uses the GRS 1980 ellipsoid except for a flattening that differs by 1e-11
# (a = 6378137, 1/f = 298.257222101): identical at any area a land survey reports.
CGCS2000 = Geod(a=6378137.0, rf=298.257222101)

M2_PER_MU = 10000 / 15
M2_PER_HA = 10000.0


def ellipsoidal_area_m2(geometry: BaseGeometry) -> float:
    """Return the area in m² of a lon/lat (EPSG:4490) geometry, measured on the ellipsoid.

    Holes are subtracted and ring orientation does not matter.

    >>> from shapely.geometry import box
    >>> round(ellipsoidal_area_m2(box(111.0, 35.0, 111.001, 35.001)))
    10128
    """
    # pyproj signs each ring by its winding, so a hole wound like its shell would be added:
    # orient every polygon first (shell counter-clockwise, holes clockwise).
    polygons = getattr(geometry, "geoms", [geometry])
    return sum(CGCS2000.geometry_area_perimeter(orient(p, sign=1.0))[0] for p in polygons)


def m2_to_mu(m2: float) -> float:
    """Convert m² to 亩 (1 亩 = 10000/15 m²).

    >>> m2_to_mu(6666.666666)
    9.999999999
    """
    return round(m2 / M2_PER_MU, 9)


def m2_to_ha(m2: float) -> float:
    """Convert m² to 公顷.

    >>> m2_to_ha(15000)
    1.5
    """
    return m2 / M2_PER_HA


def mu_to_m2(mu: float) -> float:
    """Convert 亩 to m²."""
    return mu * M2_PER_MU
