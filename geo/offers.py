"""The offer log (推介): parcels offered to a project, the investor's answer, landing a project."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from geo.audit import acting_user, record
from geo.errors import N_, GeoError, NotFound
from geo.fields import OFFER_FIELDS, clean_record
from geo.lifecycle import advance
from geo.models import Offer, Parcel, Project
from geo.supply import Availability, parcel_availability

# Stages at which a project is still looking for land.
SEEKING = ("pipeline", "signed")


def _project(session: Session, code: str) -> Project:
    project = session.scalar(select(Project).where(Project.code == code))
    if project is None:
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
        select(Project).where(Project.stage.in_(SEEKING)).order_by(Project.code)))


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


def offer_log(session: Session, project_code: str
              ) -> tuple[Project, list[tuple[Offer, Availability]]]:
    """Return a project and its offers, newest first, each with whether its parcel can still
    be offered (geo/supply.py): land another project took since is no longer to be chosen."""
    project = _project(session, project_code)
    offers = session.scalars(
        select(Offer).where(Offer.project_id == project.id).options(joinedload(Offer.parcel))
        .order_by(Offer.offered_on.desc(), Offer.id.desc())).all()
    return project, [(o, parcel_availability(session, o.parcel)) for o in offers]


def land_project(session: Session, project_code: str, parcel_code: str,
                 today: dt.date) -> Project:
    """Land a signed project (落地) on the chosen parcel (or pair), and mark the offer chosen.

    The landing is the lifecycle's own dated transition (geo/lifecycle.py), which reserves the
    parcels (geo/supply.py). A project still in the pipeline (储备) is refused: the offer log
    records no signing the county has not made.
    """
    project = _project(session, project_code)
    if project.stage == "pipeline":
        raise GeoError(N_("%(field)s: the project is still in the pipeline (储备). Record its "
                          "signing (签约) on the project page first, then choose its land."),
                       field="project")
    if project.stage != "signed":
        raise GeoError(N_("%(field)s: the project has already landed."), field="project")
    parcels = _parcels(session, split_codes(parcel_code))
    advance(session, project.code, {"to_stage": "landed", "date": today,
                                    "by": acting_user(session), "note": None},
            parcels=[p.code for p in parcels], today=today, commit=False)
    offered = {o.parcel_id: o for o in session.scalars(
        select(Offer).where(Offer.project_id == project.id))}
    for parcel in parcels:
        offer = offered.get(parcel.id) or Offer(project=project, parcel=parcel,
                                                offered_on=today, status="offered")
        offer.status = "chosen"
        session.add(offer)
    session.commit()
    return project
