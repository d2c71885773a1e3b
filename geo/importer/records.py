"""The rows of an import that passed its checks, held by column until they are written."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


@dataclass
class Record:
    """A row ready to store: cleaned attributes, geometry (EPSG:4490) and its area."""

    row: int
    values: dict[str, object]
    extra: dict[str, object]
    geometry: BaseGeometry
    area_m2: float


class Records(Sequence[Record]):
    """The accepted rows: one list per field, the shapes as WKB, the areas.

    Reads as a sequence of ``Record`` (each built when asked for); the writer takes the
    columns as they are. A column per field keeps 100,000 rows at a fraction of the memory
    of as many dicts and shapely objects.
    """

    def __init__(self) -> None:
        self.lines: list[int] = []
        self.values: dict[str, list] = {}
        self.extra: list[dict | None] = []
        self.wkb: list[bytes] = []
        self.areas: list[float] = []

    def extend(self, lines: list[int], values: dict[str, list], extra: list[dict | None],
               geometries: np.ndarray, areas: np.ndarray, kept: np.ndarray) -> None:
        """Add the rows ``kept`` (indices into the batch's columns) of one checked batch."""
        picked = kept.tolist()
        for name, column in values.items():
            self.values.setdefault(name, [None] * len(self.lines)).extend(
                [column[i] for i in picked])
        self.extra += [extra[i] for i in picked]
        self.wkb += shapely.to_wkb(geometries[kept], output_dimension=2).tolist()
        self.areas += areas[kept].tolist()
        self.lines += lines

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = range(len(self))[index]
        return Record(self.lines[index], {k: v[index] for k, v in self.values.items()},
                      dict(self.extra[index] or {}), shapely.from_wkb(self.wkb[index]),
                      self.areas[index])

    def __iter__(self) -> Iterator[Record]:
        return (self[i] for i in range(len(self)))

    def codes(self) -> list[str]:
        """Return the parcel codes, in row order."""
        return [str(c) for c in self.values.get("code", [])]
