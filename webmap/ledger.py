"""Ledger pages: the project table, the board, a project's page and its forms, "my projects",
the dashboard, the monthly report and the ledger import."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from geo.areas import m2_to_mu
from geo.categories import load_rules
from geo.county import load_county
from geo.dashboard import dashboard as dashboard_figures
from geo.errors import N_, FieldError, GeoError
from geo.features import LAYERS, parse_filters
from geo.fields import (
    CATEGORIES,
    CATEGORY_FIELD,
    CHAINS,
    PARCEL_STATUSES,
    STAGES,
    fields_for,
    get_field,
)
from geo.idle import idle_ledger
from geo.idle_law import STATES
from geo.ledger import (
    NeedsConfirmation,
    add_progress,
    ledger,
    ledger_table,
    project_row,
    set_plan,
)
from geo.ledger_json import project_feature
from geo.ledger_xlsx import import_ledger
from geo.lifecycle import advance, put_back
from geo.report import monthly_report, word
from geo.report_xlsx import report_xlsx
from geo.supply import IDLE_LIFE
from webmap.api import availability_json
from webmap.auth import editor_required
from webmap.db import get_session
from webmap.errors import user_message
from webmap.i18n import lang
from webmap.mapview import finder, site_map

bp = Blueprint("ledger", __name__)


def rules():
    """Return the category rules: data/ledger_rules.json with the LEDGER_RULES setting."""
    return load_rules(current_app.config.get("LEDGER_RULES") or {})


def today() -> dt.date:
    """Return the day the ledger is read on: ``?on=`` when given, else today."""
    raw = request.args.get("on")
    if not raw:
        return dt.date.today()
    try:
        return get_field("progress", "date").clean(raw)
    except FieldError:
        raise FieldError("on", N_("%(field)s must be a date like 2024-05-31.")) from None


@bp.app_context_processor
def labels():
    """Give templates the dictionary's labels and choice labels in the user's language."""
    language = lang()

    def label(entity: str, name: str) -> str:
        f = CATEGORY_FIELD if name == "category" else get_field(entity, name)
        return f.heading(language)

    def choice(entity: str, name: str, value) -> str:
        f = CATEGORY_FIELD if name == "category" else get_field(entity, name)
        return f.choice_label(value, language) or ""

    return {"label": label, "choice": choice, "report_word": lambda k: word(k, language),
            "STAGES": STAGES, "CATEGORIES": CATEGORIES, "CHAINS": CHAINS,
            "fields_for": fields_for, "get_field": get_field,
            "availability": availability_json}


@bp.get("/projects")
def projects():
    """Show the ledger table: filtered, sorted, with totals."""
    table = ledger_table(get_session(), request.args, today(), rules())
    return render_template("projects.html", table=table, leader_page=False)


@bp.get("/my-projects")
def my_projects():
    """Show one leader's projects (chosen by name until accounts exist)."""
    args = {"leader": request.args.get("leader", ""), **request.args.to_dict()}
    table = ledger_table(get_session(), args, today(), rules())
    return render_template("projects.html", table=table, leader_page=True)


@bp.get("/projects/board")
def board():
    """Show the projects as a board, one column per stage."""
    rows = ledger(get_session(), today(), rules())
    return render_template("board.html", rows=rows)


def county_name() -> str:
    """Return the configured county's name in the user's language (襄汾县)."""
    county = load_county(current_app.config["COUNTY"])
    return county.name_en if lang() == "en" else county.name


def _project_page(code: str, error: GeoError | None = None, status: int = 200):
    row = project_row(get_session(), code, today(), rules())
    feature = project_feature(row)
    figure = site_map(current_app.config, feature["geometry"])
    figure.get_root().render()
    message = user_message(error) if error else None
    # Which form the error is about, so that only that one shows the typed values again.
    failed = request.path.rsplit("/", 1)[-1] if error else None
    return render_template("project.html", row=row, map=figure, error=message,
                           form=request.form if error else {}, failed=failed,
                           confirm=isinstance(error, NeedsConfirmation), today=today()), status


@bp.get("/projects/<code>")
def project(code: str):
    """Show a project: its data, site, plan, timeline, progress entries and forms."""
    return _project_page(code)


def _signed(values: dict) -> dict:
    """Return a transition's values made by the signed-in account, whatever the form said."""
    return {**values, "by": current_user.name}


def _write(code: str, action, saved):
    """Run ``action``; on success say what was saved (``saved(result)``) and show the page."""
    try:
        result = action()
    except GeoError as error:
        get_session().rollback()
        return _project_page(code, error, error.status)
    flash(saved(result))
    return redirect(url_for("ledger.project", code=code))


