"""Which town and park a shape lies in: the place holding most of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.county import Place

PARCEL_FIELD = {"towns": "town", "parks": "park"}  # the parcel field each kind of place fills


@dataclass(frozen=True)
class Places:
    """The towns and parks parcels are located in, and where they came from."""

    towns: tuple[Place, ...]
    parks: tuple[Place, ...]
    loaded: frozenset[str] = frozenset()  # kinds that are the bureau's own, not the county's

    def of(self, kind: str) -> tuple[Place, ...]:
        """Return the places of ``kind`` ("towns" or "parks")."""
        return self.towns if kind == "towns" else self.parks

    def names(self, kind: str) -> list[str]:
        """Return the names of ``kind``'s places, in their order."""
        return [p.name for p in self.of(kind)]

    def locate(self, geom: BaseGeometry, kind: str) -> str | None:
        """Return the name of the place of ``kind`` holding most of ``geom`` (None: none).

        >>> from shapely.geometry import box
        >>> a = Place("1", "甲", "A", box(0, 0, 1, 1), box(0, 0, 1, 1).centroid)
        >>> Places((a,), ()).locate(box(0.5, 0.5, 1.5, 0.6), "towns")
        '甲'
        """
        return locate_all(self.of(kind), np.array([geom], dtype=object))[0]


def locate_all(candidates: Sequence[Place], shapes: np.ndarray) -> list[str | None]:
    """Return, for each shape (None skipped), the name of the place holding most of it.

    Most parcels lie inside one place: only those that cross a boundary have the areas of
    their parts compared.
    """
    names: list[str | None] = [None] * len(shapes)
    present = np.flatnonzero(shapes != None)  # noqa: E711 (elementwise on an object array)
    if not len(present) or not candidates:
        return names
    geoms = shapes[present]
    hits = np.zeros((len(candidates), len(geoms)), dtype=bool)
    for k, place in enumerate(candidates):
        shapely.prepare(place.geometry)
        hits[k] = shapely.intersects(place.geometry, geoms)
    for j in np.flatnonzero(hits.sum(axis=0) > 0):
        inside = np.flatnonzero(hits[:, j])
        if len(inside) == 1:
            best = inside[0]
        else:  # compared in degrees: only which part is largest matters, not its size
            areas = [shapely.area(shapely.intersection(candidates[k].geometry, geoms[j]))
                     for k in inside]
            best = inside[int(np.argmax(areas))]
        names[present[j]] = candidates[best].name
    return names


