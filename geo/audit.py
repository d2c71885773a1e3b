"""The audit log: one function that every write path calls, and reading a record's history.

Anything that changes the register (editing, imports, matches, the ledger) calls
``record(...)`` in the same transaction as the change, so the change and its record are
committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.fields import fields_for, json_value
from geo.geometry import from_db
from geo.models import AuditRecord, Parcel, Project

SYSTEM = "system"  # the user name of changes made by the command line without an account


def snapshot(record: Parcel | Project) -> dict[str, object]:
    """Return a record's dictionary fields (and extra, buildings, deleted_at) as JSON values."""
    entity = "parcel" if isinstance(record, Parcel) else "project"
    values = {f.name: json_value(getattr(record, f.name))
              for f in fields_for(entity) if f.name != "parcel"}
    if isinstance(record, Parcel):
        values["area_m2"] = round(record.area_m2, 2)
        values["buildings"] = [
            {f.name: json_value(getattr(b, f.name)) for f in fields_for("building")}
            for b in record.buildings]
    values["extra"] = record.extra or {}
    values["deleted_at"] = json_value(record.deleted_at)
    return values


def geometry_json(record: Parcel | Project) -> str | None:
    """Return a record's geometry as GeoJSON text (None when it has none)."""
    geom = from_db(record.geom if isinstance(record, Parcel) else record.site)
    return None if geom is None else shapely.to_geojson(geom)


def diff(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list]:
    """Return {field: [before, after]} for every field whose value differs.

    >>> diff({"name": "a", "town": "x"}, {"name": "b", "town": "x"})
    {'name': ['a', 'b']}
    """
    return {k: [before.get(k), after.get(k)] for k in sorted({*before, *after})
            if before.get(k) != after.get(k)}


def acting_user(session: Session) -> str:
    """Return who makes this session's changes: the web layer names the signed-in account
    (``session.info["user"]``); the command line acts as ``SYSTEM``."""
    return session.info.get("user", SYSTEM)


def record(
    session: Session, *, user: str, action: str, entity: str, code: str,
    changes: Mapping[str, list] | None = None, version: int | None = None,
    geom_before: str | None = None, geom_after: str | None = None, note: str | None = None,
) -> AuditRecord:
    """Add one audit record to ``session`` (committed with the change it describes).

    ``user`` is the account name (or ``SYSTEM``); ``action`` says what happened (create,
    update, delete, restore, split, merge, import, match, …); ``entity`` is "parcel",
    "project" or another table's name and ``code`` the record's code; ``changes`` maps each
    changed field to ``[before, after]``; geometries are GeoJSON text.
    """
    entry = AuditRecord(
        at=dt.datetime.now(dt.UTC), user_name=user, action=action, entity=entity, code=code,
        version=version, changes=json.loads(json.dumps(dict(changes or {}), default=json_value)),
        geom_before=geom_before, geom_after=geom_after, note=note,
    )
    session.add(entry)
    return entry


def audit_rows(
    *, user: str, action: str, entity: str, note: str | None,
    entries: Iterable[tuple[str, int | None, Mapping[str, list], str | None, str | None]],
) -> list[dict[str, object]]:
    """Return one audit record per entry as a row of ``audit_log``, for writes of thousands
    of records at once (imports), inserted by the caller in the same transaction.

    The records are those ``record`` adds. Each entry is (code, version, changes,
    geom_before, geom_after); the changes must already be JSON values (``json_value``).
    The records share one time.
    """
    at = dt.datetime.now(dt.UTC)
    return [{"at": at, "user_name": user, "action": action, "entity": entity, "code": code,
             "version": version, "changes": changes, "geom_before": geom_before,
             "geom_after": geom_after, "note": note}
            for code, version, changes, geom_before, geom_after in entries]


def record_change(session: Session, user: str, action: str, obj: Parcel | Project,
                  before: Mapping[str, object] | None, geom_before: str | None,
                  note: str | None = None) -> AuditRecord | None:
    """Record what changed on ``obj`` since ``before`` (its snapshot); flushes to get the version.

    ``before`` is None for a new record: every field is then recorded as added. Pass
    ``geom_before=None`` when the shape was not touched. Nothing is recorded when nothing
    changed.
    """
    session.flush()
    after = snapshot(obj)
    geom_after = geometry_json(obj)
    if before is not None and geom_before is None:
        geom_before = geom_after  # the caller did not touch the shape
    if before is not None and not diff(before, after) and geom_before == geom_after:
        return None  # saved without a change: nothing happened worth a record
    return record(
        session, user=user, action=action,
        entity="parcel" if isinstance(obj, Parcel) else "project", code=obj.code,
        changes=diff(before or {}, after), version=obj.version,
        geom_before=geom_before if geom_before != geom_after else None,
        geom_after=geom_after if geom_before != geom_after else None, note=note,
    )


def history(session: Session, entity: str, code: str) -> list[AuditRecord]:
    """Return the audit records of one record, newest first."""
    return list(session.scalars(
        select(AuditRecord).where(AuditRecord.entity == entity, AuditRecord.code == code)
        .order_by(AuditRecord.id.desc())))
