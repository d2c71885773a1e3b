"""The checks of one parcel against a project's needs, each with value, threshold and source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geo.errors import N_
from geo.indicators import RuleBook, Zone, zone_of
from geo.needs import Needs
from geo.reference import land_use
from geo.supply import availability

if TYPE_CHECKING:
    from geo.matching import Facts

REGISTER = N_("Parcel register")
NEEDS = N_("Project needs")
STANDARD_LAND = N_("Standard land: the parcel's own indicators")


@dataclass
class Check:
    """One rule applied to one parcel: passed or not, the numbers compared, and why.

    ``message`` is an English msgid with ``%(name)s`` placeholders filled from ``params``;
    the web layer translates it. ``unit`` is a key of ``geo.fields.UNITS`` (or None).
    """

    name: str
    passed: bool
    value: object
    threshold: object
    unit: str | None
    source: str
    message: str
    params: dict = field(default_factory=dict)
    confirmed: bool = True
    # "ok" (passed), "error" (failed: rejects the parcel) or "warning" (failed a rule that is
    # not confirmed: shown, never rejects). Empty: derived from ``passed``.
    severity: str = ""
    edition: str = ""  # the edition of the rule that decided, for indicator checks
    rule_set: str = ""

    def __post_init__(self) -> None:
        """Derive the severity from ``passed`` when none is given."""
        if not self.severity:
            self.severity = "ok" if self.passed else "error"

    @property
    def rejects(self) -> bool:
        """Return True when this check rules the parcel out (a warning never does)."""
        return self.severity == "error"


def land_class(code: str | None, system: str | None) -> str:
    """Return the matching class of a land-use code of ``system`` ("" if either is unknown).

    Which codes are industrial is per system: 1001 is 工业用地 in 用地用海 2023 but 铁路用地 in
    GB/T 21010-2017 (docs/domain.md "Land-use codes"); a code without a system fits nothing.

    >>> land_class("1001", "ydyh2023"), land_class("1001", "gbt21010"), land_class("1001", None)
    ('industrial', 'other', '')
    """
    found = land_use(system, code)
    return found.klass if found else ""


def use_of(p) -> tuple[str | None, str | None, str]:
    """Return the (code, system, "planned" | "current") matching reads: the planned use, else
    the current one."""
    if p.planned_use:
        return p.planned_use, p.planned_use_system, "planned"
    return p.land_use, p.land_use_system, "current"


def compatible(wanted: str, have: str) -> bool:
    """Return True when land of class ``have`` can take a project wanting class ``wanted``.

    Industrial land of a higher class (more nuisance allowed) takes a lower-class project;
    unclassified industrial land (0601, 1001) takes any industrial project.

    >>> compatible("industrial2", "industrial3"), compatible("industrial3", "industrial2")
    (True, False)
    """
    if wanted.startswith("industrial") and have.startswith("industrial"):
        if "industrial" in (wanted, have):
            return True
        return int(have[-1]) >= int(wanted[-1])
    return wanted == have


def _status(needs, p, statuses) -> Check:
    # The one offerable rule (geo/supply.py), with its reason in the parcel's own words.
    found = availability(p.status, p.layer, p.disposal, p.held_by, False, statuses)
    return Check("status", found.offerable, p.status, list(statuses), None, REGISTER,
                 found.reason, found.params)


def _land_use(needs: Needs, p) -> Check:
    code, system, which = use_of(p)
    have = land_class(code, system)
    ok = compatible(needs.land_class, have)
    if which == "planned":
        msg = (N_("Planned land use %(value)s fits %(wanted)s.") if ok else
               N_("Planned land use %(value)s does not fit %(wanted)s."))
    else:
        msg = (N_("Land use %(value)s fits %(wanted)s.") if ok else
               N_("Land use %(value)s does not fit %(wanted)s."))
    return Check("land_use", ok, code, needs.land_class, None, REGISTER, msg,
                 {"value": code or "—", "class": have, "wanted": needs.land_class,
                  "system": system, "use": which})


def _area(needs: Needs, p) -> Check:
    if needs.wants_factory:
        fits = [b for b in p.buildings if b.idle
                and b.floor_area_m2 >= (needs.factory_floor_area_m2 or 0)
                and (needs.factory_clear_height_m is None
                     or (b.clear_height_m or 0) >= needs.factory_clear_height_m)
                and (needs.factory_crane_t is None or (b.crane_t or 0) >= needs.factory_crane_t)]
        best = max((b.floor_area_m2 for b in fits or p.buildings if b.idle), default=0.0)
        return Check("area", bool(fits), best, needs.factory_floor_area_m2, "m2", REGISTER,
                     N_("An idle factory building fits.") if fits else
                     N_("No idle factory building fits the floor area, height and crane wanted."))
    low, high, have = needs.area_min_mu or 0, needs.area_max_mu, round(p.area_mu, 4)
    below, above = have < low, high is not None and have > high
    ok = not (below or above)
    return Check("area", ok, have, [low, high], "mu", REGISTER,
                 N_("Area is within the range wanted.") if ok else
                 N_("Area is below the range wanted.") if below else
                 N_("Area is above the range wanted."), {"below": below})


def project_plot_ratio(needs: Needs, p) -> float | None:
    """Return the plot ratio the project would have on this parcel, if known."""
    if needs.floor_area_m2 is not None and p.area_m2:
        return round(needs.floor_area_m2 / p.area_m2, 4)
    return needs.plot_ratio


def _planning(needs: Needs, p) -> Check | None:
    ratio = project_plot_ratio(needs, p)
    if ratio is None:
        return None
    low, high = p.plot_ratio_min, p.plot_ratio_max
    ok = (low is None or ratio >= low) and (high is None or ratio <= high)
    return Check("planning_plot_ratio", ok, ratio, [low, high], None, REGISTER,
                 N_("Plot ratio is within the parcel's planning conditions.") if ok else
                 N_("Plot ratio is outside the parcel's planning conditions."))


def _capacity(needs: Needs, p, zones: Mapping[str, Zone]) -> list[Check]:
    zone = zone_of(dict(zones), p.park)
    checks = []
    for pollutant, emitted in needs.emissions.items():
        left = zone.remaining.get(pollutant) if zone else None
        # 倍量替代: the zone's offset ratio applies to the new project as to the landed ones.
        amount = round(emitted * zone.offset(pollutant), 4) if zone else emitted
        ok = left is not None and left >= amount
        checks.append(Check(
            f"capacity_{pollutant}", ok, amount, left, "t_per_year",
            zone.cite() if zone else REGISTER,
            N_("The zone's remaining quota covers the emissions.") if ok else
            N_("The zone's remaining quota does not cover the emissions.") if left is not None
            else N_("The zone has no remaining quota on record for this pollutant."),
            {"zone": zone.name if zone else ""}, confirmed=bool(zone and zone.confirmed)))
    return checks


def _utilities(needs: Needs, p) -> list[Check]:
    checks = []
    for name, need, have, unit in (("power", needs.power_kva, p.power_kva, "kva"),
                                   ("water", needs.water_t_per_day, p.water_t_per_day,
                                    "t_per_day")):
        if need:
            ok = have is not None and have >= need
            checks.append(Check(name, ok, have, need, unit, REGISTER,
                                N_("Enough is available at the parcel.") if ok else
                                N_("Not enough is available at the parcel.")))
    for name, need, have in (("gas", needs.gas, p.gas), ("rail", needs.rail, p.rail)):
        if need:
            checks.append(Check(name, have, "yes" if have else "no", "yes", None, REGISTER,
                                N_("Available at the parcel.") if have else
                                N_("Not available at the parcel.")))
    return checks


def _distance(needs: Needs, distance: float | None) -> Check | None:
    if needs.max_distance_km is None or distance is None:
        return None
    ok = distance <= needs.max_distance_km
    return Check("distance", ok, round(distance, 3), needs.max_distance_km, "km", NEEDS,
                 N_("Within the distance wanted.") if ok else N_("Farther than wanted."))


def _indicator(name: str, value: float | None, rules: RuleBook, needs: Needs,
               level: str | None, own: float | None, unit: str | None) -> Check | None:
    """Check ``value`` against the parcel's own (标准地) threshold, else the rules in force.

    The industrial control indicators are written for manufacturing (docs/domain.md): for a
    project outside every rule set's scope the check is absent, not failed.
    """
    if value is None:
        return None
    if own is not None:
        ok = value >= own
        return Check(name, ok, round(value, 4), own, unit, STANDARD_LAND,
                     N_("Meets the standard land's own indicator.") if ok else
                     N_("Below the standard land's own indicator."))
    region = _region_params(rules) if name == "investment_intensity" else {}
    verdict = rules.judge(name, needs.industry, level, value)
    if verdict is None:
        if not rules.covers(needs.industry):
            return None
        return Check(name, True, round(value, 4), None, unit, REGISTER,
                     N_("No threshold for this industry and region in the rule sets."),
                     region, confirmed=False)
    rule = verdict.rule
    if verdict.severity == "warning":
        msg = (N_("Below the minimum of a rule that is not confirmed.") if rule.op == "min"
               else N_("Above the maximum of a rule that is not confirmed."))
    elif rule.op == "min":
        msg = N_("Meets the minimum.") if verdict.passed else N_("Below the minimum.")
    else:
        msg = N_("Within the maximum.") if verdict.passed else N_("Above the maximum.")
    return Check(name, verdict.passed, round(value, 4), round(rule.value, 4), unit, rule.cite(),
                 msg, {"rule_set": rule.rule_set, "edition": rule.edition, **region},
                 confirmed=verdict.confirmed, severity=verdict.severity, edition=rule.edition,
                 rule_set=rule.rule_set)


def _region_params(rules: RuleBook) -> dict:
    # The region class picks the investment-intensity row (docs/domain.md): say which was used.
    region = rules.region
    return {"region_class": region.region_class if region else None,
            "land_grade": region.land_grade if region else None,
            "region_confirmed": bool(region and region.confirmed)}


def _indicators(needs: Needs, p, rules: RuleBook, zones: Mapping[str, Zone]) -> list[Check]:
    zone = zone_of(dict(zones), p.park)
    level = zone.level if zone else None
    intensity = needs.total_investment / p.area_mu if p.area_mu else None
    found = [
        _indicator("investment_intensity", intensity, rules, needs, level,
                   p.std_investment_intensity, "wan_yuan_per_mu"),
        _indicator("plot_ratio", project_plot_ratio(needs, p), rules, needs, level,
                   p.std_plot_ratio_min, None),
        _indicator("building_coefficient", needs.building_coefficient, rules, needs, level,
                   p.std_building_coefficient, "percent"),
        _indicator("office_share", needs.office_share, rules, needs, level, None, "percent"),
        _indicator("green_ratio", needs.green_ratio, rules, needs, level, None, "percent"),
    ]
    return [c for c in found if c is not None]


def check_parcel(needs: Needs, p: Facts, rules: RuleBook, zones: Mapping[str, Zone],
                 statuses: tuple[str, ...], distance: float | None) -> list[Check]:
    """Return every check of parcel ``p`` against ``needs``, in a fixed order."""
    checks = [_status(needs, p, statuses), _land_use(needs, p), _area(needs, p),
              _planning(needs, p), *_capacity(needs, p, zones), *_utilities(needs, p),
              _distance(needs, distance), *_indicators(needs, p, rules, zones)]
    return [c for c in checks if c is not None]
