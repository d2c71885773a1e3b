"""Change parcels: attributes, geometry, split, merge, soft delete, restore; each change audited.

Every function takes the version the user saw and refuses (Conflict, HTTP 409) when the
stored record is newer, so two members of staff never silently overwrite each other.
The version check, the audited commit and the bin are shared with projects
(geo/project_editing.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import shapely
from shapely.geometry import LineString, MultiLineString, shape
from shapely.ops import split
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from geo.areas import ellipsoidal_area_m2
from geo.audit import geometry_json, history, record_change, snapshot
from geo.errors import N_, Conflict, Duplicate, FieldError, GeoError, NotFound
from geo.fields import clean_record, fields_for, get_field
from geo.geometry import as_multipolygon, from_db, to_db
from geo.models import AuditRecord, Building, Parcel, Project
from geo.parcel_checks import Overlap, check_land_use, refuse_overlap, set_places
from geo.places import Places
from geo.supply import check_status_edit, holders

# Adjacent parcels share a boundary; digitised boundaries miss by a little (1e-7° ≈ 1 cm).
SNAP_DEGREES = 1e-7
STALE = N_("Someone else saved this record first (now version %(current_version)s, you "
           "edited version %(expected)s). Your change was not saved: compare both versions "
           "and redo it.")
TAKEN = N_("%(field)s %(code)s is already taken.")


def get_parcel(session: Session, code: str, *, deleted: bool = False) -> Parcel:
    """Return the parcel ``code`` (from the bin when ``deleted``); raise NotFound otherwise."""
    parcel = session.scalar(select(Parcel).where(Parcel.code == code)
                            .execution_options(include_deleted=deleted))
    if parcel is None or (parcel.deleted_at is not None) != deleted:
        raise NotFound(N_("No parcel has the code %(code)s."), code=code)
    return parcel


def parcel_history(session: Session, code: str, *,
                   binned: bool = False) -> tuple[Parcel, list[AuditRecord]]:
    """Return a parcel and its audit records, newest first.

    A parcel in the bin is found only with ``binned`` (editors, who may restore it): to
    everyone else its history, with its attributes and shapes, is gone with it.
    """
    # Asked with include_deleted, whatever hides binned records from ordinary reads, and the
    # bin state checked here: one answer for the page and the API.
    parcel = session.scalar(select(Parcel).where(Parcel.code == code)
                            .execution_options(include_deleted=True))
    if parcel is None or (parcel.deleted_at is not None and not binned):
        raise NotFound(N_("No parcel has the code %(code)s."), code=code)
    return parcel, history(session, "parcel", code)


def deleted_parcels(session: Session) -> list[Parcel]:
    """Return the parcels in the bin, most recently deleted first."""
    return list(session.scalars(select(Parcel).where(Parcel.deleted_at.is_not(None))
                                .order_by(Parcel.deleted_at.desc())
                                .execution_options(include_deleted=True)))


def parse_version(raw: object) -> int:
    """Return the version a user's change was based on; raise FieldError when missing."""
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        raise FieldError("version", N_("%(field)s must be a whole number.")) from None


