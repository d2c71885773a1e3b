"""Pick the benchmark's bounding boxes: centred on random parcels, sized to hold N parcels."""

from __future__ import annotations

import math
import random

import floor
from sqlalchemy import Engine, text

BBox = tuple[float, float, float, float]


def centres(engine: Engine, how_many: int, seed: int) -> list[tuple[float, float]]:
    """Return the centroids of ``how_many`` parcels drawn at random (same seed, same parcels)."""
    with engine.connect() as conn:
        ids = conn.scalars(text("SELECT id FROM parcels ORDER BY id")).all()
        picked = random.Random(seed).sample(ids, min(how_many, len(ids)))
        return [tuple(conn.execute(text("SELECT ST_X(ST_Centroid(geom)), "
                                        "ST_Y(ST_Centroid(geom)) FROM parcels WHERE id = :id"),
                                   {"id": i}).one()) for i in picked]


def _box(x: float, y: float, half: float) -> BBox:
    """Return a square of ``half`` degrees of latitude each side of (x, y), on the ground."""
    wide = half / math.cos(math.radians(y))
    return (round(x - wide, 6), round(y - half, 6), round(x + wide, 6), round(y + half, 6))


def sized(engine: Engine, x: float, y: float, target: int) -> tuple[BBox, int]:
    """Return the box around (x, y) whose parcel count is nearest ``target``, and that count.

    Bisection on the half-size: the count only grows with the box.
    """
    low, high = 0.0, 3.0
    best: tuple[BBox, int] | None = None
    for _ in range(40):
        half = (low + high) / 2
        box = _box(x, y, half)
        found = floor.count(engine, box)
        if best is None or abs(found - target) < abs(best[1] - target):
            best = (box, found)
        if abs(found - target) <= max(1, target // 10):
            break
        low, high = (half, high) if found < target else (low, half)
    return best


def choose(engine: Engine, targets: list[int], per_size: int, seed: int) -> dict[int, list]:
    """Return {target: [(bbox, count), …]}: ``per_size`` boxes per target, the same each run."""
    points = centres(engine, per_size, seed)
    return {t: [sized(engine, x, y, t) for x, y in points] for t in targets}
