"""A parcel's supply life: its states, the dated moves between them, and the one offerable rule.

Every reader that asks "can this land be offered to an investor?" — matching, the dashboard,
the idle ledger, the offer log, the parcel sheet, ``GET /api/parcels/<code>`` — asks here:
``availability`` for one parcel's facts, ``offerable_clause`` for the same rule in SQL.

Offerable land is land the county can give to a new user (令53; docs/supply.md):

- not in the bin;
- held by no project (a landed project reserves its parcels: ``project_parcels``);
- status among the offerable statuses: 可供地 by default, plus what an administrator adds
  (``LANDMATCH_OFFERABLE_STATUSES``); 已意向 and 已供应 never;
- idle land only once taken back (无偿收回, 协议有偿收回, 置换): after an extension, a change of use
  or conditions, temporary use or the idle-land fee the original user keeps the use right.

The moves (each dated, by whom, why; written to ``supply_moves`` and the audit log):

=========== =========== ============== ===============================================
from        to          move           when
=========== =========== ============== ===============================================
可供地 …    已意向      reserve        a project lands on it (落地), by any path
已意向      可供地 …    release        the project is put back from 落地 (the status it
                                       had before the reservation comes back)
已意向      已供应      supply         the project starts (开工): the actual start is
                                       recorded on the parcel the same day
闲置未处置  处置中      dispose        a disposal method is chosen
处置中      已处置      close          disposed, the original user keeps the land
处置中      已收回      recover        taken back (无偿收回, 协议有偿收回, 置换)
已收回      可供地      enter_reserve  entered into the county's land reserve
=========== =========== ============== ===============================================

Landing is the one move two people can race for: the unique index on
``project_parcels.parcel_id`` lets exactly one of two simultaneous landings commit; the other
gets ``ParcelTaken`` (HTTP 409, code ``parcel_taken``) naming the project that holds it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from geo.audit import acting_user, record
from geo.capacity import check_room
from geo.errors import N_, GeoError
from geo.models import Parcel, Project, SupplyMove, project_parcels

DEFAULT_OFFERABLE = ("available",)
# Statuses that say the land is promised to a user: never offerable, whatever the settings.
HELD = ("reserved", "supplied")
# Disposal methods (令53) that end the original user's right; the others leave it with them.
TAKEN_BACK = ("recover", "paid_recovery", "swap")
USER_KEEPS = ("fee", "extend", "change_use", "temporary")

# Idle land's statuses in the order of its life (令53): the dashboard's disposal progress.
IDLE_LIFE = ("idle", "disposing", "disposed", "recovered", "available")

MOVES: dict[tuple[str, str], str] = {
    ("reserved", "supplied"): "supply",
    ("idle", "disposing"): "dispose",
    ("disposing", "disposed"): "close",
    ("disposing", "recovered"): "recover",
    ("recovered", "available"): "enter_reserve",
}


# The moves a project makes (land, put back, start) and those staff make by hand (``move``).
PROJECT_MOVES = ("reserve", "release", "supply")
HAND_MOVES = {pair: name for pair, name in MOVES.items() if name not in PROJECT_MOVES}


class ParcelTaken(GeoError):
    """The parcel is already held by another project."""

    status = 409
    code = "parcel_taken"


class NotOfferable(GeoError):
    """The parcel cannot be given to a project: the reason says why."""

    status = 409
    code = "not_offerable"


class MoveRefused(GeoError):
    """The parcel's present status does not allow this move."""

    status = 409
    code = "move_refused"


@dataclass(frozen=True)
class Availability:
    """Whether a parcel can be offered, why (an English msgid and its params), who holds it."""

    offerable: bool
    reason: str
    params: dict = field(default_factory=dict)
    project: str | None = None


def offerable_statuses(session: Session) -> tuple[str, ...]:
    """Return the statuses this register offers (the web layer puts its setting in the session)."""
    return tuple(session.info.get("offerable_statuses", DEFAULT_OFFERABLE))


