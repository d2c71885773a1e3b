"""Control indicators and zone capacities as data with provenance, read from data/."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from geo.areas import M2_PER_MU
from geo.county import DATA_DIR, load_county

INDICATORS_DIR = DATA_DIR / "indicators"
LAND_GRADE_CLASSES = DATA_DIR / "land_grade_classes.csv"
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
    industry: str = "*"  # a GB/T 4754-2017 code prefix (division, group, …) or "*"
    region_class: str = "*"
    zone_level: str = "*"
    edition: str = ""
    document: str = ""
    region: str = "CN"  # CN: national; else an administrative code prefix ("14": Shanxi)
    effective_from: str = ""  # ISO date; "" when not known
    effective_to: str = ""  # ISO date, last day in force; "" while in force
    scope: str = ""  # GB/T 4754 divisions it is written for, "13-43"; "" for every project
    source: str = ""
    confirmed: bool = False
    rule_set: str = ""
    note: str = ""

    def cite(self) -> str:
        """Return the rule's source as a report shows it: source, edition, dates in force."""
        edition = f"{self.edition}版" if self.edition.isdigit() else self.edition
        span = (f"{self.effective_from}起" if self.effective_from else "生效日期未知") + (
            f"至{self.effective_to}" if self.effective_to else "")
        return f"{self.source}（{edition}，{span}）"

    def passes(self, value: float) -> bool:
        """Return True when ``value`` meets the rule (equal passes)."""
        return value >= self.value if self.op == "min" else value <= self.value

    def in_force(self, on: dt.date) -> bool:
        """Return True when the rule is in force on ``on``; an unknown start counts as in force.

        A rule without a known start is never confirmed, so it can only warn (docs/domain.md).
        """
        day = on.isoformat()
        return ((not self.effective_from or self.effective_from <= day)
                and (not self.effective_to or day <= self.effective_to))

    def covers_region(self, county_code: str | None) -> bool:
        """Return True when the rule's region contains the county (None: every region)."""
        return county_code is None or self.region == "CN" or county_code.startswith(self.region)

    def in_scope(self, industry: str | None) -> bool:
        """Return True when the rule is written for projects of ``industry`` (its division)."""
        if not self.scope:
            return True
        division = (industry or "")[:2]
        low, _, high = self.scope.partition("-")
        return division.isdigit() and int(low) <= int(division) <= int(high or low)

    def fits_industry(self, industry: str | None) -> bool:
        """Return True when the rule's industry code is a prefix of the project's."""
        return self.industry == "*" or (industry or "").startswith(self.industry)


@dataclass(frozen=True)
class RegionClass:
    """The investment-intensity region class (地区类别 1–7) of a county, from its land grade."""

    land_grade: int | None
    region_class: str | None
    confirmed: bool
    source: str


@dataclass(frozen=True)
class Verdict:
    """What the rules in force say of one value: the rule that decided, and how severely.

    ``severity`` is "ok" (passed), "error" (failed a confirmed rule: rejects) or "warning"
    (failed a rule that is not confirmed: informs, never rejects).
    """

    rule: Rule
    passed: bool
    severity: str
    confirmed: bool


def _strictest(rules: list[Rule]) -> Rule | None:
    if not rules:
        return None
    return (max(rules, key=lambda r: r.value) if rules[0].op == "min"
            else min(rules, key=lambda r: r.value))


