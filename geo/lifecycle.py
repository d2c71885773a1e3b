"""A key project's life through six stages: move it on one stage, or put it back one.

Rules (each tested in tests/test_lifecycle.py):

- a project moves forward exactly one stage at a time (储备 → 签约 → 落地 → 开工 → 建设 → 投产);
  two stages on one day are two transitions with the same date;
- it can be put back exactly one stage, with a reason;
- every transition is dated (not in the future, not before the previous transition), names
  who made it, and may carry a note;
- reaching 落地 (land secured) needs the project's parcel(s) or its site geometry: given with
  the transition, or already recorded. Given parcels become the site when no site is given;
  the project holds them (geo/supply.py: reserved, refused when another project holds one);
- put back from 落地 to 签约, the project gives its parcels back;
- reaching 开工 supplies its parcels and records their actual start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo import supply
from geo.audit import acting_user, record
from geo.errors import N_, FieldError, GeoError, NotFound
from geo.fields import STAGES, clean_record, fields_for, get_field
from geo.geometry import as_multipolygon, from_db, to_db
from geo.models import Parcel, Project, Transition

STAGE_ORDER = tuple(s.value for s in STAGES)


def stage_index(stage: str) -> int:
    """Return the position of ``stage`` in the six stages (0 for 储备).

    >>> stage_index("landed")
    2
    """
    return STAGE_ORDER.index(stage)


def get_project(session: Session, code: str, *, deleted: bool = False) -> Project:
    """Return the project with ``code`` (from the bin when ``deleted``), or raise NotFound."""
    project = session.scalar(select(Project).where(Project.code == code)
                             .execution_options(include_deleted=deleted))
    if project is None or (project.deleted_at is not None) != deleted:
        raise NotFound(N_("No project with code %(value)s."), field="code", value=code)
    return project


def _check_date(project: Project, date: dt.date, today: dt.date) -> None:
    if date > today:
        raise FieldError("date", N_("%(field)s cannot be in the future."))
    if project.transitions and date < project.transitions[-1].date:
        raise FieldError("date", N_("%(field)s is before the project's last transition "
                                    "(%(last)s)."), last=project.transitions[-1].date.isoformat())


def _tie_land(session: Session, project: Project, parcel_codes: Sequence[str],
              site: BaseGeometry | None, cleaned: dict) -> None:
    parcels = []
    for code in parcel_codes:
        parcel = session.scalar(select(Parcel).where(Parcel.code == code))
        if parcel is None:
            raise FieldError("parcel", N_("No parcel with code %(value)s."), value=code)
        parcels.append(parcel)
    parcels = parcels or list(project.parcels)
    if parcels:
        # The one way a project takes land, whatever path lands it (geo/supply.py).
        supply.land(session, project, parcels, cleaned["date"], cleaned["by"], cleaned["note"])
        project.town = project.town or project.parcel.town
    if site is not None:
        project.site = to_db(as_multipolygon(site))
    elif parcel_codes:
        project.site = to_db(as_multipolygon(unary_union([from_db(p.geom) for p in parcels])))
    if project.site is None and not project.parcels:
        raise FieldError("parcel", N_("A project is landed (落地) only with its parcel(s) "
                                      "or its site: give %(field)s or draw the site."))


def advance(session: Session, code: str, values: dict, parcels: Sequence[str] = (),
            site: BaseGeometry | None = None, today: dt.date | None = None,
            commit: bool = True) -> Transition:
    """Move project ``code`` on to the next stage and record the transition; commit.

    ``values`` holds the transition fields of the data dictionary (``to_stage``, ``date``,
    ``by``, ``note``); ``parcels`` (codes) or ``site`` tie the project to its land. An import
    passes ``commit=False`` to write all its rows or none.
    """
    cleaned = clean_record(fields_for("transition"), values)
    project = get_project(session, code)
    now, to = stage_index(project.stage), stage_index(cleaned["to_stage"])
    if to != now + 1:
        label = get_field("transition", "to_stage").choice_label
        raise FieldError("to_stage", N_("%(field)s: from %(now)s a project can only move on "
                                        "to %(next)s."), now=label(project.stage),
                         next=label(STAGE_ORDER[now + 1]) if now + 1 < len(STAGE_ORDER)
                         else "—")
    _check_date(project, cleaned["date"], today or dt.date.today())
    if cleaned["to_stage"] == "landed" or parcels or site is not None:
        _tie_land(session, project, parcels, site, cleaned)
    if cleaned["to_stage"] == "started":
        supply.start(session, project, cleaned["date"], cleaned["by"])
    return _record(session, project, cleaned, "forward", commit)


def put_back(session: Session, code: str, values: dict,
             today: dt.date | None = None) -> Transition:
    """Put project ``code`` back one stage; ``values`` needs ``date``, ``by`` and ``note``
    (the reason). Commit and return the transition."""
    project = get_project(session, code)
    now = stage_index(project.stage)
    if now == 0:
        raise GeoError(N_("A project in the pipeline (储备) cannot be put back."), field="to_stage")
    cleaned = clean_record(fields_for("transition"),
                           {**values, "to_stage": STAGE_ORDER[now - 1]})
    if not cleaned["note"]:
        raise FieldError("note", N_("Give the reason for putting the project back in "
                                    "%(field)s."))
    _check_date(project, cleaned["date"], today or dt.date.today())
    if project.stage == "landed":
        # Back to 签约: the land goes back to the county (geo/supply.py).
        supply.release(session, project, cleaned["date"], cleaned["by"], cleaned["note"])
    return _record(session, project, cleaned, "back", True)


def _record(session: Session, project: Project, cleaned: dict, kind: str,
            commit: bool) -> Transition:
    transition = Transition(date=cleaned["date"], from_stage=project.stage,
                            to_stage=cleaned["to_stage"], kind=kind, by=cleaned["by"],
                            note=cleaned["note"])
    project.transitions.append(transition)
    record(session, user=acting_user(session), action="advance" if kind == "forward" else
           "put_back", entity="project", code=project.code,
           changes={"stage": [project.stage, cleaned["to_stage"]]}, note=cleaned["note"])
    project.stage = cleaned["to_stage"]
    if commit:
        session.commit()
    return transition


def stage_on(project: Project, date: dt.date) -> str:
    """Return the stage ``project`` was in at the end of ``date``, from its transitions.

    Without transitions the current stage is all we know, and it is returned.
    """
    if not project.transitions:
        return project.stage
    stage = project.transitions[0].from_stage
    for t in project.transitions:
        if t.date <= date:
            stage = t.to_stage
    return stage
