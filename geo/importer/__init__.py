"""Import the bureau's files into the register: read, map, detect the CRS, check, commit.

>>> from geo.importer import Options
>>> Options().area_tolerance
0.01
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy.orm import Session

from geo.crs import CrsChoice, detect_crs
from geo.errors import N_, GeoError
from geo.importer.commit import refuse_rejected, write_records
from geo.importer.mapping import (
    apply_overrides,
    auto_mapping,
    importable_fields,
    parse_overrides,
)
from geo.importer.records import Records
from geo.importer.source import Source, open_source
from geo.importer.validate import BATCH, Issue, Options, validate
from geo.importer.values import Applied, ValueMap, as_json, parse_value_maps, read_map_file
from geo.models import ImportRun

POINTS, OUTLINES = (0, 4), (3, 6, 7)  # shapely type ids: (multi)points; polygons, collections
Progress = Callable[[str, int], None]  # (stage: "read" | "validated" | "written", rows)


@dataclass
class Plan:
    """What an import would do: the mapping, the CRS, the rows that pass and the issues."""

    source: Source
    layer: str
    mapping: dict[str, str]
    crs: CrsChoice
    records: Records
    issues: list[Issue]
    notes: list[tuple[str, dict]] = field(default_factory=list)
    applied: list[Applied] = field(default_factory=list)  # words read as other values
    preview: list[tuple[int, str | None, bytes, bool]] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        """Return the issues that reject their row."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def ok(self) -> bool:
        """Return True when no row is rejected."""
        return not self.errors


@contextmanager
def _collect_new_objects_only() -> Iterator[None]:
    """Keep the cyclic garbage collector to the objects made from here on.

    An import makes millions of small objects; each full collection would also walk every
    object the application already holds (modules, the app, caches), which took a third of
    a 100,000-parcel import. ``gc.freeze`` sets those aside until the import ends.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def plan_import(path: str | Path, layer: str, *, crs: str | None = None,
                encoding: str | None = None, overrides: Mapping[str, str] | None = None,
                source_layer: str | None = None, options: Options | None = None,
                central_meridian: int | None = None,
                progress: Progress | None = None,
                value_maps: Mapping[str, Mapping[str, str]] | None = None) -> Plan:
    """Read ``path`` and check every row for ``layer`` ("idle" or "stock"); write nothing.

    ``value_maps`` ({column: {word: value or label}}) reads a column's words as its field's
    values (geo/importer/values.py).
    """
    with _collect_new_objects_only():
        return _plan(path, layer, crs, encoding, overrides, source_layer, options or Options(),
                     central_meridian, progress, value_maps or {})


def _plan(path, layer, crs, encoding, overrides, source_layer, options, central_meridian,
          progress, value_maps) -> Plan:
    if layer not in ("idle", "stock"):
        raise GeoError(N_("%(field)s must be idle or stock."), field="layer")
    source = open_source(path, source_layer, encoding, options.max_unpacked)
    if progress:
        progress("read", source.size)
    if not source.size:
        raise GeoError(N_("The file holds no rows."), field="file")
    mapping = apply_overrides(auto_mapping(source.columns, layer), overrides or {}, layer)
    if "code" not in mapping.values():
        raise GeoError(N_("No column holds the parcel code (地块编号, 宗地号, DKBH …); name "
                          "one with --map column=code."), field="code")
    value_map = ValueMap(value_maps, mapping, {f.name: f for f in importable_fields(layer)})
    bounds = _bounds(source)
    choice = detect_crs(bounds, source.file_crs, crs, central_meridian, options.county)
    notes = [(choice.note, choice.params)]
    if source.encoding:
        notes.append((source.encoding.note, source.encoding.params))
    preview: list = []
    records, issues = validate(source, mapping, layer, choice, options,
                               (lambda n: progress("validated", n)) if progress else None,
                               notes=notes, value_map=value_map, preview=preview)
    source.release()
    notes += [(N_("%(column)s: no row holds %(value)s, so its value mapping was not used."),
               {"column": column, "value": word}) for column, word in value_map.unused()]
    return Plan(source, layer, mapping, choice, records, issues, notes, value_map.applied(),
                preview)


def _bounds(source: Source) -> tuple[float, float, float, float]:
    """Return the bounds of every shape of ``source``; refuse a file without any."""
    corners = []
    points = outlines = 0
    for start in range(0, source.size, BATCH):
        shapes = source.geometries(start, start + BATCH)
        present = shapes[~(shapely.is_missing(shapes) | shapely.is_empty(shapes))]
        if len(present):
            corners.append(shapely.total_bounds(present))
            kinds = shapely.get_type_id(present)
            points += int(np.isin(kinds, POINTS).sum())
            outlines += int(np.isin(kinds, OUTLINES).sum())
    if not corners:
        raise GeoError(N_("No row has a geometry."), field="geometry")
    if points and not outlines:
        # Told before the CRS is guessed: a box around points says nothing useful about it.
        raise GeoError(N_("The file holds points only (%(n)s rows), no outlines: a parcel "
                          "needs its outline, a polygon. Send the parcels as polygons: a "
                          "Shapefile or GeoPackage of polygons, or a CSV or XLSX with a WKT "
                          "column of POLYGON outlines."), field="geometry", n=points)
    found = np.array(corners)
    return (*found[:, :2].min(axis=0).tolist(), *found[:, 2:].max(axis=0).tolist())


def commit_plan(session: Session, plan: Plan, filename: str | None = None,
                progress: Progress | None = None) -> tuple[int, int]:
    """Write a plan with no rejected row in one transaction; return (created, updated)."""
    if not plan.ok:
        raise refuse_rejected(len({i.row for i in plan.errors}))
    run = ImportRun(filename=filename or plan.source.path.name, layer=plan.layer,
                    crs=plan.crs.label + (" (GCJ-02)" if plan.crs.gcj02 else ""),
                    encoding=plan.source.encoding.name if plan.source.encoding else None,
                    mapping={"columns": plan.mapping, "values": as_json(plan.applied)})
    with _collect_new_objects_only():
        return write_records(session, plan.records, run,
                             (lambda n: progress("written", n)) if progress else None)


@dataclass
class Outcome:
    """A plan, and what committing it did (None when it was only checked)."""

    plan: Plan
    created: int | None = None
    updated: int | None = None


def import_file(session: Session, path: str | Path, layer: str, *, commit: bool = False,
                filename: str | None = None, **options) -> Outcome:
    """Check ``path`` for ``layer`` and, with ``commit``, write it all or nothing.

    ``options`` are those of ``plan_import``. A plan with rejected rows raises GeoError on
    commit; without ``commit`` the plan is returned whatever it found.
    """
    plan = plan_import(path, layer, **options)
    if not commit:
        return Outcome(plan)
    created, updated = commit_plan(session, plan, filename, options.get("progress"))
    return Outcome(plan, created, updated)


__all__ = ["Applied", "Issue", "Options", "Outcome", "Plan", "commit_plan", "import_file",
           "parse_overrides", "parse_value_maps", "plan_import", "read_map_file"]
