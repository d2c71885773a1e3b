"""Environmental capacity: what landed projects hold of their zone's emission quota.

A project that holds land (landed through ``geo.supply.land``) holds, from the zone of its
main parcel, its yearly emissions times the zone's offset ratio (倍量替代, a zone setting in
the county's ``zones.csv``); putting it back from 落地 (``geo.supply.release``) lets the land
go and so the quota too. Holdings are read from the holds themselves (``project_parcels``),
never kept as a second count that could drift. The county's figure in ``zones.csv`` is the
zone's quota before the projects this register holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from geo.county import DEFAULT_COUNTY
from geo.errors import N_, GeoError
from geo.indicators import POLLUTANTS, Zone, load_zones, zone_of
from geo.models import Parcel, Project, project_parcels


class CapacityExceeded(GeoError):
    """The zone's remaining emission quota does not cover the project's emissions."""

    status = 409
    code = "capacity_exceeded"


@dataclass(frozen=True)
class Hold:
    """What one project holds of one zone's quota for one pollutant (t/yr, after the ratio)."""

    zone: str
    project: str
    name: str
    pollutant: str
    emission: float
    held: float


def county_of(session: Session) -> str:
    """Return the county whose zones apply (the web layer puts its setting in the session)."""
    return str(session.info.get("county", DEFAULT_COUNTY))


def emissions(project: Project) -> dict[str, float]:
    """Return a project's yearly emissions by pollutant (t/yr), only those above zero."""
    return {p: float(v) for p in POLLUTANTS
            if (v := getattr(project, f"emission_{p}", None)) is not None and v > 0}


def holds(session: Session, zones: dict[str, Zone]) -> list[Hold]:
    """Return every hold of a project on its zone's quota, by zone then project."""
    stmt = (select(Project, Parcel.park).join(Parcel, Parcel.id == Project.parcel_id)
            .where(exists().where(project_parcels.c.project_id == Project.id))
            .order_by(Project.code))
    found = []
    for project, park in session.execute(stmt):
        zone = zone_of(zones, park)
        if zone is None:
            continue
        for pollutant, amount in emissions(project).items():
            found.append(Hold(zone.name, project.code, project.name, pollutant, amount,
                              round(amount * zone.offset(pollutant), 4)))
    return sorted(found, key=lambda h: (h.zone, h.project))


def zones_left(session: Session, county_code: str | None = None,
               without: str | None = None) -> dict[str, Zone]:
    """Return the county's zones with what landed projects hold taken off (project ``without``
    left out): what the next match and the next landing see."""
    zones = load_zones(county_code or county_of(session))
    held: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for h in holds(session, zones):
        if h.project != without:
            held[h.zone][h.pollutant] += h.held
    return {name: replace(z, remaining={p: round(v - held[name][p], 4)
                                        for p, v in z.remaining.items()})
            for name, z in zones.items()}


def check_room(session: Session, project: Project, park: str | None) -> None:
    """Refuse landing ``project`` in ``park`` when its zone's confirmed quota cannot take it.

    A quota not confirmed from a citable source informs (the match and the dashboard show it)
    but never refuses (docs/domain.md).
    """
    zones = zones_left(session, without=project.code)
    zone = zone_of(zones, park)
    if zone is None or not zone.confirmed:
        return
    for pollutant, amount in emissions(project).items():
        need, left = amount * zone.offset(pollutant), zone.remaining.get(pollutant)
        if left is not None and need > left:
            raise CapacityExceeded(
                N_("Zone %(zone)s has %(left)s t/yr of %(pollutant)s left; project %(value)s "
                   "needs %(need)s t/yr (%(amount)s × %(ratio)s)."), field="emission_"
                + pollutant, zone=zone.name, left=f"{left:g}", pollutant=pollutant.upper(),
                value=project.code, need=f"{need:g}", amount=f"{amount:g}",
                ratio=f"{zone.offset(pollutant):g}")


def capacity_table(session: Session, county_code: str | None = None) -> list[dict]:
    """Return, per zone and pollutant, its quota, what is held, what is left, and by whom."""
    zones = load_zones(county_code or county_of(session))
    by = defaultdict(list)
    for h in holds(session, zones):
        by[(h.zone, h.pollutant)].append(h)
    rows = []
    for name, zone in zones.items():
        for p in POLLUTANTS:
            if p not in zone.remaining:
                continue
            mine = by[(name, p)]
            held = round(sum(h.held for h in mine), 4)
            rows.append({"zone": name, "pollutant": p, "quota": zone.remaining[p],
                         "ratio": zone.offset(p), "held": held,
                         "left": round(zone.remaining[p] - held, 4),
                         "confirmed": zone.confirmed,
                         "holders": [{"project": h.project, "name": h.name,
                                      "emission": h.emission, "held": h.held} for h in mine]})
    return rows
