"""The offer log (推介): parcels offered to a project, the investor's answer, landing a project."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from shapely.ops import unary_union
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from geo.audit import acting_user, record
from geo.editing import saving
from geo.errors import N_, GeoError, NotFound
from geo.fields import OFFER_FIELDS, clean_record
from geo.geometry import as_multipolygon, from_db, to_db
from geo.models import Offer, Parcel, Project

# Stages at which a project is still looking for land.
SEEKING = ("pipeline", "signed")


def _project(session: Session, code: str) -> Project:
    project = session.scalar(select(Project).where(Project.code == code))
    if project is None or project.deleted_at is not None:
        raise NotFound(N_("No project with code %(value)s."), field="project", value=code)
    return project


def _parcels(session: Session, codes: Iterable[str]) -> list[Parcel]:
    codes = [c for c in codes if c]
    found = {p.code: p for p in session.scalars(select(Parcel).where(Parcel.code.in_(codes)))}
    for code in codes:
        if code not in found:
            raise NotFound(N_("No parcel with code %(value)s."), field="parcel", value=code)
    return [found[c] for c in codes]


def split_codes(code: str) -> list[str]:
    """Return the parcel codes of a candidate: one, or two for a pair ("A+B").

    >>> split_codes("141023CL0001+141023CL0002")
    ['141023CL0001', '141023CL0002']
    """
    return [c for c in code.split("+") if c]


def seeking_projects(session: Session) -> list[Project]:
    """Return the projects still looking for land (储备, 签约), by code."""
    return list(session.scalars(
        select(Project).where(Project.stage.in_(SEEKING), Project.deleted_at.is_(None))
        .order_by(Project.code)))


def save_offers(session: Session, project_code: str, offers: Iterable[tuple[str, float | None]],
                today: dt.date) -> list[Offer]:
    """Record each (parcel code, score) as offered to the project today; return the new offers.

    A parcel already offered to the project is not offered twice; a pair is one offer per parcel.
    """
    project = _project(session, project_code)
    known = set(session.scalars(select(Offer.parcel_id).where(Offer.project_id == project.id)))
    made = []
    for code, score in offers:
        for parcel in _parcels(session, split_codes(code)):
            if parcel.id in known:
                continue
            known.add(parcel.id)
            made.append(Offer(project=project, parcel=parcel, offered_on=today,
                              status="offered", score=score))
            record(session, user=acting_user(session), action="offer", entity="project",
                   code=project.code, changes={"offer": [None, parcel.code]})
    session.add_all(made)
    session.commit()
    return made


def update_offer(session: Session, offer_id: int, values: dict) -> Offer:
    """Change an offer's status and the investor's feedback, validated by the dictionary."""
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFound(N_("No offer %(value)s."), field="offer", value=offer_id)
    cleaned = clean_record(OFFER_FIELDS, {k: values.get(k) for k in ("status", "feedback")},
                           partial=True)
    status = str(cleaned.get("status") or offer.status)
    feedback = cleaned.get("feedback")
    record(session, user=acting_user(session), action="update", entity="offer",
           code=offer.parcel.code, note=f"→ {offer.project.code}",
           changes={n: [old, new] for n, old, new in (("status", offer.status, status),
                                                      ("feedback", offer.feedback, feedback))
                    if old != new})
    offer.status = status
    offer.feedback = feedback  # type: ignore[assignment]
    session.commit()
    return offer


def offer_log(session: Session, project_code: str) -> tuple[Project, list[Offer]]:
    """Return a project and its offers, newest first."""
    project = _project(session, project_code)
    offers = session.scalars(
        select(Offer).where(Offer.project_id == project.id).options(joinedload(Offer.parcel))
        .order_by(Offer.offered_on.desc(), Offer.id.desc())).all()
    return project, list(offers)


def land_project(session: Session, project_code: str, parcel_code: str,
                 today: dt.date) -> Project:
    """Move a project to 落地 on the chosen parcel (or pair): stage, parcel and site in one go.

    The site is the parcel's outline (both outlines for a pair); the parcel becomes reserved
    (已意向) so that later matches leave it out, and its offer is marked chosen.
    """
    project = _project(session, project_code)
    if project.stage not in SEEKING:
        raise GeoError(N_("%(field)s: the project has already landed."), field="project")
    parcels = _parcels(session, split_codes(parcel_code))
    taken = [p.code for p in parcels if p.status in ("reserved", "supplied")]
    if taken:
        raise GeoError(N_("%(field)s %(value)s is already taken."), field="parcel",
                       value=taken[0])
    site = unary_union([from_db(p.geom) for p in parcels])
    user = acting_user(session)
    record(session, user=user, action="land", entity="project", code=project.code,
           changes={"stage": [project.stage, "landed"],
                    "parcel": [None, ",".join(p.code for p in parcels)]})
    for parcel in parcels:
        record(session, user=user, action="update", entity="parcel", code=parcel.code,
               changes={"status": [parcel.status, "reserved"]}, note=f"→ {project.code}")
    # A simultaneous landing or save of the project or its parcels: 409, not a 500.
    with saving(session, project, {"parcel": parcel_code}):
        project.stage = "landed"
        project.parcel = max(parcels, key=lambda p: p.area_m2)
        project.site = to_db(as_multipolygon(site))
        project.town = project.parcel.town or project.town
        offered = {o.parcel_id: o for o in session.scalars(
            select(Offer).where(Offer.project_id == project.id))}
        for parcel in parcels:
            parcel.status = "reserved"
            offer = offered.get(parcel.id) or Offer(project=project, parcel=parcel,
                                                    offered_on=today, status="offered")
            offer.status = "chosen"
            session.add(offer)
    return project
