"""The geometry checks of an import, on whole arrays of shapes: CRS, type, validity, area.

Each step runs once per batch of rows in shapely's and pyproj's C code; only the rare rows
that need a decision of their own (invalid shapes, geometry collections) go one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.areas import CGCS2000, ellipsoidal_area_m2
from geo.crs import CrsChoice, transformer_to_storage
from geo.errors import N_, GeoError
from geo.gcj02 import geometry_gcj02_to_wgs84
from geo.geometry import as_multipolygon

POLYGON, MULTIPOLYGON, COLLECTION = 3, 6, 7  # shapely.get_type_id
Add = Callable[..., None]  # add(index, field, message, severity="error", **params)


class ShapeChecker:
    """Moves shapes to the storage CRS and checks them; built once per import."""

    def __init__(self, crs: CrsChoice, repair_tolerance: float,
                 county: BaseGeometry | None) -> None:
        self.gcj02 = crs.gcj02
        self.transformer = None if crs.gcj02 else transformer_to_storage(crs.crs)
        if self.transformer is not None and self.transformer.definition.startswith("proj=noop"):
            self.transformer = None  # already CGCS2000 lon/lat: the coordinates stay as they are
        self.repair_tolerance = repair_tolerance
        self.county = None
        if county is not None:
            self.county = county.buffer(0.002)
            shapely.prepare(self.county)

    def check(self, raw: np.ndarray, add: Add) -> tuple[np.ndarray, np.ndarray]:
        """Return (MultiPolygons in EPSG:4490, ellipsoidal areas in m²) for ``raw``.

        A rejected shape is None in the first array; every finding goes to ``add`` with the
        shape's index in ``raw``.
        """
        shapes = np.full(len(raw), None, dtype=object)
        areas = np.zeros(len(raw))
        present = ~(shapely.is_missing(raw) | shapely.is_empty(raw))
        for index in np.flatnonzero(~present):
            add(index, "geometry", N_("The geometry is empty."))
        indices = np.flatnonzero(present)
        if not len(indices):
            return shapes, areas
        lonlat = self._to_storage(raw[indices])
        kinds = shapely.get_type_id(lonlat)
        valid = shapely.is_valid(lonlat)
        simple = valid & ((kinds == POLYGON) | (kinds == MULTIPOLYGON))
        shapes[indices[simple]] = _multipolygons(lonlat[simple])
        for k in np.flatnonzero(~simple):
            shapes[indices[k]] = self._one(lonlat[k], bool(valid[k]), partial(add, indices[k]))
        done = np.flatnonzero(shapes != None)  # noqa: E711 (elementwise on an object array)
        areas[done] = areas_m2(shapes[done])
        return shapes, areas

    def outside(self, shapes: np.ndarray) -> np.ndarray:
        """Return a mask of the shapes (None skipped) that are not inside the county."""
        if self.county is None:
            return np.zeros(len(shapes), dtype=bool)
        present = shapes != None  # noqa: E711
        inside = np.ones(len(shapes), dtype=bool)
        inside[present] = shapely.contains(self.county, shapes[present])
        return ~inside

    def _to_storage(self, shapes: np.ndarray) -> np.ndarray:
        if self.gcj02:
            return geometry_gcj02_to_wgs84(shapes)
        if self.transformer is None:
            return shapes
        return shapely.transform(shapes, self.transformer.transform, interleaved=False)

    def _one(self, lonlat: BaseGeometry, valid: bool, add) -> BaseGeometry | None:
        """Check a shape that is not a valid (multi)polygon: repair it or say what is wrong."""
        if not any(g.geom_type in ("Polygon", "MultiPolygon")
                   for g in getattr(lonlat, "geoms", [lonlat])):
            add("geometry", N_("The geometry is a %(kind)s; a parcel needs its outline (a "
                               "polygon)."), kind=lonlat.geom_type)
            return None
        if not valid:
            before = ellipsoidal_area_m2(lonlat)
            repaired = as_multipolygon(shapely.make_valid(lonlat))
            after = ellipsoidal_area_m2(repaired)
            change = abs(after - before) / before if before else float("inf")
            if change > self.repair_tolerance:
                add("geometry", N_("The geometry is invalid (%(reason)s) and repairing it "
                                   "would change its area by %(pct)s%%; fix it in the "
                                   "source."), reason=shapely.is_valid_reason(lonlat),
                    pct=pct(change))
                return None
            add("geometry", N_("The geometry was invalid (%(reason)s) and was repaired; its "
                               "area changed by %(pct)s%%."), "warning",
                reason=shapely.is_valid_reason(lonlat), pct=pct(change))
            lonlat = repaired
        try:
            return as_multipolygon(lonlat)
        except GeoError as error:
            add("geometry", error.message, **error.params)
            return None


def pct(ratio: float) -> str:
    """Return a ratio as a percentage for a message ("∞" for an infinite one)."""
    return "∞" if ratio == float("inf") else f"{ratio * 100:.2f}"


def _multipolygons(shapes: np.ndarray) -> np.ndarray:
    """Return valid Polygons and MultiPolygons as MultiPolygons wound as ``as_multipolygon``
    winds them: shells counter-clockwise, holes clockwise."""
    oriented = shapely.orient_polygons(shapes, exterior_cw=False)
    single = shapely.get_type_id(oriented) == POLYGON
    oriented[single] = shapely.multipolygons(oriented[single],
                                             indices=np.arange(int(single.sum())))
    return oriented


def areas_m2(shapes: np.ndarray) -> np.ndarray:
    """Return the ellipsoidal area of each oriented (Multi)Polygon, as ``ellipsoidal_area_m2``.

    The rings are cut out of one coordinate array and measured ring by ring with the same
    pyproj call, and summed in the same order, so each area is the same float.
    """
    parts, part_of = shapely.get_parts(shapes, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    cuts = np.searchsorted(coord_of, np.arange(len(rings) + 1))
    x, y = coords[:, 0], coords[:, 1]
    polygon_area = CGCS2000.polygon_area_perimeter
    part_area = [0.0] * len(parts)
    # the shell's area, then each hole's (negative: wound clockwise) added in turn
    for p, a, b in zip(ring_of.tolist(), cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        part_area[p] += polygon_area(x[a:b], y[a:b])[0]
    total = [0] * len(shapes)  # sum() starts from the integer 0
    for p, owner in enumerate(part_of.tolist()):
        total[owner] += part_area[p]
    return np.asarray(total, dtype=float)
