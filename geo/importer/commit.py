"""Write an accepted import in one transaction: new parcels added, known codes updated."""

from __future__ import annotations

from collections.abc import Callable

from shapely.geometry import mapping as geojson_mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.audit import acting_user
from geo.audit import record as audit_record
from geo.errors import N_, GeoError
from geo.features import get_layer, properties
from geo.geometry import from_db, to_db
from geo.importer.validate import Record
from geo.models import ImportRun, Parcel, ParcelVersion

BATCH = 200


def snapshot(parcel: Parcel) -> dict:
    """Return a parcel's attributes and geometry as JSON, to keep before it changes."""
    return {"properties": properties(get_layer(parcel.layer), parcel),
            "geometry": geojson_mapping(from_db(parcel.geom))}


def write_records(session: Session, records: list[Record], run: ImportRun,
                  progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Add or update a parcel per record and commit once; roll everything back on failure.

    Returns (created, updated). A parcel whose code is already registered keeps its previous
    state in ``parcel_versions`` and its version goes up by one.
    """
    try:
        session.add(run)
        session.flush()
        existing = _existing(session, [str(r.values["code"]) for r in records])
        user = acting_user(session)
        created = updated = 0
        for i, record in enumerate(records, start=1):
            parcel = existing.get(str(record.values["code"]))
            before: dict = {}
            if parcel is None:
                parcel = Parcel(extra={})
                session.add(parcel)
                created += 1
            else:
                kept = snapshot(parcel)
                before = kept["properties"]
                session.add(ParcelVersion(parcel_id=parcel.id, version=parcel.version,
                                          data=kept, import_id=run.id))
                updated += 1
            audit_record(session, user=user, action="import", entity="parcel",
                         code=str(record.values["code"]), note=f"{run.filename} (#{run.id})",
                         changes={n: [before.get(n), v] for n, v in record.values.items()
                                  if before.get(n) != v})
            for name, value in record.values.items():
                setattr(parcel, name, value)
            parcel.extra = {**(parcel.extra or {}), **record.extra}
            parcel.area_m2 = record.area_m2
            parcel.geom = to_db(record.geometry)
            if i % BATCH == 0:
                session.flush()
                if progress:
                    progress(BATCH)
        session.flush()
        if progress and len(records) % BATCH:
            progress(len(records) % BATCH)
        run.created, run.updated = created, updated
        session.commit()
    except Exception:
        session.rollback()
        raise
    return created, updated


def _existing(session: Session, codes: list[str]) -> dict[str, Parcel]:
    found: dict[str, Parcel] = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start:start + 500]
        found.update((p.code, p) for p in session.scalars(
            select(Parcel).where(Parcel.code.in_(chunk))))
    return found


def refuse_rejected(errors: int) -> GeoError:
    """Return the error raised when rejected rows stop a commit."""
    return GeoError(N_("%(count)s rows were rejected; nothing was written. Fix them (see the "
                       "report) and import again."), field="file", count=errors)
