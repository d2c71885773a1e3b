"""Match a project's needs to parcels: every check explained, the passing parcels ranked.

A pure function of plain values: the database layer (geo/match_query.py) hands in the
pre-filtered parcels as ``Facts`` and the pairs of them that share an edge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from pyproj import Geod

from geo.areas import M2_PER_MU
from geo.checks import Check, check_parcel
from geo.indicators import RuleBook, Zone
from geo.near_misses import Relaxation, Suggestion, relaxation, suggestions
from geo.needs import Needs
from geo.supply import DEFAULT_OFFERABLE

WGS84 = Geod(ellps="WGS84")
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "area_fit": 30, "idle": 20, "chain": 15, "distance": 15, "utilities": 10, "price": 10,
}


@dataclass(frozen=True)
class BuildingFacts:
    """A factory building on a parcel, as far as matching cares."""

    floor_area_m2: float
    clear_height_m: float | None = None
    crane_t: float | None = None
    idle: bool = True


@dataclass(frozen=True)
class Facts:
    """What matching knows of one parcel (or of two adjacent parcels taken together)."""

    code: str
    layer: str
    status: str
    area_m2: float
    land_use: str | None = None
    land_use_system: str | None = None
    planned_use: str | None = None  # matching reads it before the current use (geo/checks.py)
    planned_use_system: str | None = None
    park: str | None = None
    town: str | None = None
    plot_ratio_min: float | None = None
    plot_ratio_max: float | None = None
    power_kva: float | None = None
    water_t_per_day: float | None = None
    gas: bool = False
    rail: bool = False
    price: float | None = None
    std_investment_intensity: float | None = None
    std_plot_ratio_min: float | None = None
    std_building_coefficient: float | None = None
    lon: float | None = None
    lat: float | None = None
    buildings: tuple[BuildingFacts, ...] = ()
    neighbours: int = 0  # same-industry projects within the chain radius
    disposal: str | None = None  # idle land's disposal method (令53)
    held_by: str | None = None  # the project holding the parcel, if one does
    members: tuple[str, ...] = ()  # the two parcels of a pair

    @property
    def area_mu(self) -> float:
        """Return the area in 亩."""
        return self.area_m2 / M2_PER_MU


@dataclass(frozen=True)
class Settings:
    """Matching settings: ranking weights and what counts as available (configuration)."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    offerable_statuses: tuple[str, ...] = DEFAULT_OFFERABLE  # see geo/supply.py
    chain_radius_km: float = 3.0
    chain_full: int = 3  # this many same-industry neighbours earn the whole chain weight
    distance_scale_km: float = 20.0  # used when a point is given without a maximum
    limit: int = 50
    pairs: bool = True
    near_miss_below: int = 5  # fewer candidates than this: show the closest misses
    near_miss_limit: int = 10  # at most this many of them


@dataclass
class Candidate:
    """A parcel (or pair) that no check rejects, with its score and the score's parts."""

    facts: Facts
    checks: list[Check]
    score: float = 0.0
    score_parts: dict[str, float] = field(default_factory=dict)
    relax: Relaxation | None = None  # a near miss: what to change so it passes

    @property
    def pair(self) -> bool:
        """Return True for two adjacent parcels offered together."""
        return bool(self.facts.members)


@dataclass
class Outcome:
    """The ranked candidates (singles first, then pairs) and the rejected parcels."""

    candidates: list[Candidate]
    rejected: list[tuple[str, list[str]]]
    considered: int  # parcels checked: passed + rejected
    passed: int  # single parcels that passed every check (more than listed past the limit)
    pairs: int = 0  # pairs that passed, listed after the singles
    near_misses: list[Candidate] = field(default_factory=list)  # fail one check, best first
    suggestions: list[Suggestion] = field(default_factory=list)  # what to relax, per field


def distance_km(facts: Facts, point: tuple[float, float] | None) -> float | None:
    """Return the distance on the ellipsoid from ``point`` to the parcel's centre, in km."""
    if point is None or facts.lon is None or facts.lat is None:
        return None
    return WGS84.inv(point[0], point[1], facts.lon, facts.lat)[2] / 1000


def _parts(c: Facts, needs: Needs, settings: Settings, cheapest: float | None) -> dict:
    parts: dict[str, float] = {}
    if needs.wants_factory:
        best = max((b.floor_area_m2 for b in c.buildings), default=0.0)
        target, have = needs.factory_floor_area_m2 or 0, best
    else:
        low = needs.area_min_mu or 0
        target = (low + needs.area_max_mu) / 2 if needs.area_max_mu else low
        have = c.area_mu
    parts["area_fit"] = max(0.0, 1 - abs(have - target) / target) if target else 1.0
    parts["idle"] = 1.0 if c.layer == "idle" else 0.0
    parts["chain"] = min(c.neighbours, settings.chain_full) / settings.chain_full
    d = distance_km(c, needs.point)
    scale = needs.max_distance_km or settings.distance_scale_km
    parts["distance"] = 0.0 if d is None else max(0.0, 1 - d / scale) if scale else 1.0
    margins = [min(1.0, have / need - 1) for need, have in
               ((needs.power_kva, c.power_kva), (needs.water_t_per_day, c.water_t_per_day))
               if need and have is not None]
    parts["utilities"] = sum(margins) / len(margins) if margins else 0.0
    parts["price"] = cheapest / c.price if cheapest is not None and c.price else 0.0
    return parts


