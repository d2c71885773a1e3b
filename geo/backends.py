"""The one place where SpatiaLite and PostGIS differ: bounding-box filters, shared edges."""

from __future__ import annotations

from sqlalchemy import and_, column, func, select, table
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from geo.crs import STORAGE_SRID

BBox = tuple[float, float, float, float]
# DE-9IM: interiors apart, boundaries meeting along a line (a shared corner point is not enough).
SHARED_EDGE = "F***1****"


class PostGIS:
    """PostGIS: ``ST_Intersects`` uses the GiST index by itself."""

    name = "postgis"

    def bbox_filter(self, geom: ColumnElement, pk: ColumnElement, bbox: BBox) -> ColumnElement:
        """Return a clause true where ``geom`` intersects ``bbox`` (lon/lat)."""
        return func.ST_Intersects(geom, func.ST_MakeEnvelope(*bbox, STORAGE_SRID))

    def shares_edge(self, a: ColumnElement, b: ColumnElement, b_pk: ColumnElement
                    ) -> ColumnElement:
        """Return a clause true where ``a`` and ``b`` share boundary but no interior."""
        return and_(a.op("&&")(b), func.ST_Relate(a, b, SHARED_EDGE))


class SpatiaLite:
    """SpatiaLite: SQLite never consults the R-tree on its own (STACK.md trap 4).

    The candidates come from the ``idx_<table>_<column>`` R-tree that SpatiaLite keeps
    beside each indexed geometry column; the exact test then runs on those few rows only.
    """

    name = "spatialite"

    def bbox_filter(self, geom: ColumnElement, pk: ColumnElement, bbox: BBox) -> ColumnElement:
        """Return a clause true where ``geom`` intersects ``bbox`` (lon/lat)."""
        minx, miny, maxx, maxy = bbox
        rtree = table(
            f"idx_{geom.table.name}_{geom.name}",
            column("pkid"), column("xmin"), column("xmax"), column("ymin"), column("ymax"),
        )
        candidates = select(rtree.c.pkid).where(
            rtree.c.xmin <= maxx, rtree.c.xmax >= minx,
            rtree.c.ymin <= maxy, rtree.c.ymax >= miny,
        )
        return and_(
            pk.in_(candidates),
            func.ST_Intersects(geom, func.BuildMbr(*bbox, STORAGE_SRID)),
        )

    def shares_edge(self, a: ColumnElement, b: ColumnElement, b_pk: ColumnElement
                    ) -> ColumnElement:
        """Return a clause true where ``a`` and ``b`` share boundary but no interior.

        ``b``'s candidates come from the R-tree, by ``a``'s bounding box.
        """
        rtree = table("idx_parcels_geom", column("pkid"), column("xmin"), column("xmax"),
                      column("ymin"), column("ymax"))
        near = select(rtree.c.pkid).where(
            rtree.c.xmin <= func.MbrMaxX(a), rtree.c.xmax >= func.MbrMinX(a),
            rtree.c.ymin <= func.MbrMaxY(a), rtree.c.ymax >= func.MbrMinY(a),
        ).correlate_except(rtree)
        # SpatiaLite's ST_Relate with a pattern answers 1/0, not a boolean.
        return and_(b_pk.in_(near), func.ST_Relate(a, b, SHARED_EDGE) == 1)


def backend_for(session: Session) -> PostGIS | SpatiaLite:
    """Return the adapter for the database ``session`` is bound to."""
    return SpatiaLite() if session.get_bind().dialect.name == "sqlite" else PostGIS()