def parse_polygon(raw: object):
    """Return a GeoJSON (dict or text) polygon as a valid lon/lat MultiPolygon."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        geom = shape(data.get("geometry", data) if data.get("type") == "Feature" else data)
    except (AttributeError, TypeError, ValueError, KeyError, OverflowError, RecursionError,
            shapely.errors.GEOSException):  # OverflowError: a coordinate past float's range
        raise GeoError(N_("The geometry is not valid GeoJSON."), field="geometry") from None
    minx, miny, maxx, maxy = geom.bounds if not geom.is_empty else (0, 0, 0, 0)
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeoError(N_("The geometry must be in longitude/latitude."), field="geometry")
    return as_multipolygon(geom)


def check_version(record: Parcel | Project, expected: object, submitted: Mapping) -> None:
    """Raise Conflict (409, with both versions) unless ``expected`` is the stored version."""
    version = parse_version(expected)
    if version != record.version:
        raise Conflict(STALE, current={**snapshot(record), "version": record.version},
                       submitted=dict(submitted), current_version=record.version,
                       expected=version)


@contextmanager
def saving(session: Session, record: Parcel | Project, submitted: Mapping) -> Iterator[None]:
    """Write a change of ``record`` (its audit records included), then commit it all.

    Conflict (409, with both versions) when someone saved ``record`` between our read and
    our write. The versioned UPDATE can fail at any flush, and ``record_change`` flushes to
    learn the new version, so the audit records are written inside this block, not before.

    Used as (the database is needed, so no doctest)::

        with saving(session, parcel, values):
            record_change(session, user, "update", parcel, before, geom_before)
    """
    expected = record.version
    try:
        yield
        session.commit()
    except StaleDataError:
        session.rollback()
        model = type(record)
        fresh = session.scalar(select(model).where(model.code == record.code)
                               .execution_options(include_deleted=True))
        raise Conflict(STALE, current={**snapshot(fresh), "version": fresh.version},
                       submitted=dict(submitted), current_version=fresh.version,
                       expected=expected) from None


def soft_delete(session: Session, record: Parcel | Project, expected_version: object,
                user: str) -> None:
    """Move ``record`` to the bin (``deleted_at``): hidden from every read, kept whole."""
    check_version(record, expected_version, {})
    before = snapshot(record)
    record.deleted_at = dt.datetime.now(dt.UTC)
    with saving(session, record, {}):
        record_change(session, user, "delete", record, before, None)


def restore_from_bin(session: Session, record: Parcel | Project, user: str) -> None:
    """Take ``record`` out of the bin, back into the register."""
    before = snapshot(record)
    record.deleted_at = None
    with saving(session, record, {}):
        record_change(session, user, "restore", record, before, None)


def _set_geometry(parcel: Parcel, geom) -> None:
    parcel.geom = to_db(geom)
    parcel.area_m2 = ellipsoidal_area_m2(geom)


def _editable(layer: str):
    return tuple(f for f in fields_for("parcel", layer) if f.name != "code")


def create_parcel(session: Session, values: Mapping[str, object], geometry: object,
                  user: str, *, places: Places | None = None,
                  confirm_overlap: bool = False) -> Parcel:
    """Add a drawn parcel (area from the shape; places, overlaps: geo/parcel_checks.py)."""
    code = get_field("parcel", "code").clean(values.get("code"))
    if session.scalar(select(Parcel.id).where(Parcel.code == code)
                      .execution_options(include_deleted=True)) is not None:
        raise Duplicate("code", TAKEN, code=code)
    layer = get_field("parcel", "layer").clean(values.get("layer"))
    geom = parse_polygon(geometry)
    values = dict(values)
    if places is not None:
        set_places(places, geom, values, None, True)
    cleaned = clean_record(_editable(layer), values)
    check_land_use(cleaned)
    try:
        refuse_overlap(session, geom, None, confirm_overlap)
    except Overlap as error:  # the same code on the same land: created meanwhile
        if any(o["code"] == code for o in error.overlaps):
            raise Duplicate("code", TAKEN, code=code) from None
        raise
    parcel = Parcel(code=code, extra={}, **cleaned)
    _set_geometry(parcel, geom)
    session.add(parcel)
    try:
        record_change(session, user, "create", parcel, None, None)
        session.commit()
    except IntegrityError:
        # Someone created the same code between our check and our insert.
        session.rollback()
        raise Duplicate("code", TAKEN, code=code) from None
    return parcel


def update_parcel(session: Session, code: str, values: Mapping[str, object],
                  expected_version: object, user: str, geometry: object = None, *,
                  places: Places | None = None, confirm_overlap: bool = False) -> Parcel:
    """Change a parcel's attributes (those present in ``values``) and, if given, its shape
    (checked for overlaps, moving the town and park the user did not choose with it)."""
    parcel = get_parcel(session, code)
    check_version(parcel, expected_version, values)
    layer = get_field("parcel", "layer").clean(values.get("layer") or parcel.layer)
    geom = parse_polygon(geometry) if geometry else None
    values = dict(values)
    before, geom_before = snapshot(parcel), geometry_json(parcel)
    if places is not None:
        set_places(places, geom or from_db(parcel.geom), values, before, geom is not None)
    cleaned = clean_record(_editable(layer), values, partial=True)
    if "status" in cleaned:
        check_status_edit(session, parcel, str(cleaned["status"]))
    # a code stored before the tables knew better does not block other changes
    check_land_use({k: v for k, v in cleaned.items() if v != getattr(parcel, k, None)})
    if geom is not None:
        refuse_overlap(session, geom, parcel.id, confirm_overlap)
    for name, value in cleaned.items():
        setattr(parcel, name, value)
    if geom is not None:
        _set_geometry(parcel, geom)
    with saving(session, parcel, values):
        record_change(session, user, "update", parcel, before, geom_before)
    return parcel


def delete_parcel(session: Session, code: str, expected_version: object, user: str) -> None:
    """Move a parcel to the bin: hidden from every read, kept whole, restorable by an admin.

    A parcel a project holds is refused: the project would stand on land that is gone.
    """
    parcel = get_parcel(session, code)
    _refuse_held(session, parcel)
    soft_delete(session, parcel, expected_version, user)


def _refuse_held(session: Session, *parcels: Parcel) -> None:
    """Refuse to bin, split or merge land a project holds: the project stands on it."""
    held = holders(session, [p.id for p in parcels])
    for parcel in parcels:
        if parcel.id in held:
            raise GeoError(N_("Parcel %(value)s is held by project %(project)s: put the project "
                              "back to 签约 first."), field="code", value=parcel.code,
                           project=held[parcel.id])


def restore_parcel(session: Session, code: str, user: str) -> Parcel:
    """Take a parcel out of the bin, back into the register."""
    parcel = get_parcel(session, code, deleted=True)
    restore_from_bin(session, parcel, user)
    return parcel


def restore_version(session: Session, code: str, version: int, expected_version: object,
                    user: str) -> Parcel:
    """Bring a parcel's attributes and shape back to what they were at ``version``.

    The later audit records are undone newest first; the restore is itself a new version.
    """
    parcel = get_parcel(session, code)
    check_version(parcel, expected_version, {"restore_version": version})
    later = session.scalars(
        select(AuditRecord).where(AuditRecord.entity == "parcel", AuditRecord.code == code,
                                  AuditRecord.version > version)
        .order_by(AuditRecord.id.desc())).all()
    if not later:
        raise GeoError(N_("Version %(version)s is the current one."), field="version",
                       version=version)
    values: dict[str, object] = {}
    geom = None
    for entry in later:
        for name, (old, _new) in entry.changes.items():
            values[name] = old
        geom = entry.geom_before or geom
    before, geom_before = snapshot(parcel), geometry_json(parcel)
    values.pop("area_m2", None)
    values.pop("deleted_at", None)
    extra = values.pop("extra", None)
    buildings = values.pop("buildings", None)
    if buildings is not None:
        _replace_buildings(parcel, buildings)
    for name, value in clean_record(fields_for("parcel"), values, partial=True).items():
        if name != "code":
            setattr(parcel, name, value)
    if extra is not None:
        parcel.extra = extra
    if geom:
        _set_geometry(parcel, parse_polygon(geom))
    with saving(session, parcel, {}):
        record_change(session, user, "restore_version", parcel, before, geom_before,
                      note=f"version {version}")
    return parcel


def _replace_buildings(parcel: Parcel, rows: list[Mapping[str, object]]) -> None:
    """Make the parcel's buildings ``rows`` (validated), reusing the existing ones in order."""
    fields = fields_for("building")
    cleaned = []
    for i, row in enumerate(rows):
        try:
            cleaned.append(clean_record(fields, row))
        except FieldError as error:
            error.params["row"] = i + 1
            raise
    existing = list(parcel.buildings)
    for building, values in zip(existing, cleaned, strict=False):
        for name, value in values.items():
            setattr(building, name, value)
    for building in existing[len(cleaned):]:
        parcel.buildings.remove(building)
    for values in cleaned[len(existing):]:
        parcel.buildings.append(Building(**values))
    # A building belongs to its parcel's record: changing one is a new version of the parcel.
    parcel.updated_at = dt.datetime.now(dt.UTC)


