"""The layers' search filters, defined once: their names, how a query is read, their SQL.

The API, OGC API, exports, the idle-land page and the map's filter panel all read a layer's
filters through ``parse_filters`` and turn them into conditions through ``conditions``; the
OpenAPI document and the OGC queryables describe the same names (``RANGES``, ``SEARCH``,
``LAND_USE_CLASS``). Add a filter here and every reader has it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from geo.areas import M2_PER_MU
from geo.errors import N_, GeoError
from geo.fields import get_field
from geo.models import Parcel, Project, project_parcels
from geo.reference import land_use_codes
from geo.supply import offerable_clause

OFFERABLE = "offerable"  # the parcel layers' filter on the one offerable rule (geo/supply.py)
OFFERABLE_VALUES = ("true", "false", "1", "0")
SEARCH = "q"  # words in a code, name, holder (权利人) or project name
SEARCH_MAX = 100
LAND_USE_CLASS = "land_use_class"  # a class of land-use codes (data/landuse_codes.csv)


@dataclass(frozen=True)
class Range:
    """A numeric range filter: ``<name>_min`` and ``<name>_max`` on one parcel column."""

    name: str
    column: str
    factor: float = 1.0  # the query's unit times factor is the column's unit
    field: str = ""  # the data-dictionary field whose label names it

    def params(self) -> tuple[str, str]:
        """Return the two query parameter names."""
        return f"{self.name}_min", f"{self.name}_max"


# Area is asked in 亩 and stored in m² (docs/domain.md: 1 亩 = 10000/15 m²).
RANGES = {
    "area_mu": Range("area_mu", "area_m2", M2_PER_MU, "area_m2"),
    "price": Range("price", "price", 1.0, "price"),
    "power_kva": Range("power_kva", "power_kva", 1.0, "power_kva"),
    "water_t_per_day": Range("water_t_per_day", "water_t_per_day", 1.0, "water_t_per_day"),
}
PARCEL_RANGES = tuple(RANGES)
# How an error names a filter that is not a dictionary field: (Chinese, English).
FILTER_LABELS = {
    "area_mu_min": ("面积下限（亩）", "Area, at least (mu)"),
    "area_mu_max": ("面积上限（亩）", "Area, at most (mu)"),
    "price_min": ("出让底价下限（万元/亩）", "Land price, at least (10k yuan/mu)"),
    "price_max": ("出让底价上限（万元/亩）", "Land price, at most (10k yuan/mu)"),
    "power_kva_min": ("可供电力下限（千伏安）", "Power available, at least (kVA)"),
    "power_kva_max": ("可供电力上限（千伏安）", "Power available, at most (kVA)"),
    "water_t_per_day_min": ("可供水量下限（吨/日）", "Water available, at least (t/day)"),
    "water_t_per_day_max": ("可供水量上限（吨/日）", "Water available, at most (t/day)"),
    SEARCH: ("查找内容", "Search words"),
    LAND_USE_CLASS: ("用地类别", "Land-use class"),
}


def filter_label(name: str, lang: str = "zh") -> str | None:
    """Return a filter's label in ``lang`` (None for a dictionary field's name).

    >>> filter_label("area_mu_min")
    '面积下限（亩）'
    """
    label = FILTER_LABELS.get(name)
    return None if label is None else label[1 if lang == "en" else 0]


def land_use_classes() -> dict[str, dict[str, list[str]]]:
    """Return each land-use class (geo.fields.LAND_CLASSES) with its codes, by code system.

    A code means different land in different systems (docs/domain.md "Land-use codes"), so a
    class is a set of (system, code); ``industrial`` also holds the codes of its three classes
    (industrial1 …), as in matching.

    >>> classes = land_use_classes()["industrial"]
    >>> "1001" in classes["ydyh2023"], "1001" in classes.get("gbt21010", [])
    (True, False)
    """
    classes: dict[str, dict[str, list[str]]] = {}
    for code in land_use_codes().values():
        for klass in {code.klass, re.sub(r"\d+$", "", code.klass)} - {""}:
            classes.setdefault(klass, {}).setdefault(code.system, []).append(code.code)
    return classes


def land_use_condition(model, classes: list[str]) -> ColumnElement[bool]:
    """Return "the use that matching reads (planned, else current) is in one of ``classes``"."""
    known = land_use_classes()
    by_system: dict[str, set[str]] = {}
    for klass in classes:
        for system, codes in known.get(klass, {}).items():
            by_system.setdefault(system, set()).update(codes)

    def use_in(code_column, system_column) -> ColumnElement[bool]:
        return or_(*[and_(system_column == system, code_column.in_(sorted(codes)))
                     for system, codes in by_system.items()], false())

    return or_(and_(model.planned_use.is_not(None),
                    use_in(model.planned_use, model.planned_use_system)),
               and_(model.planned_use.is_(None), use_in(model.land_use, model.land_use_system)))


def _number(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise GeoError(N_("%(field)s must be a number."), field=name)
    if value < 0:
        raise GeoError(N_("%(field)s must be %(min)s or more."), field=name, min=0)
    return value


def parse_filters(layer, args: Mapping[str, str]) -> dict[str, list[str]]:
    """Return the ``layer``'s filters found in ``args``; comma-separated values mean "any of".

    Choice fields accept their Chinese or English labels too (状态=闲置未处置). The parcel
    layers also take ``offerable=true|false`` (land that can, or cannot, be offered now),
    ``land_use_class``, and ranges such as ``area_mu_min``/``area_mu_max`` (亩); every layer
    takes ``q``, words to look for.

    >>> from geo.features import LAYERS
    >>> parse_filters(LAYERS["idle"], {"town": "新城镇", "area_mu_min": "30"})
    {'town': ['新城镇'], 'area_mu_min': ['30.0']}
    """
    entity = "project" if layer.entity == "project" else "parcel"
    filters: dict[str, list[str]] = {}
    for name in layer.filters:
        raw = args.get(name)
        if not raw:
            continue
        field = get_field(entity, name)
        values = [v.strip() for v in raw.split(",") if v.strip()]
        filters[name] = [str(field.clean(v)) for v in values]
    for rng in layer.ranges:
        low, high = (RANGES[rng].params())
        for param in (low, high):
            raw = (args.get(param) or "").strip()
            if raw:
                filters[param] = [str(_number(param, raw))]
        # A minimum above the maximum selects nothing, as in SQL: not an error (the OpenAPI
        # document cannot say "min before max", and a request it allows must not be refused).
    text = (args.get(SEARCH) or "").strip()
    if text:
        if len(text) > SEARCH_MAX or "\x00" in text:
            raise GeoError(N_("%(field)s must be at most %(max)s characters."), field=SEARCH,
                           max=SEARCH_MAX)
        filters[SEARCH] = [text]
    if entity == "parcel" and args.get(LAND_USE_CLASS):
        values = [v.strip() for v in args[LAND_USE_CLASS].split(",") if v.strip()]
        unknown = [v for v in values if v not in land_use_classes()]
        if unknown:
            raise GeoError(N_("Unknown %(field)s %(value)s; use one of: %(choices)s."),
                           field=LAND_USE_CLASS, value=unknown[0],
                           choices=", ".join(sorted(land_use_classes())))
        filters[LAND_USE_CLASS] = values
    if entity == "parcel" and args.get(OFFERABLE):
        raw = args[OFFERABLE].strip().lower()
        if raw not in OFFERABLE_VALUES:
            raise GeoError(N_("%(field)s must be true or false."), field=OFFERABLE)
        filters[OFFERABLE] = ["true" if raw in ("true", "1") else "false"]
    return filters


def _search(model, text: str) -> ColumnElement[bool]:
    """Return "``text`` is in a code, name, holder or project name" for ``model``'s rows."""
    def has(column):
        return column.icontains(text, autoescape=True)

    if model is Parcel:
        # The projects that hold the parcel, as main site or one of several.
        held = select(Project.id).where(
            Project.deleted_at.is_(None), or_(has(Project.name), has(Project.code)),
            or_(Project.parcel_id == Parcel.id, exists().where(
                project_parcels.c.project_id == Project.id,
                project_parcels.c.parcel_id == Parcel.id).correlate_except(project_parcels)))
        return or_(has(Parcel.code), has(Parcel.name), has(Parcel.holder), exists(held))
    # An alias: the sites query joins parcels already, which would swallow the subquery's.
    land = aliased(Parcel)
    site = select(land.id).where(land.id == Project.parcel_id,
                                 or_(has(land.code), has(land.holder)))
    return or_(has(Project.code), has(Project.name), exists(site))


def conditions(model, filters: Mapping[str, list[str]],
               statuses) -> list[ColumnElement[bool]]:
    """Return the SQL conditions of ``filters`` (from ``parse_filters``) on ``model``.

    ``offerable`` asks the one offerable rule (geo/supply.py) with these offerable
    ``statuses``; any other name is a column whose value is one of the given.
    """
    out: list[ColumnElement[bool]] = []
    by_param = {p: (r, i) for r in RANGES.values() for i, p in enumerate(r.params())}
    for name, values in filters.items():
        if name == OFFERABLE:
            clause = offerable_clause(statuses)
            out.append(clause if values == ["true"] else ~clause)
        elif name == SEARCH:
            out.append(_search(model, values[0]))
        elif name == LAND_USE_CLASS:
            out.append(land_use_condition(model, values))
        elif name in by_param:
            rng, is_max = by_param[name]
            column = getattr(model, rng.column)
            bound = float(values[0]) * rng.factor
            out.append(column <= bound if is_max else column >= bound)
        else:
            out.append(getattr(model, name).in_(values))
    return out
