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

from geo.areas import M2_PER_HA, M2_PER_MU
from geo.crs import CrsChoice
from geo.errors import N_, FieldError
from geo.importer.mapping import EXTRA, EXTRA_JSON, SKIP, importable_fields
from geo.importer.records import Records
from geo.importer.shapes import ShapeChecker, pct
from geo.importer.source import MAX_UNPACKED, Source
from geo.importer.values import ValueMap
from geo.record_rules import RULE_FIELDS, parcel_problems
from geo.reference import land_use_codes

DEFAULT_STATUS = {"idle": "idle", "stock": "available"}
BATCH = 10_000  # rows checked together: large enough for array speed, small for memory
PREVIEW = 5_000  # shapes a plan keeps for the upload page's map, whatever their rows' fate


@dataclass(frozen=True)
class Options:
    """Tolerances of the checks; ``county`` None turns the county check off."""

    area_tolerance: float = 0.01  # declared vs computed area, relative
    repair_tolerance: float = 0.01  # area change a make_valid repair may cause, relative
    county: BaseGeometry | None = None
    max_unpacked: int = MAX_UNPACKED  # bytes a zip may unpack to (geo/importer/source.py)


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
             value_map: ValueMap | None = None, preview: list | None = None,
             ) -> tuple[Records, list[Issue]]:
    """Return the rows that pass and every issue found, each naming its row and field.

    ``value_map`` reads a column's other words as its field's values (and counts them);
    ``preview`` receives (line, code, WKB, rejected) for the first ``PREVIEW`` shapes.
    """
    fields = {f.name: f for f in importable_fields(layer)}
    value_map = value_map or ValueMap({}, mapping, fields)
    shapes = ShapeChecker(crs, options.repair_tolerance, options.county)
    known_uses = land_use_codes()
    first_row: dict[str, int] = {}
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
        if "land_use" in values:
            values["land_use"] = _land_uses(values["land_use"], known_uses, found)
        _check_whole_rows(values, size, found)
        geometries, areas = shapes.check(source.geometries(start, stop), found.add)
        for i in np.flatnonzero(shapes.outside(geometries)):
            found.add(i, "geometry", N_("The parcel lies outside the county."))
        declared = values.pop("area_m2", [None] * size)
        for i, value in enumerate(declared):
            if value is not None and geometries[i] is not None:
                _check_area(float(value), float(areas[i]), options.area_tolerance,
                            partial(found.add, i))
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
    return records, issues


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
    clean = f.clean
    text, land_use = f.kind == "text", f.name == "land_use"
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
        if land_use and isinstance(raw, int) and len(str(raw)) % 2:
            raw = f"0{raw}"  # land-use codes have an even number of digits: 601 was 0601
        try:
            cleaned[i] = clean(raw)  # a declared area is compared, never stored
        except FieldError as error:
            found.add(i, f.name, error.message, value=raw, **error.params)
            continue
        if known is not None and type(raw) is str:
            known[raw] = cleaned[i]
    return cleaned


def _land_uses(uses: list, known: set | frozenset | Mapping, found: _Findings) -> list:
    """Return the land-use codes (the first word of each), reporting those no table holds."""
    result: list = []
    for i, land_use in enumerate(uses):
        if land_use:
            land_use = str(land_use).split()[0]
            if land_use not in known:
                found.add(i, "land_use", N_("Land-use code %(value)s is in none of the code "
                                            "tables (三调, 用地用海分类, GB/T 21010)."),
                          value=land_use)
        result.append(land_use)
    return result


def _check_area(declared: float, computed: float, tolerance: float, add) -> None:
    def off(value: float) -> float:
        return abs(value - computed) / computed if computed else float("inf")

    if off(declared) <= tolerance:
        return
    for factor, unit in ((M2_PER_MU, "亩"), (M2_PER_HA, "公顷")):
        if off(declared * factor) <= tolerance:
            add("area_m2", N_("The declared area %(declared)s was read as %(unit)s (it matches "
                              "the computed area %(computed)s m² in that unit)."), "warning",
                declared=f"{declared:g}", unit=unit, computed=f"{computed:.2f}")
            return
    add("area_m2", N_("The declared area %(declared)s m² differs from the ellipsoidal area "
                      "%(computed)s m² by %(pct)s%% (tolerance %(tol)s%%)."),
        declared=f"{declared:g}", computed=f"{computed:.2f}", pct=pct(off(declared)),
        tol=f"{tolerance * 100:g}")