def availability(status: str, layer: str, disposal: str | None = None,
                 held_by: str | None = None, deleted: bool = False,
                 statuses: Sequence[str] = DEFAULT_OFFERABLE) -> Availability:
    """Return whether a parcel with these facts can be offered to a new project, and why.

    >>> availability("available", "stock").offerable
    True
    >>> availability("disposing", "idle", "extend").offerable
    False
    """
    facts = {"status": status, "disposal": disposal or "", "project": held_by or ""}
    if deleted:
        return Availability(False, N_("The parcel is in the bin."), facts)
    if held_by:
        return Availability(False, N_("Supplied to project %(project)s.") if status == "supplied"
                            else N_("Reserved for project %(project)s."), facts, held_by)
    if status in HELD:
        return Availability(False, N_("Status %(status)s: the land is promised to a user."),
                            facts)
    if layer == "idle" and disposal in USER_KEEPS:
        return Availability(False, N_("Status %(status)s (%(disposal)s): the original user still "
                                      "holds the land; it cannot be offered."), facts)
    if layer == "idle" and disposal not in TAKEN_BACK:
        return Availability(False, N_("Status %(status)s: idle land is offered only once it has "
                                      "been taken back."), facts)
    if status not in statuses:
        return Availability(False, N_("Status %(status)s: not land for supply."), facts)
    return Availability(True, N_("Status %(status)s: the land can be offered."), facts)


def offerable_clause(statuses: Sequence[str] = DEFAULT_OFFERABLE) -> ColumnElement[bool]:
    """Return ``availability(...).offerable`` as SQL over ``Parcel``, for counts and filters.

    The bin is left out by every ORM read already (geo/register/bin.py). A test compares
    this clause with ``availability`` on every parcel of the demo.
    """
    held = exists().where(project_parcels.c.parcel_id == Parcel.id)
    return and_(~held, Parcel.status.in_([s for s in statuses if s not in HELD]),
                or_(Parcel.layer != "idle", Parcel.disposal.in_(TAKEN_BACK)))


def holders(session: Session, parcel_ids: Iterable[int]) -> dict[int, str]:
    """Return {parcel id: code of the project holding it} for the parcels that are held."""
    ids = list(parcel_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(project_parcels.c.parcel_id, Project.code)
        .join(Project, Project.id == project_parcels.c.project_id)
        .where(project_parcels.c.parcel_id.in_(ids))
        .execution_options(include_deleted=True))
    return {parcel_id: code for parcel_id, code in rows}


def parcel_availability(session: Session, parcel: Parcel) -> Availability:
    """Return the availability of one parcel of the register."""
    return availability(parcel.status, parcel.layer, parcel.disposal,
                        holders(session, [parcel.id]).get(parcel.id),
                        parcel.deleted_at is not None, offerable_statuses(session))


def _move(session: Session, parcel: Parcel, to: str, move: str, on: dt.date, by: str,
          note: str | None, project: Project | None) -> SupplyMove:
    made = SupplyMove(parcel=parcel, date=on, move=move, from_status=parcel.status,
                      to_status=to, project=project, by=by, note=note)
    session.add(made)
    record(session, user=acting_user(session), action=move, entity="parcel", code=parcel.code,
           changes={"status": [parcel.status, to]},
           note=f"→ {project.code}" if project is not None else note)
    parcel.status = to
    return made


