"""The file's own (registered) area: its unit, from the column header or the values, and how
far it is from the computed ellipsoidal area (docs/domain.md "Coordinates")."""

from __future__ import annotations

import math
import re
import statistics

from geo.areas import M2_PER_HA, M2_PER_MU
from geo.errors import N_
from geo.importer.shapes import pct

FACTORS = {"m2": 1.0, "mu": M2_PER_MU, "ha": M2_PER_HA}
UNIT_WORDS = {"m2": ("平方米", "m2", "m²", "㎡", "sqm"), "mu": ("亩", "mu"),
              "ha": ("公顷", "ha", "hm2", "hm²")}
UNIT_ZH = {"m2": "平方米", "mu": "亩", "ha": "公顷"}
_BRACKET = re.compile(r"[（(]\s*([^）)]*)\s*[）)]\s*$")
NOTE_HEADER = N_("Column %(column)s: registered areas in %(unit)s, as its header says.")
NOTE_VALUES = N_("Column %(column)s: registered areas in %(unit)s, told from the values (they "
                 "match the computed areas in that unit).")
NOTE_AGREE = N_("Column %(column)s: %(matched)s of %(total)s registered areas agree with the "
                "computed areas (tolerance %(tol)s%%).")
NOTE_UNKNOWN = N_("Column %(column)s: neither the header nor the values tell the unit of the "
                  "registered areas; they were read as 平方米. Name the unit in the header, "
                  "e.g. 面积（亩）.")


def header_unit(column: str) -> str | None:
    """Return the unit a column header names in brackets or at its end, or None.

    >>> header_unit("面积（亩）"), header_unit("MJ_HA"), header_unit("面积")
    ('mu', 'ha', None)
    """
    found = _BRACKET.search(column)
    tail = (found[1] if found else column).strip().lower()
    for unit, words in UNIT_WORDS.items():
        if tail in words or (not found and any(tail.endswith(w) for w in words if len(w) > 1
                                               and not w.isascii())):
            return unit
        if not found and any(tail.endswith("_" + w) for w in words if w.isascii()):
            return unit
    return None


def unit_from_values(pairs: list[tuple[float, float]]) -> str | None:
    """Return the unit in which the declared areas match the computed ones (m²), or None.

    The median ratio decides; the units are 666⅔ and 10,000 apart, far beyond any
    difference of planar and ellipsoidal areas (docs/domain.md: up to ~0.01 %).

    >>> unit_from_values([(72.9, 72.9 * 10000 / 15)])
    'mu'
    """
    ratios = [computed / declared for declared, computed in pairs if declared > 0 < computed]
    if not ratios:
        return None
    middle = statistics.median(ratios)
    unit, factor = min(FACTORS.items(), key=lambda u: abs(math.log(middle / u[1])))
    return unit if abs(middle / factor - 1) <= 0.1 else None


def check_area(declared: float, unit: str, computed_m2: float, tolerance: float, add) -> bool:
    """Warn when the registered area is off the ellipsoidal one by more than ``tolerance``,
    both in the registered area's unit; return whether it agrees."""
    computed = computed_m2 / FACTORS[unit]
    off = abs(declared - computed) / computed if computed else math.inf
    if off <= tolerance:
        return True
    add("registered_area", N_("The registered area %(declared)s %(unit)s differs from the "
                              "ellipsoidal area %(computed)s %(unit)s by %(pct)s%% "
                              "(tolerance %(tol)s%%)."), "warning",
        declared=f"{declared:g}", unit=UNIT_ZH[unit],
        computed=f"{computed:.{2 if unit == 'm2' else 4}f}", pct=pct(off),
        tol=f"{tolerance * 100:g}")
    return False
