"""The printable parcel sheet (推介单): a parcel's attributes, its checks and whom to call."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.checks import Check
from geo.county import load_county
from geo.match_query import explain_parcel, parcel_feature
from geo.matching import Settings
from geo.models import Parcel
from geo.supply import Availability, parcel_availability


@dataclass
class Sheet:
    """What a parcel sheet shows: the feature, whether it can be offered, the checks (when
    needs are given), contacts."""

    feature: dict
    availability: Availability
    checks: list[Check] | None
    contacts: list[dict[str, str]]


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


def parcel_sheet(session: Session, code: str, raw_needs: Mapping[str, object] | None,
                 county_code: str, settings: Settings | None = None) -> Sheet:
    """Return the sheet of parcel ``code``; with needs, every check of it against them."""
    feature, found = parcel_card(session, code)
    checks = None
    if raw_needs:
        _facts, checks, feature = explain_parcel(session, raw_needs, code, county_code, settings)
    return Sheet(feature, found, checks, contacts(county_code))
