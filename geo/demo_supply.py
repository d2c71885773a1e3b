"""The demo county's supply contracts, lawful idle-land disposals and project emissions, seeded.

Each parcel and project draws from a generator of its own, seeded by its code, so the rest of
the demo stays what it was. Idle land gets a contract whose agreed start makes it idle on the
day the demo meant (令53 第二条, geo/idle_law.py): unstarted a year after the agreed start, or
started, stalled below a third of the area or a quarter of the investment, and stopped a year.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from geo.areas import m2_to_mu
from geo.idle_law import load_law, years_after
from geo.models import Parcel, Project

# A disposal the law forbids for a government cause (令53 第八条, 第十二条) becomes the nearest
# lawful one of the same kind: the user keeps the land, or the land is taken back
# (geo/supply.py, USER_KEEPS/TAKEN_BACK).
LAWFUL = {"government": {"fee": "extend", "recover": "paid_recovery"}}
MANUFACTURING = range(13, 44)  # GB/T 4754 divisions the control indicators cover


def _contract(rng: random.Random, p: Parcel, agreed: dt.date, serial: int) -> None:
    signed = agreed - dt.timedelta(days=rng.randrange(60, 240))
    p.agreed_start = agreed
    p.contract_date = signed
    p.agreed_completion = years_after(agreed, rng.choice([2, 3]))
    p.supply_method = "allocation" if rng.random() < 0.1 else "transfer"
    # Modelled on the 16-character form (county code, year, B, serial); fictitious.
    p.supervision_no = f"{p.code[:6]}{signed.year}B{serial:05d}"
    p.contract_price = round((p.price or 20.0) * m2_to_mu(p.area_m2), 1)


def _idle(rng: random.Random, p: Parcel, serial: int) -> None:
    since = p.idle_since or dt.date(2020, 1, 1)  # the day the demo meant it to be idle
    law = load_law()
    if rng.random() < 0.25:
        agreed = years_after(since, -2)
        _contract(rng, p, agreed, serial)
        p.actual_start = agreed + dt.timedelta(days=rng.randrange(60, 300))
        p.stopped_since = years_after(since, -law.stalled_stopped_years)
        p.developed_area_m2 = round(p.area_m2 * rng.uniform(0.05, 0.3), 1)
        p.agreed_investment = float(rng.randrange(2000, 30000, 100))
        p.invested = round(p.agreed_investment * rng.uniform(0.05, 0.2), 1)
    else:
        _contract(rng, p, years_after(since, -law.idle_after_years), serial)
        p.actual_start = None
    if p.idle_cause and p.disposal:
        p.disposal = LAWFUL.get(p.idle_cause, {}).get(p.disposal, p.disposal)


def fill_supply(parcels: Iterable[Parcel], projects: Iterable[Project]) -> None:
    """Give idle and supplied parcels their contracts, idle land lawful disposals, and
    manufacturing projects their yearly emissions."""
    for serial, p in enumerate(sorted(parcels, key=lambda p: p.code), start=1):
        rng = random.Random(f"contract-{p.code}")
        if p.layer == "idle":
            _idle(rng, p, serial)
        elif p.agreed_start is not None:
            _contract(rng, p, p.agreed_start, serial)
    for project in projects:
        rng = random.Random(f"emissions-{project.code}")
        if (not (project.industry or "").isdigit()
                or int(project.industry[:2]) not in MANUFACTURING or rng.random() < 0.3):
            continue
        project.emission_so2 = round(rng.uniform(0.2, 3), 2)
        project.emission_nox = round(rng.uniform(0.5, 4), 2)
        project.emission_pm = round(rng.uniform(0.1, 1.5), 2)
        project.emission_voc = round(rng.uniform(0, 2), 2)
        project.emission_cod = round(rng.uniform(0.1, 1.5), 2)
        project.emission_nh3n = round(rng.uniform(0.01, 0.15), 3)
