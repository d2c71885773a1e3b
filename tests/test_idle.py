"""Idle-land follow-up (令53): overdue disposals, recovery due, candidates for idle status."""

import datetime as dt

import pytest
from shapely.geometry import box

from geo.categories import load_rules
from geo.geometry import as_multipolygon, to_db
from geo.idle import disposal_progress, idle_alerts
from geo.models import Parcel

DEADLINE = dt.date(2026, 3, 1)


def _parcel(session, code, layer, status, **values):
    shape = as_multipolygon(box(111.30, 35.95, 111.301, 35.951))
    session.add(Parcel(code=code, layer=layer, status=status, area_m2=8000, geom=to_db(shape),
                       extra={}, **values))
    session.commit()


def _alerts(session, on, code):
    return [(a.kind, a.since, a.days) for a in idle_alerts(session, on, load_rules())
            if a.code == code]


def test_disposal_is_overdue_from_the_day_after_its_deadline(session):
    _parcel(session, "T-XZ1", "idle", "disposing", disposal_deadline=DEADLINE,
            idle_cause="government")
    assert _alerts(session, DEADLINE, "T-XZ1") == []
    assert _alerts(session, DEADLINE + dt.timedelta(days=1), "T-XZ1") == [
        ("disposal_overdue", DEADLINE + dt.timedelta(days=1), 1)]


def test_a_disposed_parcel_raises_no_alert(session):
    _parcel(session, "T-XZ2", "idle", "disposed", disposal_deadline=DEADLINE, idle_cause="user",
            agreed_start=dt.date(2019, 1, 1))
    assert _alerts(session, dt.date(2026, 6, 1), "T-XZ2") == []


def test_users_fault_idle_land_may_be_recovered_a_year_after_it_became_idle(session):
    # agreed start 2024-03-01: idle from 2025-03-01, recovery two years after the agreed start
    _parcel(session, "T-XZ3", "idle", "idle", idle_cause="user", agreed_start=dt.date(2024, 3, 1))
    assert _alerts(session, dt.date(2026, 2, 28), "T-XZ3") == []
    assert _alerts(session, dt.date(2026, 3, 1), "T-XZ3") == [
        ("recovery_due", dt.date(2026, 3, 1), 1)]


def test_government_fault_is_not_recovered(session):
    _parcel(session, "T-XZ4", "idle", "idle", idle_cause="government",
            agreed_start=dt.date(2019, 3, 1))
    assert _alerts(session, dt.date(2026, 3, 1), "T-XZ4") == []


@pytest.mark.parametrize(("actual_start", "expected"), [
    (None, [("idle_candidate", dt.date(2026, 3, 1), 1)]),
    (dt.date(2025, 9, 1), []),
])
def test_no_start_a_year_after_the_agreed_date_makes_a_candidate(session, actual_start,
                                                                  expected):
    _parcel(session, "T-CL1", "stock", "supplied", agreed_start=dt.date(2025, 3, 1),
            actual_start=actual_start)
    assert _alerts(session, dt.date(2026, 3, 1), "T-CL1") == []
    assert _alerts(session, dt.date(2026, 3, 2), "T-CL1") == expected


def test_disposal_progress_counts_parcels_and_mu_by_status(session):
    before = disposal_progress(session)
    _parcel(session, "T-XZ5", "idle", "disposing")
    after = disposal_progress(session)
    assert after["disposing"]["count"] == before["disposing"]["count"] + 1
    assert after["disposing"]["area_mu"] == pytest.approx(before["disposing"]["area_mu"] + 12,
                                                          abs=0.01)


def test_idle_ledger_gives_the_law_s_dates_for_the_user_s_fault_only(session):
    from geo.idle import idle_ledger

    _parcel(session, "T-XZ6", "idle", "idle", idle_cause="user", agreed_start=dt.date(2024, 5, 1))
    _parcel(session, "T-XZ7", "idle", "idle", idle_cause="government",
            agreed_start=dt.date(2024, 5, 1))
    lines = {line.parcel.code: line for line in idle_ledger(session, dt.date(2026, 6, 1))}
    assert (lines["T-XZ6"].fee_from, lines["T-XZ6"].recovery_from) == (
        dt.date(2025, 5, 1), dt.date(2026, 5, 1))
    assert [a.kind for a in lines["T-XZ6"].alerts] == ["recovery_due"]
    assert (lines["T-XZ7"].fee_from, lines["T-XZ7"].recovery_from, lines["T-XZ7"].alerts) == (
        None, None, [])
