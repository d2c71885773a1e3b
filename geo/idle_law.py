"""令53 from a parcel's supply contract: whether it is idle, since when, on which article, the fee.

Nothing here is typed by staff: the idle date, the fee and its amount and the recovery date
all follow from the contract's agreed start, the actual start (recorded at 开工 by
``geo.supply.start``), the stalled-work facts and the contract price, per
《闲置土地处置办法》(国土资源部令第53号). The numbers and the articles' words are data
(``data/idle_law.json``, docs/domain.md "Idle land"); this module only applies them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from geo.errors import N_, FieldError
from geo.fields import get_field

LAW_FILE = Path(__file__).resolve().parent.parent / "data" / "idle_law.json"

# The derived states, in the words the idle page shows (an English msgid each).
STATES = {
    "no_contract": N_("No agreed start date: nothing can be derived"),
    "running": N_("Not idle yet: the clock is running"),
    "idle_unstarted": N_("Idle: not started a full year after the agreed start"),
    "idle_stalled": N_("Idle: started but stalled for a full year"),
    "in_use": N_("Started: not idle"),
}


@dataclass(frozen=True)
class Law:
    """The figures of 令53 this register applies, and the articles they rest on."""

    idle_after_years: int
    stalled_area_share: float
    stalled_investment_share: float
    stalled_stopped_years: int
    fee_after_years: int
    fee_share: float
    recovery_after_years: int
    government_methods: tuple[str, ...]
    articles: dict[str, str]
    texts: dict[str, str]


@cache
def load_law(path: Path = LAW_FILE) -> Law:
    """Return the rules of 令53 from ``data/idle_law.json``."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return Law(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()
                  if not k.startswith("_")})


def years_after(date: dt.date, years: int) -> dt.date:
    """Return the same day ``years`` later (28 February for 29 February): "满一年".

    >>> years_after(dt.date(2024, 2, 29), 1)
    datetime.date(2025, 2, 28)
    """
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return date.replace(year=date.year + years, day=28)


@dataclass(frozen=True)
class Contract:
    """The facts of a parcel's supply register that 令53 reads (plain values)."""

    agreed_start: dt.date | None = None
    actual_start: dt.date | None = None
    stopped_since: dt.date | None = None
    area_m2: float | None = None
    developed_area_m2: float | None = None
    invested: float | None = None  # 万元, without the land price
    agreed_investment: float | None = None  # 万元, without the land price
    contract_price: float | None = None  # 万元: the 出让 or 划拨 price
    cause: str | None = None  # "user", "government" or None (not established)

    @classmethod
    def of(cls, parcel: object) -> Contract:
        """Return the contract facts of a Parcel (or any object with those attributes)."""
        return cls(**{name: getattr(parcel, name, None) for name in CONTRACT_FIELDS},
                   cause=getattr(parcel, "idle_cause", None))


# The parcel fields a Contract reads (the cause is ``idle_cause``).
CONTRACT_FIELDS = ("agreed_start", "actual_start", "stopped_since", "area_m2",
                   "developed_area_m2", "invested", "agreed_investment", "contract_price")


@dataclass(frozen=True)
class IdleState:
    """A parcel's 令53 state on one day: its dates, the article, and the fee (万元)."""

    state: str
    article: str
    idle_from: dt.date | None = None
    fee_from: dt.date | None = None
    fee_amount: float | None = None
    recovery_from: dt.date | None = None

    @property
    def idle(self) -> bool:
        """Return True when the parcel is idle on the day it was derived for."""
        return self.state.startswith("idle_")


def stalled(c: Contract, law: Law | None = None) -> bool:
    """Return True when started work is below 1/3 of the area or 25 % of the investment.

    >>> stalled(Contract(actual_start=dt.date(2020, 1, 1), area_m2=9000,
    ...                  developed_area_m2=2000))
    True
    """
    law = law or load_law()
    if c.actual_start is None:
        return False
    area = (c.developed_area_m2 is not None and bool(c.area_m2)
            and c.developed_area_m2 < c.area_m2 * law.stalled_area_share)
    money = (c.invested is not None and bool(c.agreed_investment)
             and c.invested < c.agreed_investment * law.stalled_investment_share)
    return bool(area or money)


