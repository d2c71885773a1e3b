"""Map layers as Mapbox vector tiles: written by the database where it can, else by shapely."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

import mapbox_vector_tile
import numpy as np
import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.errors import N_, GeoError, NotFound
from geo.features import Layer, layer_source
from geo.register import Backend, TileQuery, backend_for
from geo.register.bin import not_binned
from geo.supply import offerable_statuses

MAX_ZOOM = 22
EXTENT = 4096  # tile units per side, MVT's default
BUFFER = 64  # units drawn past each edge, so outlines do not stop at the tile's border
_RADIUS = 6378137.0  # the sphere of EPSG:3857
_HALF_WORLD = math.pi * _RADIUS  # metres from the origin to the edge of EPSG:3857


def colour_attribute(layer: Layer) -> str:
    """Return the attribute the map colours ``layer`` by: a project's stage, a parcel's status."""
    return "stage" if layer.entity == "project" else "status"


def check_tile(z: int, x: int, y: int) -> None:
    """Raise GeoError unless z/x/y names a tile of the Web Mercator grid up to MAX_ZOOM."""
    if not 0 <= z <= MAX_ZOOM:
        raise GeoError(N_("%(field)s must be between %(min)s and %(max)s."), field="z",
                       min=0, max=MAX_ZOOM)
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value < 2 ** z:
            # No such tile at this zoom (a 404, as any tile server): which x and y exist
            # depends on z, which no schema of the request can say.
            raise NotFound(N_("%(field)s must be between %(min)s and %(max)s."), field=name,
                           min=0, max=2 ** z - 1)


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Return the tile's (minx, miny, maxx, maxy) in Web Mercator metres.

    >>> tile_bounds(0, 0, 0)[2] == -tile_bounds(0, 0, 0)[0] == 20037508.342789244
    True
    """
    size = 2 * _HALF_WORLD / 2 ** z
    minx, maxy = -_HALF_WORLD + x * size, _HALF_WORLD - y * size
    return minx, maxy - size, minx + size, maxy


