"""Write the register's layers to files for other systems (GeoJSON, RFC 7946)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from geo.features import Layer, collection_json, iter_layer


def geojson_chunks(session: Session, layer: Layer) -> Iterator[str]:
    """Yield ``layer`` as an RFC 7946 FeatureCollection, streamed a batch at a time.

    Coordinates are lon/lat (EPSG:4490, which RFC 7946 treats as WGS84), outer rings
    counter-clockwise, and there is no ``crs`` member.
    """
    return collection_json(iter_layer(session, layer), name=layer.name)


def write_geojson(session: Session, layer: Layer, path: str | Path) -> int:
    """Write ``layer`` to ``path`` as GeoJSON; return the number of features written."""
    count = 0

    def counted() -> Iterator[str]:
        nonlocal count
        for feature in iter_layer(session, layer):
            count += 1
            yield feature

    with open(path, "w", encoding="utf-8") as out:
        for chunk in collection_json(counted(), name=layer.name):
            out.write(chunk)
    return count
