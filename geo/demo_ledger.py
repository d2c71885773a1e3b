"""The demo county's ledger: transitions, plans, progress entries and idle-land dates, seeded.

Dates are drawn back from the day the demo is loaded, so that its categories look like a
live ledger; every category of the county's report appears.
"""

from __future__ import annotations

import datetime as dt
import random

from geo.categories import NODE_STAGE
from geo.fields import STAGES
from geo.models import AnnualPlan, Parcel, ProgressEntry, Project, ProjectPlan, Transition

# The county's lead units (责任单位): the demo's reporters and responsible units.
UNITS = ["县发展和改革局", "县工业和信息化局", "县商务局", "县自然资源局", "经济技术开发区管委会",
         "县文化和旅游局", "县农业农村局", "县能源局"]

STAGE_SHARE = {"pipeline": (0, 0), "signed": (0, 0.02), "landed": (0.02, 0.1),
               "started": (0.1, 0.3), "building": (0.3, 0.9), "producing": (1.0, 1.0)}
PROBLEMS = ["用地手续办理进度滞后", "施工用电接入未完成", "环评批复待下达", "资金到位不足",
            "征地拆迁尚有遗留问题", "设备采购周期延长"]
STEPS = ["加快办理施工许可", "协调电力部门接入", "督促企业加大资金投入", "推进设备安装调试",
         "组织专题调度会", "完善配套设施"]


def _ledger(rng: random.Random, project: Project, n: int, today: dt.date) -> None:
    """Give a demo project its transitions, plan, annual plans and monthly progress entries.

    Every fourth project in the middle stages falls behind: under construction (开工, 建设),
    by a planned completion overdue (进展缓慢); or, in any middle stage, by not reporting
    (未按时报送), so that every ledger category and both failings appear. Planned nodes are
    in date order, as the ledger form requires (geo.ledger.check_plan_order).
    """
    stages = [s.value for s in STAGES]
    reached = stages.index(project.stage)
    slow = 1 <= reached <= 4 and (n // 6) % 4 == 0
    behind = slow and (n // 6) % 8 == 0 and reached in (3, 4)
    # A project behind its planned completion started long enough ago for that to show.
    dates, day = [], today - dt.timedelta(days=rng.randrange(100, 160) if behind
                                          else rng.randrange(20, 120))
    for _ in range(reached):
        dates.insert(0, day)
        day -= dt.timedelta(days=rng.randrange(30, 160))
    for i, date in enumerate(dates):
        project.transitions.append(Transition(
            date=date, from_stage=stages[i], to_stage=stages[i + 1], kind="forward",
            by=project.leader or "重点办", note="演示数据（虚构）"))
    nodes = ("plan_sign", "plan_land", "plan_start", "plan_complete", "plan_production")
    plan, ahead = ProjectPlan(), today
    for node in nodes:
        target = stages.index(NODE_STAGE[node])
        if target <= reached:
            setattr(plan, node, dates[target - 1])
        else:
            ahead += dt.timedelta(days=rng.randrange(60, 240))
            setattr(plan, node, ahead)
    if behind:
        # Completion planned soon after the last move, now well past: 进展缓慢.
        plan.plan_complete = dates[-1] + dt.timedelta(days=rng.randrange(10, 40))
    project.plan = plan
    total = project.total_investment or 0
    _progress(rng, project, n, today, dates, slow)
    # This year's plan is what the entries show done this year, give or take: so that units
    # rank by plausible completion rates (60–130 %).
    before = [e.completed_investment for e in project.progress if e.date.year < today.year]
    done = (project.progress[-1].completed_investment if project.progress else 0) - (
        before[-1] if before else 0)
    for year in (today.year - 1, today.year, today.year + 1):
        planned = done / rng.uniform(0.6, 1.3) if year == today.year and done > 0 else (
            total * rng.uniform(0.15, 0.4))
        project.annual_plans.append(AnnualPlan(year=year, planned_investment=round(planned, -1)))


def _progress(rng: random.Random, project: Project, n: int, today: dt.date,
              dates: list[dt.date], slow: bool) -> None:
    """Monthly progress entries up to a recent day (or a long silence for a slow project)."""
    if not dates:
        return
    total = project.total_investment or 0
    low, high = STAGE_SHARE[project.stage]
    share = rng.uniform(low, high)
    last = today - dt.timedelta(days=rng.randrange(60, 150) if slow and (n // 6) % 8 == 4
                                else rng.randrange(2, 25))
    months = min(12, max(1, (last - dates[0]).days // 30 + 1))
    for k in range(months):
        date = last - dt.timedelta(days=30 * (months - 1 - k))
        part = (k + 1) / months
        project.progress.append(ProgressEntry(
            date=date, completed_investment=round(total * share * part, 1),
            percent_done=round(100 * share * part, 1),
            problems=rng.choice(PROBLEMS) if project.stage != "producing" else None,
            next_steps=rng.choice(STEPS), reporter=rng.choice(UNITS)))


def _parcel_dates(rng: random.Random, parcels: list[Parcel], today: dt.date) -> None:
    """Agreed and actual start dates, and disposal plans, for the idle-land follow-up."""
    for p in parcels:
        if p.layer == "idle":
            p.agreed_start = p.idle_since - dt.timedelta(days=365)
            if p.status == "disposing" and rng.random() < 0.6:
                # Most disposals under way have a deadline still ahead; the rest are late.
                p.disposal_deadline = today + dt.timedelta(days=rng.randrange(30, 400))
            if p.status != "idle":
                p.disposal_plan = f"{p.holder}地块按令53处置，{p.disposal_deadline}前完成"
        elif p.status == "supplied":
            p.agreed_start = today - dt.timedelta(days=rng.randrange(100, 900))
            if rng.random() < 0.6:
                p.actual_start = min(today, p.agreed_start + dt.timedelta(
                    days=rng.randrange(30, 300)))


def fill_ledger(parcels: list[Parcel], projects: list[Project], seed: int,
                today: dt.date) -> None:
    """Fill the demo projects' ledger and the parcels' start dates, relative to ``today``.

    Dates are drawn back from ``today`` so that the demo's categories look like a live
    ledger whenever it is loaded; the same seed and day give the same ledger.
    """
    rng = random.Random(seed * 7 + 4)  # its own stream: the parcels stay as they were
    _parcel_dates(rng, sorted(parcels, key=lambda p: p.code), today)
    for n, project in enumerate(sorted(projects, key=lambda p: p.code)):
        if project.parcel is not None:
            project.parcels = [project.parcel]
        _ledger(rng, project, n, today)
        started = next((t.date for t in project.transitions if t.to_stage == "started"), None)
        if project.parcel is not None:
            # As geo/supply.py keeps them: reserved on landing, supplied and started at 开工.
            project.parcel.status = "supplied" if started else "reserved"
            if started and project.parcel.actual_start is None:
                project.parcel.actual_start = started
