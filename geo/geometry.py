"""Geometry as the register stores it: valid, MultiPolygon, outer rings counter-clockwise."""

from __future__ import annotations

import shapely
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from geo.crs import STORAGE_SRID
from geo.errors import N_, GeoError


def as_multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    """Return ``geometry`` as a MultiPolygon with RFC 7946 winding; refuse what is no area.

    >>> from shapely.geometry import box
    >>> as_multipolygon(box(0, 0, 1, 1).reverse()).geoms[0].exterior.is_ccw
    True
    """
    if geometry.is_empty:
        raise GeoError(N_("The geometry is empty."), field="geometry")
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    polygons = [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, Polygon)]
    polygons += [
        p for g in getattr(geometry, "geoms", []) if isinstance(g, MultiPolygon) for p in g.geoms
    ]
    if not polygons:
        raise GeoError(N_("The geometry is not a polygon."), field="geometry")
    return MultiPolygon([orient(p, sign=1.0) for p in polygons])


def to_db(geometry: BaseGeometry):
    """Return ``geometry`` (already in EPSG:4490) as a value for a geometry column."""
    return from_shape(geometry, srid=STORAGE_SRID)


def from_db(value) -> BaseGeometry | None:
    """Return the shapely geometry of a geometry column's value."""
    return None if value is None else to_shape(value)
