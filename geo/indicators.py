"""Control indicators and zone capacities as data with provenance, read from data/."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from geo.areas import M2_PER_MU
from geo.county import DATA_DIR, load_county

INDICATORS_DIR = DATA_DIR / "indicators"
POLLUTANTS = ("so2", "nox", "pm", "voc", "cod", "nh3n")
WATER_POLLUTANTS = ("cod", "nh3n")
# 1 公顷 = 15 亩, so 万元/公顷 ÷ 15 = 万元/亩 (docs/domain.md, 2008 application notes).
MU_PER_HA = 10000 / M2_PER_MU


@dataclass(frozen=True)
class Rule:
    """One threshold of a control-indicator table, and where it comes from."""

    indicator: str  # plot_ratio | building_coefficient | office_share | green_ratio | …
    op: str  # "min" (value must reach it) or "max" (value must not pass it)
    value: float  # in the indicator's unit (万元/亩 for investment intensity)
    unit: str
    industry: str = "*"
    region_class: str = "*"
    zone_level: str = "*"
    edition: str = ""
    effective_date: str = ""
    source: str = ""
    confirmed: bool = False
    rule_set: str = ""
    note: str = ""

    def cite(self) -> str:
        """Return the rule's source as a report shows it: source, edition, effective date."""
        return f"{self.source}（{self.edition}，{self.effective_date}）"

    def passes(self, value: float) -> bool:
        """Return True when ``value`` meets the rule (equal passes)."""
        return value >= self.value if self.op == "min" else value <= self.value


@dataclass(frozen=True)
class RuleBook:
    """Every rule of the rule sets in data/indicators/, one file per rule set."""

    rules: tuple[Rule, ...]
    rule_sets: tuple[str, ...] = field(default=())
    # Matching asks the same few questions for every parcel: remember the answers.
    _memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def applicable(self, indicator: str, industry: str | None, region_class: str | None,
                   zone_level: str | None) -> list[Rule]:
        """Return the rules of ``indicator`` that cover this industry, region and zone."""
        division = (industry or "")[:2]
        return [r for r in self.rules if r.indicator == indicator
                and r.industry in ("*", division)
                and r.region_class in ("*", region_class or "")
                and r.zone_level in ("*", zone_level or "")]

    def strictest(self, indicator: str, industry: str | None, region_class: str | None = None,
                  zone_level: str | None = None) -> Rule | None:
        """Return the strictest applicable rule (highest minimum, lowest maximum), or None.

        >>> book = load_rules()
        >>> book.strictest("plot_ratio", "25").value
        0.5
        >>> round(book.strictest("investment_intensity", "39", "7").value, 2)
        29.33
        >>> book.strictest("investment_intensity", "39", "7", "provincial").value
        200.0
        """
        key = (indicator, (industry or "")[:2], region_class, zone_level)
        if key not in self._memo:
            rules = self.applicable(indicator, industry, region_class, zone_level)
            self._memo[key] = None if not rules else (
                max(rules, key=lambda r: r.value) if rules[0].op == "min"
                else min(rules, key=lambda r: r.value))
        return self._memo[key]


def _rule(row: dict[str, str], rule_set: str) -> Rule:
    value, unit = float(row["value"]), row["unit"]
    if unit == "wan_yuan_per_ha":
        value, unit = value / MU_PER_HA, "wan_yuan_per_mu"
    return Rule(
        indicator=row["indicator"], op=row["op"], value=value, unit=unit,
        industry=row["industry"] or "*", region_class=row["region_class"] or "*",
        zone_level=row["zone_level"] or "*", edition=row["edition"],
        effective_date=row["effective_date"], source=row["source"],
        confirmed=row["confirmed"].strip().lower() in ("yes", "true", "1", "是"),
        rule_set=rule_set, note=row.get("note", ""),
    )


@cache
def load_rules(folder: Path = INDICATORS_DIR) -> RuleBook:
    """Return the rules of every ``*.csv`` rule set in ``folder``."""
    rules: list[Rule] = []
    names = []
    for path in sorted(Path(folder).glob("*.csv")):
        names.append(path.stem)
        with open(path, encoding="utf-8", newline="") as f:
            rules += [_rule(row, path.stem) for row in csv.DictReader(f)]
    return RuleBook(tuple(rules), tuple(names))


@dataclass(frozen=True)
class Zone:
    """A park or the rest of the county: its level, region class and remaining quotas (t/yr)."""

    name: str
    level: str
    region_class: str
    remaining: dict[str, float]
    as_of: str
    source: str
    confirmed: bool
    # 倍量替代: t of quota taken per t emitted, where the air (or water) misses its standard.
    air_offset: float = 1.0
    water_offset: float = 1.0

    def offset(self, pollutant: str) -> float:
        """Return the tonnes of quota one tonne of ``pollutant`` takes in this zone."""
        return self.water_offset if pollutant in WATER_POLLUTANTS else self.air_offset

    def cite(self) -> str:
        """Return where the quota figures come from, and their date."""
        return f"{self.source}（{self.as_of}）"


REST_OF_COUNTY = "*"


@cache
def load_zones(county_code: str) -> dict[str, Zone]:
    """Return the county's zones by park name; ``"*"`` is the land outside every park.

    A park's level (national, provincial, county) is the county's parks.geojson's.

    >>> load_zones("141023")["襄汾经济技术开发区"].level
    'provincial'
    """
    county = load_county(county_code)
    levels = {f["properties"]["name"]: f["properties"].get("level", "")
              for f in county.geojson("parks")["features"]}
    path = county.folder / "zones.csv"
    zones: dict[str, Zone] = {}
    if not path.exists():
        return zones
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            remaining = {p: float(row[f"{p}_t"]) for p in POLLUTANTS if row.get(f"{p}_t")}
            zones[row["zone"]] = Zone(
                name=row["zone"], level=levels.get(row["zone"], "none"),
                region_class=row["region_class"], remaining=remaining, as_of=row["as_of"],
                source=row["source"], confirmed=row["confirmed"].strip().lower() == "yes",
                air_offset=float(row.get("air_offset_ratio") or 1),
                water_offset=float(row.get("water_offset_ratio") or 1),
            )
    return zones


def zone_of(zones: dict[str, Zone], park: str | None) -> Zone | None:
    """Return the zone a parcel in ``park`` (None: outside every park) belongs to."""
    if park and park in zones:
        return zones[park]
    return zones.get(REST_OF_COUNTY)
