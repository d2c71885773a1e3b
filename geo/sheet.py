"""The printable parcel sheet (推介单): a parcel's attributes, its checks and whom to call."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from shapely.geometry import shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.checks import Check
from geo.county import load_county
from geo.match_query import explain_parcel, parcel_feature
from geo.matching import Settings
from geo.models import Parcel
from geo.register import backend_for
from geo.supply import Availability, parcel_availability

# How far around the parcel its location map reaches, as a share of the parcel's own size,
# and at least this many degrees (about 500 m), so a small parcel still shows its street.
NEIGHBOURHOOD = 1.5
NEIGHBOURHOOD_MIN_DEG = 0.005


@dataclass(frozen=True)
class Issue:
    """Who issues a sheet, when, and under which number (the county's configuration)."""

    unit: str
    date: dt.date
    number: str
    contact: dict[str, str] = field(default_factory=dict)


@dataclass
class Sheet:
    """What a parcel sheet shows: the feature, whether it can be offered, the checks (when
    needs are given), contacts."""

    feature: dict
    availability: Availability
    checks: list[Check] | None
    contacts: list[dict[str, str]]
    issue: Issue | None = None
    neighbours: list[dict] = field(default_factory=list)  # GeoJSON Features around it


def parcel_card(session: Session, code: str) -> tuple[dict, Availability]:
    """Return one parcel as a GeoJSON Feature and whether it can be offered; NotFound if none."""
    feature = parcel_feature(session, code)
    parcel = session.scalars(select(Parcel).where(Parcel.code == code)).one()
    return feature, parcel_availability(session, parcel)


def contacts(county_code: str) -> list[dict[str, str]]:
    """Return the county's contacts for investors (data/county/<code>/contacts.csv)."""
    path = load_county(county_code).folder / "contacts.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def sheet_issue(county_code: str, code: str, on: dt.date) -> Issue:
    """Return who issues the sheet of parcel ``code`` on day ``on``, and its number.

    The unit comes from ``issuer`` in the county's ``county.json``, the contact from the first
    row of its ``contacts.csv``; the number is the parcel's code and the day, so a sheet
    printed again the same day keeps its number.

    >>> issue = sheet_issue("141023", "141023CL0012", dt.date(2026, 12, 6))
    >>> issue.unit, issue.number, issue.contact["person"]
    ('襄汾县自然资源局', 'TJ-141023CL0012-20261206', '张招商')
    """
    county = load_county(county_code)
    people = contacts(county_code)
    return Issue(str(county.settings.get("issuer") or county.name),
                 on, f"TJ-{code}-{on:%Y%m%d}", people[0] if people else {})


def neighbours(session: Session, feature: dict) -> list[dict]:
    """Return the parcels around ``feature`` (code, layer, status and outline) for its map."""
    minx, miny, maxx, maxy = shape(feature["geometry"]).bounds
    pad = max((maxx - minx) * NEIGHBOURHOOD, (maxy - miny) * NEIGHBOURHOOD,
              NEIGHBOURHOOD_MIN_DEG)
    box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    rows = session.execute(
        select(Parcel.code, Parcel.layer, Parcel.status, func.ST_AsGeoJSON(Parcel.geom, 7))
        .where(backend_for(session).bbox_filter(Parcel.geom, Parcel.id, box),
               Parcel.code != feature["id"])
    ).all()
    return [{"type": "Feature", "id": code, "geometry": json.loads(geom),
             "properties": {"code": code, "layer": layer, "status": status}}
            for code, layer, status, geom in rows]


def parcel_sheet(session: Session, code: str, raw_needs: Mapping[str, object] | None,
                 county_code: str, settings: Settings | None = None,
                 on: dt.date | None = None) -> Sheet:
    """Return the sheet of parcel ``code``; with needs, every check of it against them."""
    feature, found = parcel_card(session, code)
    checks = None
    if raw_needs:
        _facts, checks, feature = explain_parcel(session, raw_needs, code, county_code, settings)
    return Sheet(feature, found, checks, contacts(county_code),
                 sheet_issue(county_code, code, on or dt.date.today()),
                 neighbours(session, feature))
