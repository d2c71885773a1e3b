"""Idle-land follow-up (令53): the derived idle state, disposal deadlines, overdue alerts.

Rules, per 闲置土地处置办法 (国土资源部令第53号, docs/domain.md; the figures in
data/idle_law.json, applied by geo/idle_law.py):

- a parcel's idle state, the article it rests on, the fee and its amount and the recovery
  date derive from its supply contract (agreed start, actual start, stalled work, price);
- an idle parcel not yet disposed whose disposal deadline has passed is overdue since the day
  after the deadline;
- idle land not caused by the government, not yet disposed, may be taken back without
  compensation two years after the clock started: from then it is flagged ``recovery_due``;
- any other parcel that the contract makes idle is a candidate for idle status, since the
  day it became idle.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.areas import m2_to_mu
from geo.categories import Alert, Rules
from geo.features import LAYERS, layer_source
from geo.idle_law import Contract, IdleState, derive, years_after
from geo.models import Parcel
from geo.supply import IDLE_LIFE, Availability, availability, holders, offerable_statuses

OPEN = ("idle", "disposing")


def one_year_after(date: dt.date) -> dt.date:
    """Return the same day one year later (28 February for 29 February).

    >>> one_year_after(dt.date(2024, 2, 29))
    datetime.date(2025, 2, 28)
    """
    return years_after(date, 1)


@dataclass
class IdleLine:
    """An idle parcel in the disposal ledger: its derived 令53 state and what is overdue."""

    parcel: Parcel
    law: IdleState
    alerts: list[Alert]
    availability: Availability | None = None  # whether it can be offered (geo/supply.py)

    @property
    def fee_from(self) -> dt.date | None:
        """Return the day the idle-land fee may be levied (None: it may not)."""
        return self.law.fee_from

    @property
    def recovery_from(self) -> dt.date | None:
        """Return the day the land may be taken back without compensation (None: never)."""
        return self.law.recovery_from


def follow_up(p: Parcel, on: dt.date) -> IdleLine:
    """Return an idle parcel's derived 令53 state and its alerts on day ``on``."""
    law = derive(Contract.of(p), on)
    alerts = []
    if p.status in OPEN:
        if p.disposal_deadline is not None and p.disposal_deadline < on:
            since = p.disposal_deadline + dt.timedelta(days=1)
            alerts.append(Alert("disposal_overdue", p.code, p.name or "", "disposal_deadline",
                                since, (on - since).days + 1))
        if law.recovery_from is not None and law.recovery_from <= on:
            alerts.append(Alert("recovery_due", p.code, p.name or "", "agreed_start",
                                law.recovery_from, (on - law.recovery_from).days + 1))
    return IdleLine(p, law, alerts)


def idle_ledger(session: Session, on: dt.date,
                filters: Mapping[str, list[str]] | None = None) -> list[IdleLine]:
    """Return every idle parcel with its 令53 dates and alerts, open disposals first.

    ``filters`` are the idle layer's (geo.filters.parse_filters), as the map and API take them.
    """
    statuses = offerable_statuses(session)
    _model, _geom, where = layer_source(LAYERS["idle"], filters, statuses)
    parcels = session.scalars(select(Parcel).where(*where).order_by(Parcel.code)).all()
    held = holders(session, [p.id for p in parcels])
    lines = [replace(follow_up(p, on), availability=availability(
        p.status, p.layer, p.disposal, held.get(p.id), False, statuses)) for p in parcels]
    return sorted(lines, key=lambda line: (line.parcel.status not in OPEN, -len(line.alerts)))


def idle_alerts(session: Session, on: dt.date, rules: Rules) -> list[Alert]:
    """Return the idle-land alerts on day ``on``, most overdue first."""
    alerts = [a for line in idle_ledger(session, on) for a in line.alerts]
    candidates = select(Parcel).where(Parcel.layer != "idle", Parcel.agreed_start.is_not(None))
    for p in session.scalars(candidates):
        law = derive(Contract.of(p), on)
        if law.idle and law.idle_from is not None and law.idle_from < on:
            alerts.append(Alert("idle_candidate", p.code, p.name or "", "agreed_start",
                                law.idle_from, (on - law.idle_from).days))
    return sorted(alerts, key=lambda a: (-a.days, a.code))


def disposal_progress(session: Session) -> dict[str, dict[str, float]]:
    """Return idle parcels by status along their life (闲置未处置 … 已收回, 可供地): how many, how
    many 亩."""
    count: Counter[str] = Counter()
    area: Counter[str] = Counter()
    for status, area_m2 in session.execute(
            select(Parcel.status, Parcel.area_m2).where(Parcel.layer == "idle")):
        count[status] += 1
        area[status] += m2_to_mu(area_m2)
    return {s: {"count": count[s], "area_mu": round(area[s], 2)} for s in IDLE_LIFE}
