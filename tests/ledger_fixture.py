"""A small ledger with hand-computed figures for October 2026 (see tests/test_report.py)."""

import datetime as dt

from shapely.geometry import box

from geo.geometry import as_multipolygon, to_db
from geo.models import AnnualPlan, ProgressEntry, Project, ProjectPlan, Transition

U1, U2, T1, T2 = "县发改局", "县商务局", "新城镇", "陶寺乡"
D = dt.date


def _t(date, a, b):
    return Transition(date=date, from_stage=a, to_stage=b, kind="forward", by="王建国")


def _p(date, done, percent=None, problems=None):
    return ProgressEntry(date=date, completed_investment=done, percent_done=percent,
                         problems=problems, next_steps="继续推进", reporter="张三")


def add_fixture_ledger(session) -> None:
    """Four projects over two units and two towns; figures in the October test."""
    site = to_db(as_multipolygon(box(111.40, 35.80, 111.41, 35.81)))
    session.add_all([
        Project(code="A1", name="甲项目", stage="building", lead_unit=U1, town=T1, leader="王建国",
                chain="equipment", total_investment=1000, site=site, extra={},
                transitions=[_t(D(2026, 1, 10), "pipeline", "signed"),
                             _t(D(2026, 3, 1), "signed", "landed"),
                             _t(D(2026, 6, 1), "landed", "started"),
                             _t(D(2026, 10, 5), "started", "building")],
                plan=ProjectPlan(plan_production=D(2027, 6, 30)),
                annual_plans=[AnnualPlan(year=2026, planned_investment=400)],
                progress=[_p(D(2025, 12, 20), 50), _p(D(2026, 9, 30), 250, 40),
                          _p(D(2026, 10, 25), 350, 55, "缺电")]),
        Project(code="A2", name="乙项目", stage="landed", lead_unit=U1, town=T2, leader="李志强",
                chain="new_energy", total_investment=300, site=site, extra={},
                transitions=[_t(D(2026, 2, 1), "pipeline", "signed"),
                             _t(D(2026, 4, 1), "signed", "landed")],
                plan=ProjectPlan(plan_start=D(2026, 9, 15)),
                annual_plans=[AnnualPlan(year=2026, planned_investment=200)],
                progress=[_p(D(2026, 8, 20), 20, 5)]),
        Project(code="B1", name="丙项目", stage="pipeline", lead_unit=U2, town=T1, leader="王建国",
                chain="logistics", total_investment=500, extra={}),
        Project(code="B2", name="丁项目", stage="producing", lead_unit=U2, town=T2,
                leader="李志强", chain="equipment", total_investment=800, site=site, extra={},
                transitions=[_t(D(2026, 10, 20), "building", "producing")],
                annual_plans=[AnnualPlan(year=2026, planned_investment=100)],
                progress=[_p(D(2025, 11, 30), 700, 90), _p(D(2026, 10, 20), 800, 100)]),
    ])
    session.commit()
