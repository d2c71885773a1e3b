"""Closest misses: parcels that fail one check of a project's needs, and what to relax.

When a match finds too few parcels, the officer needs the next step, not a dead end: the
parcels that fail a single check the project itself could change (its minimum area, its
distance, its gas …), and for each such check the value that would let some of them in.
A failure the project cannot change (the parcel's status, its land use) is no near miss.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from geo.areas import M2_PER_MU
from geo.checks import Check
from geo.needs import Needs

LOWER, RAISE, DROP = "lower", "raise", "drop"
# Checks whose threshold is a project's own value of the same name (geo/checks.py).
_OWN_VALUE = ("building_coefficient", "office_share", "green_ratio")


@dataclass(frozen=True)
class Relaxation:
    """A change to one needs field that makes one failed check pass.

    ``direction`` is "lower", "raise" or "drop" (no longer require it); ``to`` is the new
    value, rounded so that it still lets the parcel in (None for "drop").
    """

    check: str
    field: str
    direction: str
    to: float | None = None
    was: float | None = None  # the needs' value now

    @property
    def gap(self) -> float:
        """Return how far the change goes, as a share of the value now (0 for "drop").

        >>> Relaxation("area", "area_min_mu", "lower", 400.0, 500.0).gap
        0.2
        """
        if self.to is None or not self.was:
            return 0.0
        return abs(self.was - self.to) / abs(self.was)


@dataclass(frozen=True)
class Suggestion:
    """One relaxation and how many of the near-miss parcels it lets in."""

    relax: Relaxation
    parcels: int


def _rounded(value: float, direction: str) -> float:
    """Round ``value`` outward, whole numbers from 10 up, else two decimals.

    >>> _rounded(31.46, "lower"), _rounded(2.3411, "raise"), _rounded(1250.2, "raise")
    (31.0, 2.35, 1251.0)
    """
    digits = 0 if abs(value) >= 10 else 2
    scale = 10 ** digits
    step = math.floor if direction == LOWER else math.ceil
    return step(round(value * scale, 6)) / scale


def _move(check: str, field: str, need: float | None, to: float) -> Relaxation | None:
    if need is None:
        return None
    direction = LOWER if to < need else RAISE
    return Relaxation(check, field, direction, _rounded(to, direction), float(need))


def relaxation(check: Check, needs: Needs, area_m2: float) -> Relaxation | None:
    """Return the change to ``needs`` that makes the failed ``check`` pass, if the project
    can make one; None for the parcel's own facts (status, land use, a missing supply).

    >>> from geo.checks import Check
    >>> needs = Needs(industry="35", land_class="industrial2", total_investment=9000,
    ...               area_min_mu=50)
    >>> area = Check("area", False, 31.46, [50, None], "mu", "", "", {"below": True})
    >>> relaxation(area, needs, 20974)
    Relaxation(check='area', field='area_min_mu', direction='lower', to=31.0, was=50.0)
    """
    name, value, threshold = check.name, check.value, check.threshold
    if name == "area" and not needs.wants_factory:
        if check.params.get("below"):
            return _move(name, "area_min_mu", needs.area_min_mu, float(value))
        return _move(name, "area_max_mu", needs.area_max_mu, float(value))
    if name == "distance":
        return _move(name, "max_distance_km", needs.max_distance_km, float(value))
    if name in ("power", "water") and value:
        field = "power_kva" if name == "power" else "water_t_per_day"
        return _move(name, field, getattr(needs, field), float(value))
    if name in ("gas", "rail"):
        return Relaxation(name, name, DROP)
    if name.startswith("capacity_") and threshold:
        pollutant = name.removeprefix("capacity_")
        return _move(name, f"emission_{pollutant}", needs.emissions.get(pollutant),
                     float(threshold))
    if name == "investment_intensity" and threshold is not None and value is not None \
            and value < threshold:
        # The intensity is the investment per 亩 of this parcel: the investment must grow.
        return _move(name, "total_investment", needs.total_investment,
                     float(threshold) * area_m2 / M2_PER_MU)
    if name in ("plot_ratio", "planning_plot_ratio") and value is not None:
        low, high = threshold if isinstance(threshold, list) else (threshold, None)
        target = low if low is not None and value < low else high
        if target is None:
            return None
        if needs.floor_area_m2 is not None:
            return _move(name, "floor_area_m2", needs.floor_area_m2, float(target) * area_m2)
        return _move(name, "plot_ratio", needs.plot_ratio, float(target))
    if name in _OWN_VALUE and threshold is not None:
        return _move(name, name, getattr(needs, name), float(threshold))
    return None


def admits(relax: Relaxation, other: Relaxation) -> bool:
    """Return True when needs relaxed by ``relax`` also let in the parcel that needs ``other``."""
    if relax.field != other.field or relax.direction != other.direction:
        return False
    if relax.direction == DROP:
        return True
    if relax.direction == LOWER:
        return relax.to <= other.to
    return relax.to >= other.to


def suggestions(relaxations: Iterable[Relaxation], reach: int) -> list[Suggestion]:
    """Return, per needs field, the relaxation that lets in the ``reach`` closest parcels
    (or all of them, when fewer), with how many it lets in; most parcels first.

    >>> found = [Relaxation("area", "area_min_mu", "lower", v) for v in (31.0, 45.0, 12.0)]
    >>> [(s.relax.to, s.parcels) for s in suggestions(found, 2)]
    [(31.0, 2)]
    """
    groups: dict[tuple[str, str], list[Relaxation]] = {}
    for r in relaxations:
        groups.setdefault((r.field, r.direction), []).append(r)
    found = []
    for group in groups.values():
        closest = sorted(group, key=lambda r: 0 if r.to is None else
                         -r.to if r.direction == LOWER else r.to)
        pick = closest[min(reach, len(closest)) - 1]
        found.append(Suggestion(pick, sum(1 for r in group if admits(pick, r))))
    return sorted(found, key=lambda s: (-s.parcels, s.relax.field))
