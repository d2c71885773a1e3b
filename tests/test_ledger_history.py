"""A long progress history: the ledger still shows the right figures, and reads only what it needs.

Issue 15: /api/ledger and /dashboard grew with every progress entry because each read loaded
every project's whole history (geo.ledger.decisive_progress).
"""

import datetime as dt

from geo.categories import load_rules
from geo.ledger import ledger, load_projects
from geo.models import ProgressEntry
from geo.report import monthly_report
from tests.ledger_fixture import D, add_fixture_ledger

RULES = load_rules()


def _history(session, code: str, n: int) -> None:
    """Add ``n`` monthly-ish entries to project ``code`` in 2024–2025: old, never the latest."""
    from geo.lifecycle import get_project

    project = get_project(session, code)
    for i in range(n):
        project.progress.append(ProgressEntry(
            date=D(2024, 1, 1) + dt.timedelta(days=i % 700), completed_investment=i,
            percent_done=i % 90, reporter="张三"))
    session.commit()


def test_ledger_line_shows_the_latest_entry_after_hundreds_of_older_ones(empty_app):
    with empty_app.extensions["landmatch.sessions"]() as session:
        add_fixture_ledger(session)
        _history(session, "A1", 300)
    client = empty_app.test_client()
    lines = {p["code"]: p for p in
             client.get("/api/ledger?on=2026-10-31").get_json()["projects"]}
    assert lines["A1"]["completed_investment"] == 350
    assert lines["A1"]["percent_done"] == 55
    assert lines["A1"]["last_report"] == "2026-10-25"
    # A day before the October entries: the September one is the latest.
    lines = {p["code"]: p for p in
             client.get("/api/ledger?on=2026-10-01").get_json()["projects"]}
    assert lines["A1"]["completed_investment"] == 250


def test_a_completion_reported_long_ago_still_meets_the_plan(empty_app):
    with empty_app.extensions["landmatch.sessions"]() as session:
        add_fixture_ledger(session)
        a2 = session.query(ProgressEntry).filter(ProgressEntry.percent_done == 5).one()
        a2.project.plan.plan_complete = D(2026, 9, 1)
        a2.project.progress.append(ProgressEntry(date=D(2026, 8, 25), percent_done=100,
                                                 completed_investment=20, reporter="张三"))
        session.commit()
        _history(session, "A2", 200)
    with empty_app.extensions["landmatch.sessions"]() as session:
        rows = {r.project.code: r for r in ledger(session, D(2026, 10, 31), RULES)}
    assert not [a for a in rows["A2"].alerts if a.what == "plan_complete"]


def test_monthly_report_ranks_by_the_year_s_investment_whatever_the_history(empty_app):
    with empty_app.extensions["landmatch.sessions"]() as session:
        add_fixture_ledger(session)
        _history(session, "A1", 300)  # all before 2026: the year's figures do not change
    with empty_app.extensions["landmatch.sessions"]() as session:
        report = monthly_report(session, "2026-10", RULES)
    units = {u.name: u for u in report.units}
    # A1: 350 at October's end minus 50 at the end of 2025; A2: 20 − 0 (tests/test_report.py).
    assert units["县发改局"].done == 320


def test_a_ledger_read_loads_a_few_entries_per_project_not_the_history(empty_app):
    with empty_app.extensions["landmatch.sessions"]() as session:
        add_fixture_ledger(session)
        _history(session, "A1", 300)
    with empty_app.extensions["landmatch.sessions"]() as session:
        projects = load_projects(session, [D(2026, 10, 31)])
        assert max(len(p.progress) for p in projects) <= 3
