"""Write an accepted import in one transaction: new parcels added, known codes updated.

Rows go in a thousand at a time as plain table rows (``Backend.insert_rows`` in
geo/register: executemany, or COPY on PostGIS), not as ORM objects: every value was already
cleaned by its field in the data dictionary when the file was checked, so the ORM's
validators would only clean it again, and the ORM's per-object work took most of an
import's time. An update reads its batch's stored parcels once, keeps each in
``parcel_versions``, sets only what changed (an unchanged shape leaves the spatial index
alone) and audits each parcel.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from functools import cache

import numpy as np
import shapely
from sqlalchemy import LargeBinary, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import Function

from geo.areas import m2_to_ha, m2_to_mu
from geo.audit import acting_user, audit_rows
from geo.errors import N_, GeoError
from geo.features import get_layer
from geo.fields import fields_for, get_field, json_value
from geo.importer.records import Records
from geo.models import AuditRecord, Building, ImportRun, Parcel, ParcelVersion
from geo.record_rules import RULE_FIELDS, parcel_problems
from geo.register import WKB, JsonText, backend_for, geom_from_wkb

BATCH = 1000  # rows per executemany, and per step of the progress bar
PARCELS = Parcel.__table__
BUILDINGS = Building.__table__
VERSIONS = ParcelVersion.__table__
# what an update reads of a stored parcel: every dictionary field and the bookkeeping
_STORED = {f.name for f in fields_for("parcel")} | {"id", "version", "area_m2", "extra"}


def write_records(session: Session, records: Records, run: ImportRun,
                  progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Add or update a parcel per record and commit once; roll everything back on failure.

    Returns (created, updated). A parcel whose code is already registered keeps its previous
    state in ``parcel_versions`` and its version goes up by one. Each parcel gets one audit
    record under the acting user, naming the import run.
    """
    try:
        session.add(run)
        session.flush()
        codes = records.codes()
        existing = _existing(session, codes)
        created = updated = 0
        backend = backend_for(session)
        with backend.bulk_write(session, PARCELS.name) as reshaped:
            writer = _Writer(session, run, reshaped)
            for start in range(0, len(records), BATCH):
                batch = range(start, min(start + BATCH, len(records)))
                new = [i for i in batch if codes[i] not in existing]
                known = [i for i in batch if codes[i] in existing]
                writer.insert(records, new)
                writer.update(records, known, [existing[codes[i]] for i in known])
                created, updated = created + len(new), updated + len(known)
                if progress:
                    progress(len(batch))
        run.created, run.updated = created, updated
        session.commit()
    except Exception:
        session.rollback()
        raise
    backend.after_bulk_write(session, PARCELS.name, len(records))
    return created, updated


class _Writer:
    """The statements of one import run, on one session."""

    def __init__(self, session: Session, run: ImportRun, reshaped: list[int]) -> None:
        self.session, self.run = session, run
        self.reshaped = reshaped  # ids of the parcels given a new shape
        self.user = acting_user(session)
        self.note = f"{run.filename} (#{run.id})"
        self.backend = backend_for(session)
        self.geom = geom_from_wkb()
        self.sane_rowcount = self.backend.counts_executemany(session)

    def insert(self, records: Records, rows: list[int]) -> None:
        """Insert the parcels of ``rows`` (indices into ``records``), with their audit."""
        if not rows:
            return
        values = records.values
        self.backend.insert_rows(self.session, PARCELS, [
            {**{n: column[i] for n, column in values.items()}, "extra": records.extra[i] or {},
             "area_m2": records.areas[i], "version": 1, WKB: records.wkb[i]} for i in rows],
            geometry="geom")
        shown = _as_json(values, rows)
        names = list(shown)
        by_row = zip(shown["code"], zip(*shown.values(), strict=True), strict=True)
        self._audit([(code, 1, {n: [None, v] for n, v in zip(names, row, strict=True)
                                if v is not None}, None, None) for code, row in by_row])

    def update(self, records: Records, rows: list[int], known: list[tuple[int, int]]) -> None:
        """Update the parcels of ``rows`` (registered as ``known`` (id, version)): the old
        state kept in ``parcel_versions``, the version up by one, each update audited."""
        if not rows:
            return
        ids = [pid for pid, _ in known]
        old = self._stored(ids)
        buildings = self._buildings(ids)
        before = shapely.from_wkb([old[pid]["wkb"] for pid in ids])
        after = shapely.from_wkb([records.wkb[i] for i in rows])
        moved = ~shapely.equals_exact(before, after, 0)
        before_json = shapely.to_geojson(before).tolist()
        after_json = np.full(len(rows), None, dtype=object)
        after_json[moved] = shapely.to_geojson(after[moved])
        shown = _as_json(records.values, rows)
        groups: dict[tuple, list[dict]] = defaultdict(list)
        versions, audits = [], []
        for k, (i, pid) in enumerate(zip(rows, ids, strict=True)):
            row = old[pid]
            props = _properties(row, buildings.get(pid, []))
            versions.append({"parcel_id": pid, "version": row["version"], "import_id": self.run.id,
                             "data": JsonText(f'{{"properties": {json.dumps(props)}, '
                                              f'"geometry": {before_json[k]}}}')})
            changes = {n: [props.get(n), v[k]] for n, v in shown.items()
                       if props.get(n) != v[k]}
            # only what changed is set: an unchanged shape leaves the spatial index alone
            params = {n: records.values[n][i] for n in changes}
            _check_merged(row, params, records.lines[i], records.values["code"][i])
            extra = {**(row["extra"] or {}), **(records.extra[i] or {})}
            if extra != (row["extra"] or {}):
                params["extra"] = extra
            if records.areas[i] != row["area_m2"]:
                params["area_m2"] = records.areas[i]
            if moved[k]:
                params[WKB] = records.wkb[i]
            groups[tuple(params)].append({**params, "_id": pid, "_version": row["version"]})
            audits.append((records.values["code"][i], row["version"] + 1, changes,
                           before_json[k] if moved[k] else None, after_json[k]))
        self.backend.insert_rows(self.session, VERSIONS, versions)
        for columns, params in groups.items():
            self._set(columns, params)
        self._audit(audits)

    def _set(self, columns: tuple[str, ...], params: list[dict]) -> None:
        """Set ``columns`` of the parcels in ``params`` and raise their version, refusing
        any parcel whose version changed since it was read (an edit made meanwhile)."""
        bump = update(PARCELS).values(version=PARCELS.c.version + 1)
        if not columns:  # only the version changes: one statement per version they are at
            by_version: dict[int, list[int]] = defaultdict(list)
            for p in params:
                by_version[p["_version"]].append(p["_id"])
            for version, ids in by_version.items():
                result = self.session.execute(bump.where(self.backend.among(PARCELS.c.id, ids),
                                                         PARCELS.c.version == version))
                if result.rowcount != len(ids):
                    raise _changed_meanwhile()
            return
        bump = bump.where(PARCELS.c.id == bindparam("_id"),
                          PARCELS.c.version == bindparam("_version"))
        if WKB in columns:
            bump = bump.values(geom=self.geom)
            self.reshaped += [p["_id"] for p in params]
        result = self.session.execute(bump, params)
        if self.sane_rowcount and result.rowcount != len(params):
            raise _changed_meanwhile()

    def _audit(self, entries: list[tuple]) -> None:
        self.backend.insert_rows(self.session, AuditRecord.__table__, audit_rows(
            user=self.user, action="import", entity="parcel", note=self.note, entries=entries))

    def _stored(self, ids: list[int]) -> dict[int, dict]:
        """Return what is stored of parcels ``ids`` by id: the columns of the dictionary's
        fields, id, version, area and extra, and the shape as WKB (``wkb``)."""
        columns = [c for c in PARCELS.c if c.name in _STORED]
        wkb = Function("ST_AsBinary", PARCELS.c.geom, type_=LargeBinary).label("wkb")
        result = self.session.execute(select(*columns, wkb).where(
            self.backend.among(PARCELS.c.id, ids)))
        keys = list(result.keys())
        return {row[0]: dict(zip(keys, row, strict=True)) for row in result.all()}

    def _buildings(self, ids: list[int]) -> dict[int, list[dict]]:
        """Return the factory buildings of parcels ``ids`` as JSON values, by parcel id."""
        found: dict[int, list[dict]] = {}
        fields = fields_for("building")
        for b in self.session.execute(select(BUILDINGS).where(
                self.backend.among(BUILDINGS.c.parcel_id, ids)).order_by(BUILDINGS.c.id)):
            found.setdefault(b.parcel_id, []).append(
                {f.name: json_value(getattr(b, f.name)) for f in fields})
        return found