def clock(c: Contract, law: Law | None = None) -> tuple[str, dt.date, dt.date] | None:
    """Return (kind, the day the clock starts, the day the land is idle), or None.

    Unstarted land: from the agreed start (第二条第一款); stalled land: from the day work
    stopped (第二条第二款). Land started on time and not stalled has no clock.
    """
    law = law or load_law()
    if c.agreed_start is None:
        return None
    idle_on = years_after(c.agreed_start, law.idle_after_years)
    if c.actual_start is None or c.actual_start >= idle_on:
        # Started after the year had run out: it was idle then, and stays idle until a
        # start is on record (the start date itself ends it, see ``derive``).
        return "unstarted", c.agreed_start, idle_on
    if c.stopped_since is not None and stalled(c, law):
        return "stalled", c.stopped_since, years_after(c.stopped_since,
                                                       law.stalled_stopped_years)
    return None


def idle_from(c: Contract, law: Law | None = None) -> dt.date | None:
    """Return the day the land is (or will be) idle under 令53, or None.

    >>> idle_from(Contract(agreed_start=dt.date(2022, 3, 20)))
    datetime.date(2023, 3, 20)
    """
    found = clock(c, law)
    return found[2] if found else None


def derive(c: Contract, on: dt.date, law: Law | None = None) -> IdleState:
    """Return the parcel's 令53 state on day ``on``.

    The fee (``fee_share`` of the contract price) is due from the day the land is idle, and
    recovery without compensation is possible a year later (two years after the clock
    started: 第十四条) — unless the cause is the government's (第八条, 第十二条), where
    neither applies.

    >>> s = derive(Contract(agreed_start=dt.date(2022, 3, 20), contract_price=500.0),
    ...            dt.date(2024, 1, 1))
    >>> s.state, s.idle_from, s.fee_amount, s.recovery_from
    ('idle_unstarted', datetime.date(2023, 3, 20), 100.0, datetime.date(2024, 3, 20))
    """
    law = law or load_law()
    found = clock(c, law)
    if c.agreed_start is None:
        return IdleState("no_contract", "")
    if found is None:
        return IdleState("in_use", law.articles["unstarted"])
    kind, start, idle_on = found
    article = law.articles[kind]
    started_since = kind == "unstarted" and c.actual_start is not None and c.actual_start <= on
    if idle_on > on or started_since:
        return IdleState("in_use" if started_since else "running", article, idle_on)
    if c.cause == "government":
        return IdleState(f"idle_{kind}", f"{article}；{law.articles['government_cause']}",
                         idle_on)
    fee = (round(c.contract_price * law.fee_share, 2) if c.contract_price is not None
           else None)
    return IdleState(f"idle_{kind}", f"{article}；{law.articles['fee_and_recovery']}", idle_on,
                     years_after(start, law.fee_after_years), fee,
                     years_after(start, law.recovery_after_years))


def method_problem(cause: str | None, method: str | None,
                   law: Law | None = None) -> FieldError | None:
    """Return why a cause–method pair is unlawful under 令53, or None when it is allowed.

    >>> method_problem("government", "fee").field
    'disposal'
    >>> method_problem("user", "fee") is None
    True

    A cause of the user's leaves the fee and recovery (第十四条) and is not refused other
    methods here: the measures name no sanction for those, and local practice varies.
    """
    law = law or load_law()
    if not cause or not method:
        return None
    label = get_field("parcel", "disposal").choice_label(method, "zh")
    if cause == "government" and method not in law.government_methods:
        return FieldError("disposal", N_("%(field)s: idle land the government caused cannot "
                                         "be disposed of by %(value)s (%(article)s): extend "
                                         "the start date, change the use or planning "
                                         "conditions, use it temporarily, take it back for "
                                         "compensation, or swap it."),
                          value=label, article=law.articles["government_cause"])
    return None
