"""Check every row of an import: geometry, codes, county, areas, land use, numbers."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from geo.areas import M2_PER_HA, M2_PER_MU, ellipsoidal_area_m2
from geo.crs import CrsChoice, geometry_to_storage, transformer_to_storage
from geo.errors import N_, FieldError, GeoError
from geo.gcj02 import geometry_gcj02_to_wgs84
from geo.geometry import as_multipolygon
from geo.importer.mapping import EXTRA, EXTRA_JSON, SKIP, importable_fields
from geo.importer.source import Source
from geo.reference import land_use_codes

DEFAULT_STATUS = {"idle": "idle", "stock": "available"}


@dataclass(frozen=True)
class Options:
    """Tolerances of the checks; ``county`` None turns the county check off."""

    area_tolerance: float = 0.01  # declared vs computed area, relative
    repair_tolerance: float = 0.01  # area change a make_valid repair may cause, relative
    county: BaseGeometry | None = None


@dataclass(frozen=True)
class Issue:
    """One finding on one row; ``message`` is an English msgid with ``%(name)s`` params."""

    row: int
    code: str | None
    field: str | None
    severity: str  # "error" rejects the file, "warning" is reported only
    message: str
    params: dict = field(default_factory=dict)


@dataclass
class Record:
    """A row ready to store: cleaned attributes, geometry (EPSG:4490) and its area."""

    row: int
    values: dict[str, object]
    extra: dict[str, object]
    geometry: BaseGeometry
    area_m2: float


def validate(source: Source, mapping: Mapping[str, str], layer: str, crs: CrsChoice,
             options: Options, progress: Callable[[int], None] | None = None,
             ) -> tuple[list[Record], list[Issue]]:
    """Return the rows that pass and every issue found, each naming its row and field."""
    fields = {f.name: f for f in importable_fields(layer)}
    transformer = None if crs.gcj02 else transformer_to_storage(crs.crs)
    county = prep(options.county.buffer(0.002)) if options.county is not None else None
    known_uses = land_use_codes()
    first_row: dict[str, int] = {}
    records: list[Record] = []
    issues: list[Issue] = []
    for index, row in enumerate(source.rows):
        line = source.line(index)
        found: list[Issue] = []

        def add(field_name, message, severity="error", _line=line, _found=found, **params):
            _found.append(Issue(_line, None, field_name, severity, message, params))

        values, extra = _attributes(row, mapping, fields, add)
        code = values.get("code")
        if code:
            if code in first_row:
                add("code", N_("Parcel code %(value)s is also on row %(first)s of the file."),
                    value=code, first=first_row[code])
            else:
                first_row[code] = line
        values["layer"] = layer
        if not values.get("status"):
            values["status"] = DEFAULT_STATUS[layer]
        land_use = values.get("land_use")
        if land_use:
            land_use = str(land_use).split()[0]
            values["land_use"] = land_use
            if land_use not in known_uses:
                add("land_use", N_("Land-use code %(value)s is in none of the code tables "
                                   "(三调, 用地用海分类, GB/T 21010)."), value=land_use)
        geometry, area = _geometry(source.geometries[index], transformer, crs.gcj02, options,
                                   add)
        if geometry is not None:
            if county is not None and not county.contains(geometry):
                add("geometry", N_("The parcel lies outside the county."))
            declared = values.pop("area_m2", None)
            if declared is not None:
                _check_area(float(declared), area, options.area_tolerance, add)
        found = [Issue(i.row, code, i.field, i.severity, i.message, i.params) for i in found]
        issues += found
        if geometry is not None and not any(i.severity == "error" for i in found):
            records.append(Record(line, values, extra, geometry, area))
        if progress:
            progress(1)
    return records, issues


def _attributes(row, mapping, fields, add) -> tuple[dict, dict]:
    values: dict[str, object] = {}
    extra: dict[str, object] = {}
    for column, target in mapping.items():
        raw = row.get(column)
        if target == SKIP:
            continue
        if target == EXTRA:
            if raw is not None:
                extra[column] = raw if isinstance(raw, int | float | str | bool) else str(raw)
            continue
        if target == EXTRA_JSON:
            try:
                extra.update(raw if isinstance(raw, dict) else json.loads(raw) if raw else {})
            except (TypeError, ValueError):
                extra[column] = raw
            continue
        if target == "status" and raw is None:
            continue  # the layer's default status is used
        f = fields[target]
        if f.kind == "text" and isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # a numeric DBF column: 601.0 is the code 601, not "601.0"
        if target == "land_use" and isinstance(raw, int) and len(str(raw)) % 2:
            raw = f"0{raw}"  # land-use codes have an even number of digits: 601 was 0601
        try:
            values[target] = f.clean(raw)  # a declared area is compared, never stored
        except FieldError as error:
            add(target, error.message, value=raw, **error.params)
    return values, extra


def _geometry(raw, transformer, gcj02: bool, options: Options, add):
    if raw is None or raw.is_empty:
        add("geometry", N_("The geometry is empty."))
        return None, 0.0
    lonlat = geometry_gcj02_to_wgs84(raw) if gcj02 else geometry_to_storage(raw, transformer)
    if not any(g.geom_type in ("Polygon", "MultiPolygon")
               for g in getattr(lonlat, "geoms", [lonlat])):
        add("geometry", N_("The geometry is a %(kind)s; a parcel needs its outline (a "
                           "polygon)."), kind=lonlat.geom_type)
        return None, 0.0
    if not lonlat.is_valid:
        before = ellipsoidal_area_m2(lonlat)
        repaired = as_multipolygon(shapely.make_valid(lonlat))
        after = ellipsoidal_area_m2(repaired)
        change = abs(after - before) / before if before else float("inf")
        if change > options.repair_tolerance:
            add("geometry", N_("The geometry is invalid (%(reason)s) and repairing it would "
                               "change its area by %(pct)s%%; fix it in the source."),
                reason=shapely.is_valid_reason(lonlat), pct=_pct(change))
            return None, 0.0
        add("geometry", N_("The geometry was invalid (%(reason)s) and was repaired; its area "
                           "changed by %(pct)s%%."), "warning",
            reason=shapely.is_valid_reason(lonlat), pct=_pct(change))
        lonlat = repaired
    try:
        geometry = as_multipolygon(lonlat)
    except GeoError as error:
        add("geometry", error.message, **error.params)
        return None, 0.0
    return geometry, ellipsoidal_area_m2(geometry)


def _pct(ratio: float) -> str:
    return "∞" if ratio == float("inf") else f"{ratio * 100:.2f}"


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
        declared=f"{declared:g}", computed=f"{computed:.2f}", pct=_pct(off(declared)),
        tol=f"{tolerance * 100:g}")