def land(session: Session, project: Project, parcels: Sequence[Parcel], on: dt.date, by: str,
         note: str | None = None) -> None:
    """Give ``parcels`` to ``project`` (落地): each must be offerable or already the project's.

    Every path that lands a project calls this, in the transaction that moves the stage.
    Raise ParcelTaken (409) when another project holds one, NotOfferable (409) with the
    reason when it cannot be offered, CapacityExceeded (409) when the zone's confirmed
    emission quota cannot take the project's emissions (geo/capacity.py). Holding the land
    holds the quota; ``release`` gives both back.
    """
    held = holders(session, [p.id for p in parcels])
    statuses = offerable_statuses(session)
    for parcel in parcels:
        if held.get(parcel.id) == project.code:
            continue
        if held.get(parcel.id):
            raise _taken(parcel.code, held[parcel.id])
        found = availability(parcel.status, parcel.layer, parcel.disposal, None,
                             parcel.deleted_at is not None, statuses)
        if not found.offerable:
            raise NotOfferable(N_("Parcel %(value)s cannot be given to the project: "
                                  "%(reason)s"), field="parcel", value=parcel.code,
                               reason=found.reason, reason_params=found.params)
    if parcels:
        # The project's emissions come out of its zone's quota while it holds the land
        # (geo/capacity.py): a confirmed quota that cannot take them refuses the landing.
        with session.no_autoflush:
            check_room(session, project, max(parcels, key=lambda p: p.area_m2).park)
    codes = [p.code for p in parcels]
    try:
        # One flush at the end, where a lost race shows (not an autoflush on the way).
        with session.no_autoflush:
            for parcel in parcels:
                if held.get(parcel.id) != project.code:
                    _move(session, parcel, "reserved", "reserve", on, by, note, project)
            project.parcels = list(parcels)
            project.parcel = max(parcels, key=lambda p: p.area_m2)
        session.flush()
    except (IntegrityError, StaleDataError):
        # Another request landed a project on one of these parcels since we looked: the
        # unique index (or the parcel's version) let only one of us write.
        session.rollback()
        now = holders(session, session.scalars(select(Parcel.id).where(
            Parcel.code.in_(codes))).all())
        raise _taken(",".join(codes), next(iter(now.values()), None)) from None


def _taken(code: str, holder: str | None) -> ParcelTaken:
    if holder:
        return ParcelTaken(N_("Parcel %(value)s is already held by project %(project)s."),
                           field="parcel", value=code, project=holder)
    return ParcelTaken(N_("Parcel %(value)s was just given to another project."),
                       field="parcel", value=code)


def release(session: Session, project: Project, on: dt.date, by: str, note: str | None) -> None:
    """Give a project's parcels back (put back from 落地): each returns to its status before."""
    for parcel in project.parcels:
        before = session.scalar(
            select(SupplyMove.from_status).where(SupplyMove.parcel_id == parcel.id,
                                                 SupplyMove.move == "reserve")
            .order_by(SupplyMove.id.desc()).limit(1))
        _move(session, parcel, before or "available", "release", on, by, note, project)
    project.parcels = []
    project.parcel = None
    project.site = None


def start(session: Session, project: Project, on: dt.date, by: str) -> None:
    """The project starts (开工): its parcels are supplied and their actual start is ``on``."""
    for parcel in project.parcels:
        if parcel.actual_start is None:
            parcel.actual_start = on
        if parcel.status == "reserved":
            _move(session, parcel, "supplied", "supply", on, by, None, project)


def move(session: Session, parcel: Parcel, to: str, on: dt.date, by: str,
         note: str | None = None) -> SupplyMove:
    """Move a parcel along the table above (not the moves a project makes: land, release)."""
    name = HAND_MOVES.get((parcel.status, to))
    if name is None:
        raise MoveRefused(N_("A parcel in status %(status)s cannot make this move."),
                          field="status", status=parcel.status)
    if name == "recover" and parcel.disposal not in TAKEN_BACK:
        raise MoveRefused(N_("Only land taken back (无偿收回, 协议有偿收回, 置换) is 已收回: "
                             "set the disposal method first."), field="disposal")
    if on > dt.date.today():
        raise GeoError(N_("%(field)s cannot be in the future."), field="date")
    return _move(session, parcel, to, name, on, by, note, None)


def moves_of(session: Session, parcel: Parcel) -> list[SupplyMove]:
    """Return a parcel's supply moves, oldest first."""
    return list(session.scalars(select(SupplyMove).where(SupplyMove.parcel_id == parcel.id)
                                .order_by(SupplyMove.date, SupplyMove.id)))


def check_status_edit(session: Session, parcel: Parcel, status: str) -> None:
    """Refuse a status typed by hand that only a project's landing may set or undo."""
    if status == parcel.status:
        return
    holder = holders(session, [parcel.id]).get(parcel.id)
    if holder:
        raise GeoError(N_("Parcel %(value)s is held by project %(project)s: its %(field)s "
                          "follows the project's stage."), field="status", value=parcel.code,
                       project=holder)
    if status in HELD:
        raise GeoError(N_("%(field)s 已意向 and 已供应 come from landing a project (落地, 开工), "
                          "not from an edit."), field="status")
