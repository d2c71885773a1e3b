"""Check every row of an import: geometry, codes, county, areas, land use, numbers.

Rows are checked a batch at a time, column by column: each value through its field's
``clean`` from the data dictionary, the shapes as arrays (geo/importer/shapes.py). The
findings are then put in row order, each row's in the order of the checks.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs import CrsChoice
from geo.errors import N_, FieldError
from geo.idle_law import CONTRACT_FIELDS, Contract, idle_from
from geo.importer.declared import (
    NOTE_AGREE,
    NOTE_HEADER,
    NOTE_UNKNOWN,
    NOTE_VALUES,
    UNIT_ZH,
    check_area,
    header_unit,
    unit_from_values,
)
from geo.importer.land_uses import as_text, column_systems, resolve_column
from geo.importer.mapping import EXTRA, EXTRA_JSON, SKIP, importable_fields
from geo.importer.records import Records
from geo.importer.shapes import ShapeChecker
from geo.importer.source import MAX_UNPACKED, Source
from geo.importer.values import ValueMap
from geo.places import PARCEL_FIELD, Places, locate_all
from geo.record_rules import RULE_FIELDS, parcel_problems
from geo.reference import LAND_USE_FIELDS

DEFAULT_STATUS = {"idle": "idle", "stock": "available"}
BATCH = 10_000  # rows checked together: large enough for array speed, small for memory
PREVIEW = 5_000  # shapes a plan keeps for the upload page's map, whatever their rows' fate


@dataclass(frozen=True)
class Options:
    """Tolerances of the checks; ``county`` None turns the county check off."""

    area_tolerance: float = 0.01  # registered vs computed area, relative: beyond it, a warning
    repair_tolerance: float = 0.01  # area change a make_valid repair may cause, relative
    county: BaseGeometry | None = None
    max_unpacked: int = MAX_UNPACKED  # bytes a zip may unpack to (geo/importer/source.py)
    # {"land_use" | "planned_use": system} declared by the user; others are told from the codes
    code_systems: Mapping[str, str] = field(default_factory=dict)
    # Towns and parks (geo/boundaries.py): each parcel's are those its shape lies in.
    places: Places | None = None


@dataclass(frozen=True)
class Issue:
    """One finding on one row; ``message`` is an English msgid with ``%(name)s`` params."""

    row: int
    code: str | None
    field: str | None
    severity: str  # "error" rejects the file, "warning" is reported only
    message: str
    params: dict = field(default_factory=dict)


class _Findings:
    """The findings of one batch by row index: (field, message, severity, params)."""

    def __init__(self) -> None:
        self.by_row: dict[int, list[tuple]] = defaultdict(list)

    def add(self, index, field_name, message, severity="error", **params) -> None:
        self.by_row[int(index)].append((field_name, message, severity, params))

    def rejected(self, size: int) -> np.ndarray:
        mask = np.zeros(size, dtype=bool)
        for index, found in self.by_row.items():
            mask[index] = any(f[2] == "error" for f in found)
        return mask


def validate(source: Source, mapping: Mapping[str, str], layer: str, crs: CrsChoice,
             options: Options, progress: Callable[[int], None] | None = None,
             notes: list | None = None, value_map: ValueMap | None = None,
             preview: list | None = None) -> tuple[Records, list[Issue]]:
    """Return the rows that pass and every issue found, each naming its row and field.

    What was decided for the whole file (code systems, the registered areas' unit) is added
    to ``notes`` as (msgid, params). ``value_map`` reads a column's other words as its field's
    values (and counts them); ``preview`` receives (line, code, WKB, rejected) for the first
    ``PREVIEW`` shapes.
    """
    notes = [] if notes is None else notes
    fields = {f.name: f for f in importable_fields(layer)}
    value_map = value_map or ValueMap({}, mapping, fields)
    shapes = ShapeChecker(crs, options.repair_tolerance, options.county)
    systems = column_systems(source, mapping, options.code_systems, notes)
    area_column = next((c for c, t in mapping.items() if t == "registered_area"), None)
    area_unit = header_unit(area_column) if area_column else None
    if area_unit:
        notes.append((NOTE_HEADER, {"column": area_column, "unit": UNIT_ZH[area_unit]}))
    first_row: dict[str, int] = {}
    agree = [0, 0]  # registered areas that agree with the computed ones, of those compared
    records = Records()
    issues: list[Issue] = []
    for start in range(0, source.size, BATCH):
        stop = min(start + BATCH, source.size)
        found = _Findings()
        values, extra = _attributes(source, mapping, fields, start, stop, found, value_map)
        size = stop - start
        codes = values.get("code", [None] * size)
        for i, code in enumerate(codes):
            if not code:
                continue
            if code in first_row:
                found.add(i, "code", N_("Parcel code %(value)s is also on row %(first)s of "
                                        "the file."), value=code, first=first_row[code])
            else:
                first_row[code] = source.line(start + i)
        values["layer"] = [layer] * size
        default = DEFAULT_STATUS[layer]
        values["status"] = [s or default for s in values.get("status", [None] * size)]
        for name in LAND_USE_FIELDS:
            if name in values:
                resolve_column(values, name, systems[name], found.add)
        _derive_idle_since(values, size)
        geometries, areas = shapes.check(source.geometries(start, stop), found.add)
        for i in np.flatnonzero(shapes.outside(geometries)):
            found.add(i, "geometry", N_("The parcel lies outside the county."))
        if options.places is not None:
            _derive_places(options.places, geometries, values, found)
        if area_column and area_unit is None:
            area_unit = _unit_from_values(values, geometries, areas, area_column, notes)
        if "registered_area" in values:
            _registered_areas(values, geometries, areas, area_unit or "m2",
                              options.area_tolerance, found, agree)
        _check_whole_rows(values, size, found)  # after the areas got their unit
        for i in sorted(found.by_row):
            issues += [Issue(source.line(start + i), codes[i], f, severity, message, params)
                       for f, message, severity, params in found.by_row[i]]
        rejected = found.rejected(size)
        kept = np.flatnonzero((geometries != None) & ~rejected)  # noqa: E711
        if preview is not None and len(preview) < PREVIEW:
            _add_preview(preview, geometries, codes, rejected, source, start)
        records.extend([source.line(start + i) for i in kept.tolist()], values, extra,
                       geometries, areas, kept)
        if progress:
            progress(size)
    if agree[1]:
        notes.append((NOTE_AGREE, {"column": area_column, "matched": agree[0], "total": agree[1],
                                   "tol": f"{options.area_tolerance * 100:g}"}))
    return records, issues


def _derive_places(places: Places, geometries: np.ndarray, values: dict[str, list],
                   found: _Findings) -> None:
    """Store the town and park each shape lies in; warn where the file's column says another."""
    for kind, name in PARCEL_FIELD.items():
        derived = locate_all(places.of(kind), geometries)
        given = values.get(name, [None] * len(geometries))
        for i, (said, place) in enumerate(zip(given, derived, strict=True)):
            if said and place and said != place:
                found.add(i, name, N_("%(field)s %(value)s in the file, but the shape lies "
                                      "in %(derived)s: %(derived)s is stored."), "warning",
                          value=said, derived=place)
        values[name] = [place or said for said, place in zip(given, derived, strict=True)]


def _add_preview(preview: list, geometries: np.ndarray, codes: list, rejected: np.ndarray,
                 source: Source, start: int) -> None:
    """Add the batch's shapes, simplified to about a metre, until ``PREVIEW`` are held."""
    present = np.flatnonzero(geometries != None)[:PREVIEW - len(preview)]  # noqa: E711
    shapes = shapely.to_wkb(shapely.simplify(geometries[present], 1e-5), output_dimension=2)
    preview += [(source.line(start + i), codes[i], wkb, bool(rejected[i]))
                for i, wkb in zip(present.tolist(), shapes.tolist(), strict=True)]


def _attributes(source: Source, mapping: Mapping[str, str], fields, start: int, stop: int,
                found: _Findings, value_map: ValueMap,
                ) -> tuple[dict[str, list], list[dict | None]]:
    """Return each mapped field's cleaned values, and each row's ``extra`` (None if empty).

    A value its field refuses is reported and left None; its row is then rejected.
    """
    values: dict[str, list] = {}
    extra: list[dict | None] = [None] * (stop - start)
    for column, target in mapping.items():
        if target == SKIP:
            continue
        raws = source.values(column, start, stop)
        if target in (EXTRA, EXTRA_JSON):
            for i, raw in enumerate(raws):
                kept = _extra(column, raw, target)
                if kept:
                    extra[i] = {**(extra[i] or {}), **kept}
            continue
        values[target] = _clean_column(fields[target], raws, found, value_map.table(column),
                                       partial(value_map.count, column))
    return values, extra


def _extra(column: str, raw: object, target: str) -> dict:
    if target == EXTRA:
        if raw is None:
            return {}
        return {column: raw if isinstance(raw, int | float | str | bool) else str(raw)}
    try:
        return dict(raw if isinstance(raw, dict) else json.loads(raw) if raw else {})
    except (TypeError, ValueError):
        return {column: raw}


def _derive_idle_since(values: dict[str, list], size: int) -> None:
    """Set each row's idle date from its contract (令53, geo/idle_law.py), never from a typed
    one: the importer writes in bulk, past the ORM hook that does this for every other path."""
    values.pop("idle_since", None)  # a typed idle date is not taken (export round trips)
    if "agreed_start" not in values:
        return
    names = [n for n in CONTRACT_FIELDS if n in values]
    values["idle_since"] = [idle_from(Contract(**{n: values[n][i] for n in names}))
                            for i in range(size)]


def _check_whole_rows(values: dict[str, list], size: int, found: _Findings) -> None:
    """Report the rows whose fields disagree (geo/record_rules.py), as forms and API refuse."""
    present = [n for n in RULE_FIELDS if n in values]
    for i in range(size):
        for problem in parcel_problems({n: values[n][i] for n in present}):
            found.add(i, problem.field, problem.message, **problem.params)


def _clean_column(f, raws: list, found: _Findings, words: Mapping[str, tuple[str, str]],
                  count: Callable[[str, str], None]) -> list:
    """Return ``raws`` through ``f.clean``; what it refuses is reported and becomes None.

    A text that ``words`` holds (stripped) is read as the value it maps to, and counted.
    """
    if f.name in LAND_USE_FIELDS:
        # "05H1 商业服务业设施用地" is longer than a code: read whole, resolved to a code later
        return [as_text(raw) for raw in raws]
    clean = f.clean
    text = f.kind == "text"
    # a choice column repeats a few labels: each is looked up among the choices once
    known: dict[str, object] | None = {} if f.kind == "choice" else None
    cleaned: list = [None] * len(raws)
    for i, raw in enumerate(raws):
        if raw is None and f.name == "status":
            continue  # the layer's default status is used
        if words and type(raw) is str and raw.strip() in words:
            word = raw.strip()
            raw, how = words[word]
            count(word, how)
        if known is not None and type(raw) is str and raw in known:
            cleaned[i] = known[raw]
            continue
        if text and isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # a numeric DBF column: 601.0 is the code 601, not "601.0"
        try:
            cleaned[i] = clean(raw)
        except FieldError as error:
            found.add(i, f.name, error.message, value=raw, **error.params)
            continue
        if known is not None and type(raw) is str:
            known[raw] = cleaned[i]
    return cleaned


def _unit_from_values(values, geometries, areas, column: str, notes: list) -> str | None:
    """Return the registered areas' unit the values of the first batch tell (once a file)."""
    pairs = [(float(v), float(areas[i])) for i, v in enumerate(values["registered_area"])
             if v is not None and geometries[i] is not None]
    if not pairs:
        return None
    unit = unit_from_values(pairs)
    notes.append((NOTE_VALUES, {"column": column, "unit": UNIT_ZH[unit]}) if unit else
                 (NOTE_UNKNOWN, {"column": column}))
    return unit or "m2"


def _registered_areas(values, geometries, areas, unit: str, tolerance: float,
                      found: _Findings, agree: list[int]) -> None:
    """Give each registered area its unit (the row's own, else the file's) and compare it,
    counting in ``agree`` [agreeing, compared]."""
    declared = values["registered_area"]
    units = values.get("registered_area_unit") or [None] * len(declared)
    values["registered_area_unit"] = [
        (units[i] or unit) if v is not None else units[i] for i, v in enumerate(declared)]
    for i, value in enumerate(declared):
        if value is not None and geometries[i] is not None:
            agree[0] += check_area(float(value), values["registered_area_unit"][i],
                                   float(areas[i]), tolerance, partial(found.add, i))
            agree[1] += 1
