"""Reference tables shipped in data/: land-use codes of the three systems, industry codes."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from geo.county import DATA_DIR


@dataclass(frozen=True)
class Code:
    """One code of a reference table, with its names and (for land use) its class."""

    code: str
    zh: str
    en: str
    system: str = ""
    klass: str = ""

    def label(self, lang: str = "zh") -> str:
        """Return "code name" in ``lang``."""
        return f"{self.code} {self.en if lang == 'en' else self.zh}"


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# One table per land-use code system (docs/domain.md "Land-use codes"): the same code means
# different things in different systems, so every lookup names its system.
LAND_USE_FILES = {
    "gbt21010": "landuse/gbt21010-2017.csv",
    "sandiao": "landuse/sandiao.csv",
    "ydyh2023": "landuse/ydyh-2023.csv",
}


@cache
def land_use_codes() -> dict[tuple[str, str], Code]:
    """Return the land-use codes of every system by (system, code).

    >>> land_use_codes()[("ydyh2023", "1001")].zh, land_use_codes()[("gbt21010", "1001")].zh
    ('工业用地', '铁路用地')
    """
    return {(system, r["code"]): Code(r["code"], r["name_zh"], r["name_en"], system, r["class"])
            for system, name in LAND_USE_FILES.items() for r in _read(name)}


@cache
def land_use_names(system: str) -> dict[str, Code]:
    """Return one system's codes by their Chinese name (spaces left out).

    >>> land_use_names("sandiao")["工业用地"].code
    '0601'
    """
    return {c.zh.replace(" ", ""): c for (s, _), c in land_use_codes().items() if s == system}


@cache
def any_land_use_code() -> tuple[str, ...]:
    """Return every code of every system, sorted: what a land-use field accepts."""
    return tuple(sorted({code for _, code in land_use_codes()}))


# The parcel fields that hold such codes, and the field naming each one's system.
LAND_USE_FIELDS = {"land_use": "land_use_system", "planned_use": "planned_use_system"}


def land_use(system: str | None, code: str | None) -> Code | None:
    """Return the code ``code`` of ``system``, or None when either is missing or unknown."""
    return land_use_codes().get((system or "", code or ""))


@cache
def industry_codes() -> dict[str, Code]:
    """Return the GB/T 4754-2017 industry divisions by two-digit code.

    >>> industry_codes()["25"].zh
    '石油、煤炭及其他燃料加工业'
    """
    return {r["code"]: Code(r["code"], r["name_zh"], r["name_en"])
            for r in _read("industries.csv")}