def rank(candidates: list[Candidate], needs: Needs, settings: Settings) -> list[Candidate]:
    """Score ``candidates`` with the weights of ``settings``; return them best first.

    Each part is a fraction (0–1) times its weight; ties go to the lower parcel code.
    """
    prices = [c.facts.price for c in candidates if c.facts.price]
    cheapest = min(prices) if prices else None
    for c in candidates:
        fractions = _parts(c.facts, needs, settings, cheapest)
        c.score_parts = {k: round(v * settings.weights.get(k, 0), 2)
                         for k, v in fractions.items()}
        c.score = round(sum(c.score_parts.values()), 2)
    return sorted(candidates, key=lambda c: (-c.score, c.facts.code))


def merge(a: Facts, b: Facts) -> Facts:
    """Return two adjacent parcels as one site: areas add up, planning ranges intersect."""

    def most(x, y):
        values = [v for v in (x, y) if v is not None]
        return max(values) if values else None

    def least(x, y):
        values = [v for v in (x, y) if v is not None]
        return min(values) if values else None

    area = a.area_m2 + b.area_m2
    centre = None
    if None not in (a.lon, a.lat, b.lon, b.lat):
        centre = ((a.lon * a.area_m2 + b.lon * b.area_m2) / area,
                  (a.lat * a.area_m2 + b.lat * b.area_m2) / area)
    price = None
    if a.price is not None and b.price is not None:
        price = (a.price * a.area_m2 + b.price * b.area_m2) / area
    return replace(
        a, code=f"{a.code}+{b.code}", layer="idle" if "idle" in (a.layer, b.layer) else a.layer,
        area_m2=area, plot_ratio_min=most(a.plot_ratio_min, b.plot_ratio_min),
        plot_ratio_max=least(a.plot_ratio_max, b.plot_ratio_max),
        power_kva=most(a.power_kva, b.power_kva),
        water_t_per_day=most(a.water_t_per_day, b.water_t_per_day),
        gas=a.gas or b.gas, rail=a.rail or b.rail, price=price,
        disposal=a.disposal or b.disposal,
        std_investment_intensity=most(a.std_investment_intensity, b.std_investment_intensity),
        std_plot_ratio_min=most(a.std_plot_ratio_min, b.std_plot_ratio_min),
        std_building_coefficient=most(a.std_building_coefficient, b.std_building_coefficient),
        lon=centre[0] if centre else None, lat=centre[1] if centre else None, buildings=(),
        neighbours=max(a.neighbours, b.neighbours), members=(a.code, b.code),
    )


def match_parcels(
    needs: Needs, parcels: Iterable[Facts], rules: RuleBook, zones: Mapping[str, Zone],
    adjacent: Iterable[tuple[str, str]] | Callable[[list[str]], Iterable[tuple[str, str]]] = (),
    settings: Settings | None = None,
) -> Outcome:
    """Check every parcel against ``needs``; rank the ones that pass, keep why others failed.

    Pairs of ``adjacent`` parcels that are each too small, but pass every other check,
    are offered after the single parcels when together they pass too. ``adjacent`` is the
    list of pairs, or a function that finds them among the codes it is given (the parcels
    that failed on size alone), so a database need only be asked about those.

    >>> from geo.indicators import load_rules
    >>> needs = Needs(industry="3311", land_class="industrial2", total_investment=3000,
    ...               area_min_mu=10, area_max_mu=30)
    >>> p = Facts("A", "stock", "available", 20 * M2_PER_MU, land_use="100102",
    ...           land_use_system="ydyh2023")
    >>> outcome = match_parcels(needs, [p], load_rules(), {})
    >>> [c.facts.code for c in outcome.candidates], outcome.candidates[0].score_parts["area_fit"]
    (['A'], 30.0)
    """
    settings = settings or Settings()
    parcels = list(parcels)
    singles: list[Candidate] = []
    rejected: list[tuple[str, list[str]]] = []
    too_small: dict[str, Facts] = {}
    misses: list[Candidate] = []
    for facts in parcels:
        checks = check_parcel(needs, facts, rules, zones, settings.offerable_statuses,
                              distance_km(facts, needs.point))
        failed = [c.name for c in checks if c.rejects]  # a warning never rejects
        if not failed:
            singles.append(Candidate(facts, checks))
            continue
        rejected.append((facts.code, failed))
        if len(failed) == 1:
            bad = next(c for c in checks if not c.passed)
            relax = relaxation(bad, needs, facts.area_m2)
            if relax is not None:
                misses.append(Candidate(facts, checks, relax=relax))
        area_check = next(c for c in checks if c.name == "area")
        if failed == ["area"] and area_check.params.get("below"):
            too_small[facts.code] = facts
    passed = len(singles)
    singles = rank(singles, needs, settings)[: settings.limit]
    pairs: list[Candidate] = []
    if settings.pairs and not needs.wants_factory and len(too_small) > 1:
        found = adjacent(sorted(too_small)) if callable(adjacent) else adjacent
        for a_code, b_code in found:
            if a_code in too_small and b_code in too_small:
                merged = merge(*sorted((too_small[a_code], too_small[b_code]),
                                       key=lambda f: f.code))
                checks = check_parcel(needs, merged, rules, zones, settings.offerable_statuses,
                                      distance_km(merged, needs.point))
                if not any(c.rejects for c in checks):
                    pairs.append(Candidate(merged, checks))
        pairs = rank(pairs, needs, settings)[: settings.limit]
    rejected.sort()
    outcome = Outcome(singles + pairs, rejected, len(parcels), passed, len(pairs))
    if len(outcome.candidates) < settings.near_miss_below and misses:
        # Closest first (the smallest change to the needs), then by the score they would have.
        ranked = rank(misses, needs, settings)
        ranked.sort(key=lambda c: c.relax.gap if c.relax else 1.0)
        outcome.near_misses = ranked[: settings.near_miss_limit]
        outcome.suggestions = suggestions([m.relax for m in misses if m.relax],
                                          settings.near_miss_below)
    return outcome