@dataclass(frozen=True)
class RuleBook:
    """The rules of the rule sets in data/indicators/, as in force on a date in a county."""

    rules: tuple[Rule, ...]
    rule_sets: tuple[str, ...] = field(default=())
    on: dt.date | None = None  # None: today
    county: str | None = None  # None: rules of every region
    region: RegionClass | None = None
    # Matching asks the same few questions for every parcel: remember the answers.
    _memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def date(self) -> dt.date:
        """Return the date the rules are taken on (today unless set)."""
        return self.on or dt.date.today()

    def where(self, on: dt.date | None = None, county_code: str | None = None) -> RuleBook:
        """Return the book as in force on ``on`` (today) in county ``county_code``.

        >>> book = load_rules().where(dt.date(2022, 6, 1), "141023")
        >>> book.judge("plot_ratio", "39", None, 0.9).rule.edition
        '2008'
        """
        region = region_class_of(county_code) if county_code else None
        return RuleBook(self.rules, self.rule_sets, on, county_code, region)

    def in_force(self) -> list[Rule]:
        """Return the rules in force on the book's date in its county."""
        key = ("in_force",)
        if key not in self._memo:
            self._memo[key] = [r for r in self.rules
                               if r.in_force(self.date) and r.covers_region(self.county)]
        return self._memo[key]

    def sets_in_force(self) -> tuple[str, ...]:
        """Return the names of the rule sets with a rule in force (the book's date, county)."""
        return tuple(sorted({r.rule_set for r in self.in_force()}))

    def covers(self, industry: str | None) -> bool:
        """Return True when some rule in force is written for projects of ``industry``."""
        return any(r.in_scope(industry) for r in self.in_force())

    def firm(self, rule: Rule) -> bool:
        """Return True when ``rule`` may reject: confirmed, and so is the region class it needs."""
        if rule.region_class == "*":
            return rule.confirmed
        return rule.confirmed and bool(self.region and self.region.confirmed)

    def applicable(self, indicator: str, industry: str | None,
                   zone_level: str | None = None) -> list[Rule]:
        """Return, per rule set, the most specific rule of ``indicator`` for this project.

        Only rules in force, for the county's region and region class, written for the
        project's industry (scope) count.
        """
        key = (indicator, industry, zone_level)
        if key not in self._memo:
            klass = self.region.region_class if self.region else None
            found: dict[str, Rule] = {}
            for r in self.in_force():
                if (r.indicator == indicator and r.in_scope(industry) and r.fits_industry(industry)
                        and r.region_class in ("*", klass or "")
                        and r.zone_level in ("*", zone_level or "")):
                    best = found.get(r.rule_set)
                    if best is None or len(r.industry.strip("*")) > len(best.industry.strip("*")):
                        found[r.rule_set] = r
            self._memo[key] = [found[k] for k in sorted(found)]
        return self._memo[key]

    def judge(self, indicator: str, industry: str | None, zone_level: str | None,
              value: float) -> Verdict | None:
        """Return the verdict of the rules in force on ``value``, or None when none applies.

        The strictest confirmed rule decides; a rule that is not confirmed only warns.

        >>> book = load_rules().where(dt.date(2022, 6, 1))
        >>> v = book.judge("plot_ratio", "39", None, 0.9)
        >>> v.passed, v.severity, v.rule.value
        (False, 'error', 1.0)
        """
        rules = self.applicable(indicator, industry, zone_level)
        if not rules:
            return None
        decisive = _strictest([r for r in rules if self.firm(r)])
        if decisive is not None and not decisive.passes(value):
            return Verdict(decisive, False, "error", True)
        failing = _strictest([r for r in rules if not self.firm(r) and not r.passes(value)])
        if failing is not None:
            return Verdict(failing, False, "warning", False)
        if decisive is not None:
            return Verdict(decisive, True, "ok", True)
        return Verdict(_strictest([r for r in rules if not self.firm(r)]), True, "ok", False)


def _rule(row: dict[str, str], rule_set: str) -> Rule:
    value, unit = float(row["value"]), row["unit"]
    if unit == "wan_yuan_per_ha":
        value, unit = value / MU_PER_HA, "wan_yuan_per_mu"
    return Rule(
        indicator=row["indicator"], op=row["op"], value=value, unit=unit,
        industry=row["industry"] or "*", region_class=row["region_class"] or "*",
        zone_level=row["zone_level"] or "*", edition=row["edition"],
        document=row["document"], region=row["region"] or "CN",
        effective_from=row["effective_from"], effective_to=row["effective_to"],
        scope=row["scope"], source=row["source"], confirmed=_yes(row["confirmed"]),
        rule_set=rule_set, note=row.get("note", ""),
    )


def _yes(text: str | None) -> bool:
    return (text or "").strip().lower() in ("yes", "true", "1", "是")


@cache
def load_rules(folder: Path = INDICATORS_DIR) -> RuleBook:
    """Return the rules of every ``*.csv`` rule set in ``folder`` (every date, every region)."""
    rules: list[Rule] = []
    names = []
    for path in sorted(Path(folder).glob("*.csv")):
        names.append(path.stem)
        with open(path, encoding="utf-8", newline="") as f:
            rules += [_rule(row, path.stem) for row in csv.DictReader(f)]
    return RuleBook(tuple(rules), tuple(names))


@cache
def land_grade_classes(path: Path = LAND_GRADE_CLASSES) -> dict[int, tuple[str, bool, str]]:
    """Return 土地等别 → (地区类别, confirmed, source) from data/land_grade_classes.csv."""
    with open(path, encoding="utf-8", newline="") as f:
        return {int(r["land_grade"]): (r["region_class"], _yes(r["confirmed"]), r["source"])
                for r in csv.DictReader(f)}


@cache
def region_class_of(county_code: str) -> RegionClass:
    """Return the county's region class, from the land grade in its county.json.

    An unknown grade gives an unknown class; the class is confirmed only when both the
    county's grade and the grade→class table are.

    >>> region_class_of("141023").region_class is None
    True
    """
    settings = load_county(county_code).settings
    grade = settings.get("land_grade")
    if grade in (None, ""):
        return RegionClass(None, None, False, settings.get("land_grade_source", ""))
    klass, confirmed, source = land_grade_classes().get(int(grade), (None, False, ""))
    return RegionClass(int(grade), klass, confirmed and bool(settings.get("land_grade_confirmed")),
                       source)


@dataclass(frozen=True)
class Zone:
    """A park or the rest of the county: its level, region class and remaining quotas (t/yr)."""

    name: str
    level: str
    region_class: str  # not used by matching: the class comes from the county's land grade
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
