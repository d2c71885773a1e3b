"""The figures of the leaders' dashboard: projects, investment, land, idle land, capacity, alerts.

Land counts as available exactly when it can be offered to a new project (geo/supply.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.areas import m2_to_mu
from geo.capacity import capacity_table
from geo.categories import Rules
from geo.fields import CHAINS, STAGES
from geo.idle import disposal_progress, idle_alerts
from geo.ledger import ledger, totals
from geo.models import Parcel
from geo.supply import offerable_clause, offerable_statuses


def land_available(session: Session) -> dict[str, dict[str, float]]:
    """Return 亩 of offerable land by town, then by layer (stock, idle)."""
    by_town: dict[str, dict[str, float]] = defaultdict(lambda: {"stock": 0.0, "idle": 0.0})
    stmt = (select(Parcel.town, Parcel.layer, func.sum(Parcel.area_m2))
            .where(offerable_clause(offerable_statuses(session)))
            .group_by(Parcel.town, Parcel.layer))
    for town, layer, area in session.execute(stmt):
        by_town[town or "—"][layer] = round(m2_to_mu(area or 0), 1)
    return dict(sorted(by_town.items()))


def dashboard(session: Session, on: dt.date, rules: Rules) -> dict:
    """Return the dashboard's figures on day ``on``; keys are codes, the page labels them."""
    rows = ledger(session, on, rules)

    def group(key: str, choices) -> list[dict]:
        out = []
        for c in choices:
            members = [r for r in rows if getattr(r, key, None) == c.value
                       or (key == "chain" and r.project.chain == c.value)]
            out.append({"value": c.value, "count": len(members),
                        "investment": round(sum(r.project.total_investment or 0
                                                for r in members), 1)})
        return out

    slow = [r for r in rows if r.category == "slow"]
    return {
        "on": on.isoformat(),
        "totals": totals(rows),
        "by_stage": group("stage", STAGES),
        "by_chain": group("chain", CHAINS),
        "land": land_available(session),
        "idle": disposal_progress(session),
        "idle_alerts": [{"code": a.code, "name": a.name, "kind": a.kind,
                         "since": a.since.isoformat(), "days": a.days}
                        for a in idle_alerts(session, on, rules)],
        "slow": [{"code": r.project.code, "name": r.project.name, "leader": r.project.leader,
                  "lead_unit": r.project.lead_unit,
                  "alerts": [{"kind": a.kind, "what": a.what, "since": a.since.isoformat(),
                              "days": a.days} for a in r.alerts]} for r in slow],
        "capacity": capacity_table(session),
    }
