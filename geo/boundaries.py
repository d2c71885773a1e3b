"""Town and park outlines: the bureau's own (loaded into the database) or the county's shipped
ones, and which town and park a parcel lies in.

The county's files under ``data/county/<code>/`` are approximations (towns are Voronoi cells,
see its SOURCES.md); a bureau replaces them with its own by loading a file
(``replace_boundaries``). Loaded outlines live in the ``boundaries`` table so they survive an
upgrade; a load replaces the kind's current set, which is kept with the date it was replaced
(nothing is deleted). Where none were loaded, the county's files are used.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.audit import diff, record, snapshot
from geo.county import County, Place
from geo.crs import detect_crs
from geo.errors import N_, GeoError
from geo.geometry import from_db
from geo.importer.shapes import ShapeChecker
from geo.importer.source import MAX_UNPACKED, open_source
from geo.models import Boundary, Parcel
from geo.places import Places, locate_all

KINDS = ("towns", "parks")
# Columns that name a place, as the bureau's files head them (三调 uses XZQMC for a town).
NAME_COLUMNS = {"towns": ("name", "名称", "乡镇", "乡镇名称", "所在乡镇", "xzqmc", "zldwmc",
                          "mc"),
                "parks": ("name", "名称", "园区", "园区名称", "所在园区", "yqmc", "mc")}
CODE_COLUMNS = ("code", "代码", "编码", "xzqdm", "yqdm", "dm")
EN_COLUMNS = ("name_en", "英文名称", "ywmc")
NAME_MAX = 20  # parcels.town and parcels.park are String(20)


def _place(row: Boundary) -> Place:
    geom = shape(json.loads(row.geometry))
    return Place(row.code or "", row.name, row.name_en or row.name, geom,
                 geom.representative_point())


def current(session: Session, kind: str) -> list[Boundary]:
    """Return the outlines of ``kind`` the bureau loaded last (empty: none loaded)."""
    return list(session.scalars(select(Boundary).where(Boundary.kind == kind,
                                                       Boundary.replaced_at.is_(None))
                                .order_by(Boundary.id)))


def places(session: Session, county: County) -> Places:
    """Return the towns and parks in use: the bureau's own where loaded, else the county's."""
    found: dict[str, tuple[Place, ...]] = {}
    loaded = set()
    for kind in KINDS:
        rows = current(session, kind)
        if rows:
            loaded.add(kind)
        found[kind] = tuple(_place(r) for r in rows) if rows else (
            county.towns if kind == "towns" else county.parks)
    return Places(found["towns"], found["parks"], frozenset(loaded))


def places_geojson(session: Session, county: County, kind: str) -> dict:
    """Return the outlines of ``kind`` in use as a GeoJSON FeatureCollection (for the map)."""
    rows = current(session, kind)
    if not rows:
        return county.geojson(kind)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(r.geometry),
         "properties": {**(r.properties or {}), "code": r.code, "name": r.name,
                        "name_en": r.name_en or r.name}} for r in rows]}


@dataclass
class Loaded:
    """Outlines read from a file: the places, the CRS read and what to tell the user."""

    kind: str
    places: list[Place]
    crs: str
    notes: list[tuple[str, dict]] = field(default_factory=list)


def _column(columns: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[n] for n in names if n in lowered), None)


def read_boundaries(path: str | Path, kind: str, *, crs: str | None = None,
                    encoding: str | None = None, central_meridian: int | None = None,
                    county: BaseGeometry | None = None,
                    max_unpacked: int = MAX_UNPACKED) -> Loaded:
    """Read the outlines of ``kind`` from ``path``, CRS and encoding found as for parcels.

    Every row needs a name (名称, 乡镇, XZQMC …) unique in the file and a polygon; any row
    that has not refuses the whole file, naming the row.
    """
    if kind not in KINDS:
        raise GeoError(N_("%(field)s must be towns or parks."), field="kind")
    source = open_source(path, None, encoding, max_unpacked)
    if not source.size:
        raise GeoError(N_("The file holds no rows."), field="file")
    name_column = _column(source.columns, NAME_COLUMNS[kind])
    if name_column is None:
        raise GeoError(N_("No column holds the name (名称, 乡镇, XZQMC …); columns: "
                          "%(value)s."), field="name", value="、".join(source.columns))
    code_column = _column(source.columns, CODE_COLUMNS)
    en_column = _column(source.columns, EN_COLUMNS)
    raw = source.geometries()
    present = raw[~(shapely.is_missing(raw) | shapely.is_empty(raw))]
    if not len(present):
        raise GeoError(N_("No row has a geometry."), field="geometry")
    choice = detect_crs(tuple(shapely.total_bounds(present).tolist()), source.file_crs, crs,
                        central_meridian, county)
    problems: list[tuple[int, str, dict]] = []
    shapes, _areas = ShapeChecker(choice, 0.01, None).check(
        raw, lambda i, _f, message, severity="error", **params:
        problems.append((int(i), message, params)) if severity == "error" else None)
    names = [str(v).strip() if v not in (None, "") else "" for v in source.values(name_column)]
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            problems.append((i, N_("The name is empty."), {}))
        elif len(name) > NAME_MAX:
            problems.append((i, N_("%(value)s is longer than %(max)s characters."),
                             {"value": name, "max": NAME_MAX}))
        elif name in seen:
            problems.append((i, N_("%(value)s is also on row %(first)s of the file."),
                             {"value": name, "first": source.line(seen[name])}))
        else:
            seen[name] = i
    if problems:
        i, message, params = min(problems, key=lambda p: p[0])
        raise GeoError(N_("Row %(row)s: %(reason)s Nothing was loaded."), field="file",
                       row=source.line(i), reason=message, reason_params=params)
    codes = source.values(code_column) if code_column else [None] * source.size
    english = source.values(en_column) if en_column else [None] * source.size
    loaded = [Place(str(codes[i] or ""), names[i], str(english[i] or names[i]), shapes[i],
                    shapes[i].representative_point()) for i in range(source.size)]
    notes = [(choice.note, choice.params)]
    if source.encoding:
        notes.append((source.encoding.note, source.encoding.params))
    return Loaded(kind, loaded, choice.label, notes)


def replace_boundaries(session: Session, loaded: Loaded, source: str, user: str) -> int:
    """Make ``loaded`` the current outlines of its kind; the previous ones are kept, dated.

    Commit is the caller's (with ``relocate_parcels``, in one transaction). Returns the
    number of outlines loaded.
    """
    now = dt.datetime.now(dt.UTC)
    old = current(session, loaded.kind)
    for row in old:
        row.replaced_at = now
    for place in loaded.places:
        session.add(Boundary(kind=loaded.kind, code=place.code or None, name=place.name,
                             name_en=place.name_en, geometry=shapely.to_geojson(place.geometry),
                             properties={}, source=source[:255], crs=loaded.crs,
                             loaded_by=user, loaded_at=now))
    record(session, user=user, action="load_boundaries", entity="boundaries", code=loaded.kind,
           changes={"count": [len(old) or None, len(loaded.places)]},
           note=source[:255])
    return len(loaded.places)


def relocate_parcels(session: Session, found: Places, user: str) -> int:
    """Set every live parcel's town and park to the places its shape lies in; audit each.

    Returns the number of parcels changed. Each change is a new version of the parcel.
    """
    parcels = list(session.scalars(select(Parcel)))
    shapes = np.array([from_db(p.geom) for p in parcels] + [None], dtype=object)[:-1]
    towns = locate_all(found.towns, shapes)
    parks = locate_all(found.parks, shapes)
    changed = []
    for parcel, town, park in zip(parcels, towns, parks, strict=True):
        if (parcel.town, parcel.park) != (town, park):
            changed.append((parcel, snapshot(parcel)))
            parcel.town, parcel.park = town, park
    session.flush()
    for parcel, before in changed:
        record(session, user=user, action="locate", entity="parcel", code=parcel.code,
               changes=diff(before, snapshot(parcel)), version=parcel.version,
               note="boundaries")
    return len(changed)


def load_boundaries(session: Session, path: str | Path, kind: str, county: County, user: str,
                    *, source: str | None = None, crs: str | None = None,
                    encoding: str | None = None,
                    max_unpacked: int = MAX_UNPACKED) -> tuple[Loaded, int]:
    """Read ``path``, make it the current ``kind`` outlines and relocate every parcel; commit.

    All or nothing: a row the file cannot give refuses the whole file before anything is
    written. Returns what was loaded and how many parcels changed town or park.
    """
    loaded = read_boundaries(path, kind, crs=crs, encoding=encoding,
                             central_meridian=county.gk_central_meridian,
                             county=county.outline, max_unpacked=max_unpacked)
    try:
        replace_boundaries(session, loaded, source or Path(path).name, user)
        session.flush()
        moved = relocate_parcels(session, places(session, county), user)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return loaded, moved
