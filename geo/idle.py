"""Idle-land follow-up (令53): disposal deadlines, overdue alerts, candidates for idle status.

Rules, per 闲置土地处置办法 (国土资源部令第53号, DOMAIN.md):

- an idle parcel not yet disposed whose disposal deadline has passed is overdue since the day
  after the deadline;
- an idle parcel idle by the user's fault, not yet disposed, may be taken back without
  compensation two years after the agreed start, that is one year after it became idle
  (``idle_since``): from then it is flagged ``recovery_due``;
- any other parcel whose agreed start date (``agreed_start``) is more than
  ``idle_candidate_after_days`` (one year) past without an actual start is a candidate for
  idle status, since the day that year ran out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.areas import m2_to_mu
from geo.categories import Alert, Rules
from geo.models import Parcel

OPEN = ("idle", "disposing")


def one_year_after(date: dt.date) -> dt.date:
    """Return the same day one year later (28 February for 29 February).

    >>> one_year_after(dt.date(2024, 2, 29))
    datetime.date(2025, 2, 28)
    """
    try:
        return date.replace(year=date.year + 1)
    except ValueError:
        return date.replace(year=date.year + 1, day=28)


def idle_alerts(session: Session, on: dt.date, rules: Rules) -> list[Alert]:
    """Return the idle-land alerts on day ``on``, most overdue first."""
    alerts: list[Alert] = []
    for p in session.scalars(select(Parcel).where(Parcel.layer == "idle",
                                                  Parcel.status.in_(OPEN))):
        if p.disposal_deadline is not None and p.disposal_deadline < on:
            since = p.disposal_deadline + dt.timedelta(days=1)
            alerts.append(Alert("disposal_overdue", p.code, p.name or "", "disposal_deadline",
                                since, (on - since).days + 1))
        if p.idle_cause == "user" and p.idle_since is not None:
            due = one_year_after(p.idle_since)
            if due <= on:
                alerts.append(Alert("recovery_due", p.code, p.name or "", "idle_since", due,
                                    (on - due).days + 1))
    candidates = select(Parcel).where(Parcel.layer != "idle", Parcel.agreed_start.is_not(None),
                                      Parcel.actual_start.is_(None))
    for p in session.scalars(candidates):
        since = p.agreed_start + dt.timedelta(days=rules.idle_candidate_after_days)
        if since < on:
            alerts.append(Alert("idle_candidate", p.code, p.name or "", "agreed_start", since,
                                (on - since).days))
    return sorted(alerts, key=lambda a: (-a.days, a.code))


def disposal_progress(session: Session) -> dict[str, dict[str, float]]:
    """Return idle parcels by status: how many and how many 亩 (idle, disposing, disposed)."""
    count: Counter[str] = Counter()
    area: Counter[str] = Counter()
    for status, area_m2 in session.execute(
            select(Parcel.status, Parcel.area_m2).where(Parcel.layer == "idle")):
        count[status] += 1
        area[status] += m2_to_mu(area_m2)
    return {s: {"count": count[s], "area_mu": round(area[s], 2)}
            for s in ("idle", "disposing", "disposed")}