def _as_json(values: dict[str, list], rows: list[int]) -> dict[str, list]:
    """Return the values of ``rows`` as JSON values, field by field (dates as ISO text)."""
    return {n: [json_value(column[i]) for i in rows] if get_field("parcel", n).kind == "date"
            else [column[i] for i in rows] for n, column in values.items()}


def _properties(row: dict, buildings: list[dict]) -> dict:
    """Return a stored parcel's properties as the API gives them (``features.properties``
    of a Parcel), from its row; what ``parcel_versions`` keeps."""
    names, dates = _layer_fields(row["layer"])
    props = {n: row[n] for n in names}
    for n in dates:
        props[n] = json_value(props[n])
    area = row["area_m2"]
    props.update(area_mu=round(m2_to_mu(area), 4), area_ha=round(m2_to_ha(area), 6),
                 area_m2=round(area, 2), buildings=buildings, extra=row["extra"] or {},
                 version=row["version"])
    return props


@cache
def _layer_fields(layer: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the names of a layer's fields, and of those that hold dates."""
    fields = get_layer(layer).fields
    return tuple(f.name for f in fields), tuple(f.name for f in fields if f.kind == "date")


def _existing(session: Session, codes: list[str]) -> dict[str, tuple[int, int]]:
    """Return {code: (id, version)} of the registered parcels among ``codes``."""
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(codes), BATCH):
        chunk = codes[start:start + BATCH]
        found.update((code, (pid, version)) for code, pid, version in session.execute(
            select(PARCELS.c.code, PARCELS.c.id, PARCELS.c.version)
            .where(backend_for(session).among(PARCELS.c.code, chunk))))
    return found


def _check_merged(stored: dict, params: dict, line: int, code: str) -> None:
    """Refuse an update whose new values disagree with the values it keeps (record rules).

    Each row was checked on its own (geo/importer/validate.py); a file that lacks a column
    keeps the stored value, and only the two together are the record that will be stored.
    """
    merged = {n: params[n] if n in params else stored.get(n) for n in RULE_FIELDS}
    for problem in parcel_problems(merged):
        raise GeoError(N_("Row %(row)s, parcel %(code)s: with what the register keeps, "
                          "%(field)s breaks a rule of the whole record; nothing was imported."),
                       field=problem.field, row=line, code=code)


def _changed_meanwhile() -> GeoError:
    return GeoError(N_("Parcels were changed by someone else during the import; nothing was "
                       "written. Import the file again."), field="file")


def refuse_rejected(errors: int) -> GeoError:
    """Return the error raised when rejected rows stop a commit."""
    return GeoError(N_("%(count)s rows were rejected; nothing was written. Fix them (see the "
                       "report) and import again."), field="file", count=errors)
