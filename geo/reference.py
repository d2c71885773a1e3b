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


@cache
def land_use_codes() -> dict[str, Code]:
    """Return the land-use codes of 三调, 用地用海分类 (2023) and GB/T 21010-2017 by code.

    >>> land_use_codes()["100102"].klass
    'industrial2'
    """
    return {r["code"]: Code(r["code"], r["name_zh"], r["name_en"], r["system"], r["class"])
            for r in _read("landuse_codes.csv")}


@cache
def industry_codes() -> dict[str, Code]:
    """Return the GB/T 4754-2017 industry divisions by two-digit code.

    >>> industry_codes()["25"].zh
    '石油、煤炭及其他燃料加工业'
    """
    return {r["code"]: Code(r["code"], r["name_zh"], r["name_en"])
            for r in _read("industries.csv")}