def _figure(value) -> str:
    return "—" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")


def _progress_saved(entry) -> str:
    return _("Progress entry of %(date)s saved: %(done)s 万元 completed to date, %(percent)s %% "
             "done, works status: %(status)s.", date=entry.date.isoformat(),
             done=_figure(entry.completed_investment), percent=_figure(entry.percent_done),
             status=entry.status_text or "—")


def _plan_saved(plan) -> str:
    nodes = [f"{get_field('plan', f.name).label(lang())} {getattr(plan, f.name)}"
             for f in fields_for("plan") if getattr(plan, f.name)]
    return _("Plan saved: %(nodes)s.", nodes="，".join(nodes) or "—")


def _stage_saved(transition) -> str:
    stage = get_field("project", "stage").choice_label
    return _("Stage saved: %(before)s → %(after)s on %(date)s.",
             before=stage(transition.from_stage, lang()), after=stage(transition.to_stage,
                                                                       lang()),
             date=transition.date.isoformat())


@bp.post("/projects/<code>/progress")
@editor_required
def add_progress_entry(code: str):
    """Add a progress entry to a project; an unlikely investment figure asks to confirm."""
    form = request.form.to_dict()
    confirmed = bool(form.pop("confirm", None))
    return _write(code, lambda: add_progress(
        get_session(), code, form, jump_ratio=rules().investment_jump_ratio,
        confirmed=confirmed), _progress_saved)


@bp.post("/projects/<code>/plan")
@editor_required
def update_plan(code: str):
    """Change a project's planned nodes."""
    return _write(code, lambda: set_plan(get_session(), code, request.form.to_dict()),
                  _plan_saved)


@bp.post("/projects/<code>/advance")
@editor_required
def advance_stage(code: str):
    """Move a project on to its next stage."""
    form = _signed(request.form.to_dict())
    parcels = [c.strip() for c in form.pop("parcels", "").replace("，", ",").split(",")
               if c.strip()]
    return _write(code, lambda: advance(get_session(), code, form, parcels=parcels),
                  _stage_saved)


@bp.post("/projects/<code>/put-back")
@editor_required
def put_back_stage(code: str):
    """Put a project back one stage, with the reason."""
    return _write(code, lambda: put_back(get_session(), code, _signed(request.form.to_dict())),
                  _stage_saved)


@bp.get("/dashboard")
def dashboard():
    """Show the leaders' dashboard: charts of projects, investment, land and idle land."""
    figures = dashboard_figures(get_session(), today(), rules())
    language = lang()

    def labels_of(choices) -> dict[str, str]:
        return {c.value: (c.en if language == "en" else c.zh) for c in choices}

    return render_template("dashboard.html", figures=figures, stage_labels=labels_of(STAGES),
                           chain_labels=labels_of(CHAINS),
                           status_labels=labels_of(PARCEL_STATUSES), idle_life=IDLE_LIFE)


@bp.get("/idle")
def idle():
    """Show the idle-land disposal ledger: plans, deadlines, 令53 dates and alerts."""
    filters = parse_filters(LAYERS["idle"], request.args)
    return render_template("idle.html", lines=idle_ledger(get_session(), today(), filters),
                           finder=finder(current_app.config), query=request.args.to_dict(),
                           filtered=bool(filters), mu=m2_to_mu, idle_states=STATES)


def _month() -> str:
    month = request.args.get("month")
    if month:
        return month
    last = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    return last.strftime("%Y-%m")


@bp.get("/reports/monthly")
def report():
    """Show the monthly report (月月通报) as a printable page."""
    data = monthly_report(get_session(), _month(), rules(), county_name())
    return render_template("report.html", report=data)


@bp.get("/reports/monthly.xlsx")
def report_download():
    """Download the monthly report as an XLSX workbook."""
    month = _month()
    data = report_xlsx(monthly_report(get_session(), month, rules(), county_name()), lang())
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument."
                                    "spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="report-{month}.xlsx"'})


@bp.route("/ledger/import", methods=["GET", "POST"])
@editor_required
def import_page():
    """Upload the county's ledger sheet; check it (dry run) or import it, all or nothing."""
    if request.method == "GET":
        return render_template("ledger_import.html", result=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise GeoError(N_("%(field)s is required."), field="file")
    result = import_ledger(get_session(), upload.stream, dry_run=bool(request.form.get("dry_run")),
                           county=current_app.config["COUNTY"])
    problems = [(p.row, user_message(p.error)) for p in result.problems]
    return render_template("ledger_import.html", result=result, problems=problems,
                           dry_run=bool(request.form.get("dry_run"))), 400 if problems else 200