def tile_lonlat(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Return the tile's (west, south, east, north) in degrees.

    Meridians and parallels are straight in Web Mercator, so this box is the tile exactly.
    """
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    return _lon(minx), _lat(miny), _lon(maxx), _lat(maxy)


def _lon(mx: float) -> float:
    return mx / _HALF_WORLD * 180.0


def _lat(my: float) -> float:
    return math.degrees(math.atan(math.sinh(my / _HALF_WORLD * math.pi)))


def render_tile(session: Session, layer: Layer, z: int, x: int, y: int,
                filters: Mapping[str, list[str]] | None = None) -> bytes:
    """Return tile z/x/y of ``layer`` as MVT bytes (empty when no feature meets the tile).

    One MVT layer named after ``layer``; each feature carries its ``code`` and the attribute
    the map colours it by. Deleted records are left out; ``filters`` as /api/layers takes them.
    """
    check_tile(z, x, y)
    model, geom, conditions = layer_source(layer, filters or {}, offerable_statuses(session))
    attribute = colour_attribute(layer)
    query = TileQuery(name=layer.name, pk=model.id, code=model.code, attribute=attribute,
                      value=getattr(model, attribute), geom=geom, conditions=tuple(conditions),
                      z=z, x=x, y=y, extent=EXTENT, buffer=BUFFER,
                      simplify_m=SIMPLIFY * _unit_m(z), dot_m=DOT * _unit_m(z),
                      half_world=_HALF_WORLD)
    backend = backend_for(session)
    tile = backend.vector_tile(session, query)
    if tile is None:
        # _python_tile reads plain rows, which the ORM's bin hook does not see: it says so.
        query = replace(query, conditions=(*query.conditions, not_binned(model)))
        tile = _python_tile(session, backend, query)
    return tile


# Sizes in tile units (EXTENT units span 256 screen pixels: 16 units a pixel).
PIXEL = EXTENT // 256
# Smaller than this both ways: drawn as a square of a 2-pixel grid, one per cell whatever
# the colours of the features in it (as a canvas would paint them over each other).
DOT = 2 * PIXEL
SIMPLIFY = PIXEL // 2  # outlines lose detail finer than half a pixel


def _unit_m(z: int) -> float:
    """Return the size of one tile unit at zoom ``z``, in Web Mercator metres."""
    return 2 * _HALF_WORLD / 2 ** z / EXTENT


def _python_tile(session: Session, backend: Backend, query: TileQuery) -> bytes:
    """Return the tile drawn with shapely and mapbox-vector-tile from the rows it meets."""
    z, x, y, attribute = query.z, query.x, query.y, query.attribute
    # Plain rows (the connection, not the ORM): a low-zoom tile reads tens of thousands.
    rows = session.connection().execute(
        select(query.code, query.value, func.ST_AsBinary(query.geom))
        .where(backend.bbox_filter(query.geom, query.pk, tile_lonlat(z, x, y)),
               *query.conditions)
    ).all()
    if not rows:
        return b""
    # In code order, for the squares to stand for the same feature as on PostGIS. Sorted
    # here: ORDER BY makes SQLite walk the code index through the whole table.
    rows.sort(key=lambda r: r[0])
    codes = np.array([r[0] for r in rows], dtype=object)
    values = np.array([r[1] for r in rows], dtype=object)
    shapes = shapely.from_wkb([r[2] for r in rows])
    # Mercator keeps each axis in order, so a projected bounding box is the box of the
    # projected shape: the small ones are found without projecting them whole.
    lonlat = shapely.bounds(shapes)
    project = _projection(z, x, y)
    bounds = np.hstack((project(lonlat[:, [0, 3]]), project(lonlat[:, [2, 1]])))
    small = ((bounds[:, 2] - bounds[:, 0]) < DOT) & ((bounds[:, 3] - bounds[:, 1]) < DOT)
    outlines = _outlines(shapely.clip_by_rect(shapely.transform(shapes[~small], project),
                                              -BUFFER, -BUFFER, EXTENT + BUFFER,
                                              EXTENT + BUFFER))
    dots, first = _dots(bounds[small])
    features = [
        {"geometry": shape, "properties": {"code": code, attribute: value}}
        for shape, code, value in (
            *zip(outlines, codes[~small], values[~small], strict=True),
            *zip(dots, codes[small][first], values[small][first], strict=True),
        )
        if not shape.is_empty
    ]
    # The shapes are already on the integer grid and wound as MVT wants (exterior rings
    # with a positive area in y-down tile units): the encoder's own check costs most.
    return mapbox_vector_tile.encode(
        [{"name": query.name, "features": features}],
        default_options={"extents": EXTENT, "y_coord_down": True,
                         "check_winding_order": False},
    )


def _outlines(shapes: np.ndarray) -> np.ndarray:
    """Return shapes simplified for the zoom, snapped to whole tile units, MVT-wound."""
    snapped = shapely.set_precision(shapely.simplify(shapes, SIMPLIFY), 1.0)
    return shapely.orient_polygons(snapped, exterior_cw=False)


def _dots(bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return one square per cell of the DOT grid holding a feature's centre, and the index
    of the first feature (in code order) in each: the one the square stands for.

    The grid is counted up from the tile's bottom edge, as PostGIS counts it in metres.
    """
    if not len(bounds):
        return np.empty(0, dtype=object), np.empty(0, dtype=int)
    cx = np.floor((bounds[:, 0] + bounds[:, 2]) / 2 / DOT).astype(np.int64)
    cy = np.floor((EXTENT - (bounds[:, 1] + bounds[:, 3]) / 2) / DOT).astype(np.int64)
    _cells, first = np.unique(np.column_stack((cx, cy)), axis=0, return_index=True)
    left, top = cx[first] * DOT, EXTENT - (cy[first] + 1) * DOT
    return shapely.box(left, top, left + DOT, top + DOT), first


def _projection(z: int, x: int, y: int):
    """Return a function from lon/lat coordinates (an n × 2 array) to the tile's units."""
    minx, _miny, _maxx, maxy = tile_bounds(z, x, y)
    scale = 1 / _unit_m(z)

    def project(coords: np.ndarray) -> np.ndarray:
        mx = np.radians(coords[:, 0]) * _RADIUS
        my = np.log(np.tan(np.pi / 4 + np.radians(coords[:, 1]) / 2)) * _RADIUS
        return np.column_stack(((mx - minx) * scale, (maxy - my) * scale))

    return project
