"""Ledger categories: each rule at its boundary day, and the alerts it raises."""

import datetime as dt

import pytest

from geo.categories import Rules, assess, load_rules
from geo.models import ProgressEntry, Project, ProjectPlan, Transition

RULES = Rules(slow_behind_days=30, report_due_days=45)
DUE = dt.date(2026, 3, 1)


def _project(stage, plan=None, progress=(), transitions=()):
    return Project(code="C1", name="测试", stage=stage, plan=plan, progress=list(progress),
                   transitions=list(transitions))


@pytest.mark.parametrize(("stage", "category"), [
    ("pipeline", "negotiating"), ("signed", "signed"), ("landed", "not_started"),
    ("started", "building"), ("building", "building"), ("producing", "producing"),
])
def test_stage_gives_the_base_category(stage, category):
    assert assess(_project(stage), DUE, RULES).category == category


@pytest.mark.parametrize(("stage", "node"), [
    ("started", "plan_production"), ("building", "plan_complete"),
])
def test_construction_behind_a_planned_node_is_slow_only_after_n_days(stage, node):
    project = _project(stage, plan=ProjectPlan(**{node: DUE}))
    on_time = assess(project, DUE + dt.timedelta(days=30), RULES)
    assert on_time.category != "slow" and on_time.alerts == []
    late = assess(project, DUE + dt.timedelta(days=31), RULES)
    assert late.category == "slow"
    (alert,) = late.alerts
    assert (alert.kind, alert.what, alert.since, alert.days) == ("node_overdue", node, DUE, 31)


def test_a_met_node_is_never_overdue():
    project = _project("started", plan=ProjectPlan(plan_sign=DUE, plan_land=DUE, plan_start=DUE))
    assert assess(project, DUE + dt.timedelta(days=400), RULES).category == "building"


def test_completion_is_met_by_a_hundred_percent_entry():
    entry = ProgressEntry(date=DUE, percent_done=100, reporter="x")
    project = _project("building", plan=ProjectPlan(plan_complete=DUE), progress=[entry])
    assert assess(project, DUE + dt.timedelta(days=40), RULES).category == "building"


@pytest.mark.parametrize(("stage", "node", "category"), [
    ("signed", "plan_land", "signed"), ("landed", "plan_start", "not_started"),
])
def test_a_project_not_yet_under_construction_is_never_slow(stage, node, category):
    project = _project(stage, plan=ProjectPlan(**{node: DUE}))
    assert assess(project, DUE + dt.timedelta(days=400), RULES).category == category


def test_no_progress_for_m_days_is_a_late_report_not_slow_progress():
    entry = ProgressEntry(date=DUE, reporter="x")
    project = _project("started", progress=[entry])
    on_time = assess(project, DUE + dt.timedelta(days=45), RULES)
    assert (on_time.category, on_time.late_report) == ("building", False)
    late = assess(project, DUE + dt.timedelta(days=46), RULES)
    assert (late.category, late.late_report) == ("building", True)
    assert [(a.kind, a.since, a.days) for a in late.alerts] == [("silent", DUE, 46)]


def test_a_slow_project_can_also_report_late_and_both_are_said():
    project = _project("building", plan=ProjectPlan(plan_complete=DUE),
                       progress=[ProgressEntry(date=DUE, reporter="x")])
    found = assess(project, DUE + dt.timedelta(days=50), RULES)
    assert (found.category, found.late_report) == ("slow", True)
    assert sorted(a.kind for a in found.alerts) == ["node_overdue", "silent"]


def test_without_entries_silence_counts_from_the_last_transition():
    t = Transition(date=DUE, from_stage="pipeline", to_stage="signed", kind="forward", by="x")
    project = _project("signed", transitions=[t])
    assert not assess(project, DUE + dt.timedelta(days=45), RULES).late_report
    late = assess(project, DUE + dt.timedelta(days=46), RULES)
    assert (late.category, late.late_report) == ("signed", True)


@pytest.mark.parametrize("stage", ["pipeline", "producing"])
def test_pipeline_and_producing_are_never_slow(stage):
    project = _project(stage, plan=ProjectPlan(plan_sign=DUE, plan_production=DUE),
                       progress=[ProgressEntry(date=DUE, reporter="x")])
    found = assess(project, DUE + dt.timedelta(days=999), RULES)
    assert found.category != "slow" and not found.late_report


def test_categories_of_a_past_day_use_only_what_was_known_then():
    t = Transition(date=dt.date(2026, 2, 1), from_stage="landed", to_stage="started",
                   kind="forward", by="x")
    done = ProgressEntry(date=dt.date(2026, 5, 1), percent_done=100, reporter="x")
    project = _project("started", plan=ProjectPlan(plan_complete=DUE), transitions=[t],
                       progress=[done])
    assert assess(project, dt.date(2026, 1, 31), RULES).category == "not_started"
    assert assess(project, dt.date(2026, 3, 31), RULES).category == "building"
    assert assess(project, dt.date(2026, 4, 1), RULES).category == "slow"
    assert assess(project, dt.date(2026, 5, 1), RULES).category == "building"


def test_thresholds_come_from_data_and_can_be_overridden():
    rules = load_rules()
    assert (rules.slow_behind_days, rules.report_due_days) == (30, 45)
    assert rules.slow_stages == ("started", "building")
    strict = load_rules({"slow_behind_days": 5})
    project = _project("building", plan=ProjectPlan(plan_complete=DUE))
    assert assess(project, DUE + dt.timedelta(days=6), strict).category == "slow"
    assert assess(project, DUE + dt.timedelta(days=6), load_rules()).category == "building"


def test_the_old_name_of_the_report_threshold_still_works():
    assert load_rules({"slow_silent_days": 20}).report_due_days == 20