def set_buildings(session: Session, code: str, rows: list[Mapping[str, object]],
                  expected_version: object, user: str) -> Parcel:
    """Replace a parcel's factory buildings with ``rows`` (each validated by the dictionary)."""
    parcel = get_parcel(session, code)
    check_version(parcel, expected_version, {"buildings": list(rows)})
    before = snapshot(parcel)
    _replace_buildings(parcel, rows)
    with saving(session, parcel, {"buildings": list(rows)}):
        record_change(session, user, "update", parcel, before, None)
    return parcel


def _next_code(session: Session, code: str, n: int) -> tuple[str, int]:
    while True:
        n += 1
        candidate = f"{code}-{n}"
        if session.scalar(select(Parcel.id).where(Parcel.code == candidate)
                          .execution_options(include_deleted=True)) is None:
            return candidate, n


def split_parcel(session: Session, code: str, line: object, expected_version: object,
                 user: str) -> list[Parcel]:
    """Cut a parcel along a drawn line; the largest piece keeps the code, others get code-2, …

    Each piece keeps the parcel's attributes; every area is recomputed on the ellipsoid.
    """
    parcel = get_parcel(session, code)
    _refuse_held(session, parcel)
    check_version(parcel, expected_version, {})
    try:
        data = json.loads(line) if isinstance(line, str) else line
        cut = shape(data.get("geometry", data) if data.get("type") == "Feature" else data)
    except (AttributeError, TypeError, ValueError, KeyError, shapely.errors.GEOSException):
        raise GeoError(N_("The geometry is not valid GeoJSON."), field="line") from None
    if not isinstance(cut, LineString | MultiLineString):
        raise GeoError(N_("Draw a line across the parcel to split it."), field="line")
    pieces = sorted((p for p in split(from_db(parcel.geom), cut).geoms if p.area > 0),
                    key=ellipsoidal_area_m2, reverse=True)
    if len(pieces) < 2:
        raise GeoError(N_("The line does not cut the parcel in two: draw it right across."),
                       field="line")
    before, geom_before = snapshot(parcel), geometry_json(parcel)
    _set_geometry(parcel, as_multipolygon(pieces[0]))
    made, n = [parcel], 1
    with saving(session, parcel, {}):
        for piece in pieces[1:]:
            new_code, n = _next_code(session, code, n)
            attrs = {f.name: getattr(parcel, f.name) for f in _editable(parcel.layer)}
            part = Parcel(code=new_code, extra=dict(parcel.extra or {}), **attrs)
            _set_geometry(part, as_multipolygon(piece))
            session.add(part)
            record_change(session, user, "split", part, None, None, note=f"split from {code}")
            made.append(part)
        record_change(session, user, "split", parcel, before, geom_before,
                      note="split into " + ", ".join(p.code for p in made))
    return made


