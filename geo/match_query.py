"""Run a match against the register: database pre-filter, then the pure matching, then features."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import shapely
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from geo.areas import mu_to_m2
from geo.boundaries import places
from geo.capacity import zones_left
from geo.checks import Check, check_parcel
from geo.county import load_county
from geo.errors import N_, NotFound
from geo.features import LAYERS, properties
from geo.indicators import RuleBook, load_rules
from geo.matching import (
    WGS84,
    BuildingFacts,
    Facts,
    Outcome,
    Settings,
    distance_km,
    match_parcels,
)
from geo.models import Building, Parcel, Project, project_parcels
from geo.needs import Needs, known_places, parse_needs
from geo.register import backend_for

KM_PER_DEGREE = 111.32  # along a meridian; a bbox needs only to contain the circle
# DE-9IM of two parcels sharing an edge: interiors apart, boundaries meeting along a line.
SHARED_EDGE = "F***1****"


@dataclass
class MatchResult:
    """A finished match: the needs, the rules in force it used, the outcome and the features."""

    needs: Needs
    rules: RuleBook  # as in force on the match's date in the county
    outcome: Outcome
    features: dict[str, dict]  # by parcel code, GeoJSON Features


_COLUMNS = (Parcel.id, Parcel.code, Parcel.layer, Parcel.status, Parcel.area_m2,
            Parcel.land_use, Parcel.land_use_system, Parcel.planned_use,
            Parcel.planned_use_system, Parcel.park, Parcel.town, Parcel.plot_ratio_min,
            Parcel.plot_ratio_max, Parcel.power_kva, Parcel.water_t_per_day, Parcel.gas,
            Parcel.rail, Parcel.price, Parcel.std_investment_intensity,
            Parcel.std_plot_ratio_min, Parcel.std_building_coefficient, Parcel.disposal,
            select(Project.code).join(project_parcels, Project.id == project_parcels.c.project_id)
            .where(project_parcels.c.parcel_id == Parcel.id).correlate(Parcel)
            .scalar_subquery().label("held_by"),
            func.ST_AsBinary(Parcel.geom).label("wkb"))


def point_bbox(lon: float, lat: float, km: float) -> tuple[float, float, float, float]:
    """Return a lon/lat box that contains every point within ``km`` of (lon, lat).

    >>> [round(v, 3) for v in point_bbox(111.0, 36.0, 11.132)]
    [110.876, 35.9, 111.124, 36.1]
    """
    dlat = km / KM_PER_DEGREE
    dlon = km / (KM_PER_DEGREE * max(math.cos(math.radians(abs(lat) + dlat)), 1e-6))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def prefilter(session: Session, needs: Needs, settings: Settings):
    """Return the statement selecting the parcels worth checking: layer, area, place, bbox.

    Status is not filtered here, so a parcel near the point that is already taken shows up
    as rejected with its reason.
    """
    centre = (func.ST_X(func.ST_Centroid(Parcel.geom)), func.ST_Y(func.ST_Centroid(Parcel.geom)))
    stmt = select(*_COLUMNS, *centre).where(Parcel.layer.in_(needs.layers))
    if not needs.wants_factory:
        if needs.area_max_mu is not None:
            stmt = stmt.where(Parcel.area_m2 <= mu_to_m2(needs.area_max_mu) + 1e-6)
        if not settings.pairs and needs.area_min_mu:
            stmt = stmt.where(Parcel.area_m2 >= mu_to_m2(needs.area_min_mu) - 1e-6)
    if needs.towns:
        stmt = stmt.where(Parcel.town.in_(needs.towns))
    if needs.parks:
        stmt = stmt.where(Parcel.park.in_(needs.parks))
    if needs.point and needs.max_distance_km is not None:
        box = point_bbox(*needs.point, needs.max_distance_km)
        stmt = stmt.where(backend_for(session).bbox_filter(Parcel.geom, Parcel.id, box))
    return stmt


def _facts(row, buildings: Mapping[int, list[BuildingFacts]], neighbours: int) -> Facts:
    return Facts(
        code=row.code, layer=row.layer, status=row.status, area_m2=row.area_m2,
        land_use=row.land_use, land_use_system=row.land_use_system,
        planned_use=row.planned_use, planned_use_system=row.planned_use_system, park=row.park,
        town=row.town,
        plot_ratio_min=row.plot_ratio_min, plot_ratio_max=row.plot_ratio_max,
        power_kva=row.power_kva, water_t_per_day=row.water_t_per_day, gas=row.gas == "yes",
        rail=row.rail == "yes", price=row.price,
        std_investment_intensity=row.std_investment_intensity,
        std_plot_ratio_min=row.std_plot_ratio_min,
        std_building_coefficient=row.std_building_coefficient, lon=row[-2], lat=row[-1],
        buildings=tuple(buildings.get(row.id, ())), neighbours=neighbours,
        disposal=row.disposal, held_by=row.held_by,
    )


def _buildings(session: Session, ids: list[int]) -> dict[int, list[BuildingFacts]]:
    found: dict[int, list[BuildingFacts]] = {}
    for b in session.scalars(select(Building).where(Building.parcel_id.in_(ids))):
        found.setdefault(b.parcel_id, []).append(
            BuildingFacts(b.floor_area_m2, b.clear_height_m, b.crane_t, b.idle != "no"))
    return found


def _neighbour_counts(session: Session, needs: Needs, rows, radius_km: float) -> list[int]:
    """Count, per parcel, the projects of the same industry sited within the radius.

    Same industry: the same GB/T 4754 division, or the same priority-industry tag (chain).
    """
    same = Project.industry.like(f"{needs.industry[:2]}%")
    if needs.chain:
        same = or_(same, Project.chain == needs.chain)
    sites = session.execute(
        select(func.ST_X(func.ST_Centroid(Project.site)), func.ST_Y(func.ST_Centroid(Project.site)))
        .where(Project.site.is_not(None), same)
    ).all()
    if not sites:
        return [0] * len(rows)
    counts = []
    for row in rows:
        lon, lat = row[-2], row[-1]
        n = sum(1 for x, y in sites
                if WGS84.inv(lon, lat, x, y)[2] / 1000 <= radius_km)
        counts.append(n)
    return counts


def shared_edges(outlines: Mapping[str, bytes]) -> list[tuple[str, str]]:
    """Return the code pairs whose outlines (WKB by code) share a stretch of boundary.

    DE-9IM ``F***1****``, as ``ST_Relate`` would test it: interiors apart, boundaries meeting
    along a line; a shared corner is not enough. Done here with an STRtree on the few parcels
    asked about, which is faster than a self-join on either database (PostgreSQL plans a
    long id list poorly).
    """
    codes = sorted(outlines)
    if len(codes) < 2:
        return []
    shapes = shapely.from_wkb([bytes(outlines[c]) for c in codes])
    tree = shapely.STRtree(shapes)
    pairs = []
    for i, j in zip(*tree.query(shapes, predicate="intersects"), strict=True):
        if i < j and shapely.relate_pattern(shapes[i], shapes[j], SHARED_EDGE):
            pairs.append((codes[i], codes[j]))
    return sorted(pairs)


def _features(session: Session, codes: set[str]) -> dict[str, dict]:
    if not codes:
        return {}
    rows = session.execute(
        select(Parcel, func.ST_AsGeoJSON(Parcel.geom, 8)).where(Parcel.code.in_(codes))
        .options(selectinload(Parcel.buildings))
    ).all()
    return {p.code: {"type": "Feature", "id": p.code, "geometry": json.loads(g),
                     "properties": properties(LAYERS[p.layer], p)} for p, g in rows}


def parcel_feature(session: Session, code: str) -> dict:
    """Return one parcel as a GeoJSON Feature, or raise NotFound."""
    found = _features(session, {code})
    if code not in found:
        raise NotFound(N_("No parcel with code %(value)s."), field="code", value=code)
    return found[code]


def load_facts(session: Session, needs: Needs, settings: Settings, stmt=None) -> list[Facts]:
    """Return the pre-filtered parcels as Facts, with their buildings and neighbour counts."""
    rows = session.execute(stmt if stmt is not None else prefilter(session, needs, settings)).all()
    return _load(session, needs, settings, rows)


def _load(session: Session, needs: Needs, settings: Settings, rows) -> list[Facts]:
    buildings = _buildings(session, [r.id for r in rows]) if needs.wants_factory else {}
    neighbours = _neighbour_counts(session, needs, rows, settings.chain_radius_km)
    return [_facts(r, buildings, n) for r, n in zip(rows, neighbours, strict=True)]


def run_match(session: Session, raw_needs: Mapping[str, object], county_code: str,
              settings: Settings | None = None) -> MatchResult:
    """Match raw needs (form or JSON values) against the register; the one call a view makes."""
    settings = settings or Settings()
    # The bureau's own town and park outlines once loaded (geo/boundaries.py).
    needs = known_places(parse_needs(raw_needs), places(session, load_county(county_code)))
    # Zones with what landed projects hold taken off (geo/capacity.py).
    rules, zones = load_rules().where(needs.on, county_code), zones_left(session, county_code)
    rows = session.execute(prefilter(session, needs, settings)).all()
    facts = _load(session, needs, settings, rows)
    outlines = {r.code: r.wkb for r in rows}
    outcome = match_parcels(
        needs, facts, rules, zones,
        lambda codes: shared_edges({c: outlines[c] for c in codes}), settings)
    codes = {m for c in outcome.candidates for m in (c.facts.members or (c.facts.code,))}
    codes |= {c.facts.code for c in outcome.near_misses}
    return MatchResult(needs, rules, outcome, _features(session, codes))


def explain_parcel(session: Session, raw_needs: Mapping[str, object], code: str,
                   county_code: str, settings: Settings | None = None
                   ) -> tuple[Facts, list[Check], dict]:
    """Return every check of one parcel against the needs, pre-filtered out or not ("why not")."""
    settings = settings or Settings()
    needs = known_places(parse_needs(raw_needs), load_county(county_code))
    # Only the parcel itself is selected: none of the pre-filter's narrowing applies.
    wide = replace(needs, layers=("idle", "stock"), towns=(), parks=(), max_distance_km=None,
                   area_max_mu=None)
    stmt = prefilter(session, wide, replace(settings, pairs=True)).where(Parcel.code == code)
    facts = load_facts(session, needs, settings, stmt)
    if not facts:
        raise NotFound(N_("No parcel with code %(value)s."), field="code", value=code)
    rules = load_rules().where(needs.on, county_code)
    checks = check_parcel(needs, facts[0], rules, zones_left(session, county_code),
                          settings.offerable_statuses, distance_km(facts[0], needs.point))
    return facts[0], checks, _features(session, {code})[code]