def merge_parcels(session: Session, code: str, other: str, expected_version: object,
                  other_version: object, user: str) -> Parcel:
    """Merge ``other`` into ``code``: one shape, ``code``'s attributes, ``other`` to the bin."""
    parcel, absorbed = get_parcel(session, code), get_parcel(session, other)
    _refuse_held(session, parcel, absorbed)
    if parcel.id == absorbed.id:
        raise GeoError(N_("Choose two different parcels to merge."), field="other")
    check_version(parcel, expected_version, {})
    if other_version is not None:  # a page's merge button never saw the neighbour's version
        check_version(absorbed, other_version, {})
    if parcel.layer != absorbed.layer:
        raise GeoError(N_("Only parcels of the same layer can be merged."), field="other")
    a, b = from_db(parcel.geom), from_db(absorbed.geom)
    merged = shapely.union(a, shapely.snap(b, a, SNAP_DEGREES))
    if a.distance(b) > SNAP_DEGREES or len(getattr(merged, "geoms", [merged])) != 1:
        raise GeoError(N_("Parcels %(code)s and %(other)s do not share a boundary."),
                       field="other", code=code, other=other)
    before, geom_before = snapshot(parcel), geometry_json(parcel)
    other_before = snapshot(absorbed)
    _set_geometry(parcel, as_multipolygon(merged))
    for building in list(absorbed.buildings):
        building.parcel = parcel
    absorbed.deleted_at = dt.datetime.now(dt.UTC)
    with saving(session, parcel, {}):
        record_change(session, user, "merge", absorbed, other_before, None,
                      note=f"merged into {code}")
        record_change(session, user, "merge", parcel, before, geom_before, note=f"merged {other}")
    return parcel
