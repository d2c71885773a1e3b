"""Matching: POST /api/match, the /match page, "why not" and the printable parcel sheet."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from geo.boundaries import places
from geo.checks import Check
from geo.county import load_county
from geo.errors import N_, GeoError
from geo.fields import LAND_CLASSES, NEEDS_FIELDS, PARCEL_STATUSES, UNITS, fields_for, get_field
from geo.indicators import RuleBook
from geo.match_query import MatchResult, explain_parcel, run_match
from geo.matching import Candidate, Settings
from geo.near_misses import Relaxation
from geo.offers import seeking_projects
from geo.reference import industry_codes, land_use
from geo.sheet import parcel_sheet
from webmap.api import availability_json
from webmap.db import get_session
from webmap.errors import translate
from webmap.i18n import lang
from webmap.inputs import check, json_body
from webmap.mapview import build_map
from webmap.match_schema import OPENAPI_PATHS, openapi_components
from webmap.matchmap import MatchHook, inset_map, overview_map
from webmap.openapi import components, register_paths, register_schema

register_paths(OPENAPI_PATHS)
for _name, _schema in openapi_components().items():
    register_schema(_name, _schema)

bp = Blueprint("match", __name__)
_NEEDS_BY_NAME = {f.name: f for f in NEEDS_FIELDS}


def number_text(value: float) -> str:
    """Return a number as people write it: thousands grouped, no trailing ".0".

    >>> number_text(1250.0), number_text(31.0), number_text(2.35), number_text(12345.678)
    ('1,250', '31', '2.35', '12,345.68')
    """
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"

# What the form shows before the officer types anything: a mid-sized equipment project
# near the county seat.
DEFAULT_NEEDS = {"industry": "35", "land_class": "industrial2", "area_min_mu": 20,
                 "area_max_mu": 60, "total_investment": 12000, "building_coefficient": 40,
                 "office_share": 5, "green_ratio": 10, "max_distance_km": 15}


def settings() -> Settings:
    """Return the matching settings of this app's configuration."""
    c = current_app.config
    return Settings(weights=dict(c["MATCH_WEIGHTS"]),
                    offerable_statuses=tuple(c["OFFERABLE_STATUSES"]),
                    chain_radius_km=float(c["MATCH_CHAIN_RADIUS_KM"]), limit=int(c["MATCH_LIMIT"]))


def check_labels() -> dict[str, str]:
    """Return the name of every check and score part in the user's language."""
    return {
        "status": _("Status"), "land_use": _("Land use"), "area": _("Area"),
        "planning_plot_ratio": _("Planning conditions: plot ratio"), "power": _("Power"),
        "water": _("Water"), "gas": _("Natural gas"), "rail": _("Rail siding"),
        "distance": _("Distance"), "investment_intensity": _("Investment intensity"),
        "plot_ratio": _("Plot ratio (minimum by industry)"),
        "building_coefficient": _("Building coefficient"),
        "office_share": _("Office and living share"), "green_ratio": _("Green ratio"),
        "capacity_so2": _("Environmental capacity: SO2"),
        "capacity_nox": _("Environmental capacity: NOx"),
        "capacity_pm": _("Environmental capacity: particulates"),
        "capacity_voc": _("Environmental capacity: VOCs"),
        "capacity_cod": _("Environmental capacity: COD"),
        "capacity_nh3n": _("Environmental capacity: ammonia nitrogen"),
        "area_fit": _("Area fit"), "idle": _("Idle land first"),
        "chain": _("Same-industry neighbours"), "utilities": _("Utilities margin"),
        "price": _("Price"),
    }


def _unit(key: str | None) -> str | None:
    return UNITS[key][1 if lang() == "en" else 0] if key else None


def _class_label(value: str) -> str:
    for c in LAND_CLASSES:
        if c.value == value:
            return c.en if lang() == "en" else c.zh
    return value


def _display(check: Check, which: str) -> str:
    """Return a check's value or threshold as a person reads it: labels, ranges, units."""
    raw = check.value if which == "value" else check.threshold
    language = lang()
    if check.name == "status":
        choices = {c.value: (c.en if language == "en" else c.zh) for c in PARCEL_STATUSES}
        items = raw if isinstance(raw, list) else [raw]
        return "、".join(choices.get(str(v), str(v)) for v in items)
    if check.name == "land_use":
        if which == "threshold":
            return _class_label(str(raw))
        code = land_use(check.params.get("system"), str(raw))
        return code.label(language) if code else str(raw or "—")
    if check.name in ("gas", "rail"):
        return {"yes": _("Yes"), "no": _("No")}.get(str(raw), str(raw))
    if raw is None:
        return "—"
    unit = f" {_unit(check.unit)}" if check.unit else ""
    if isinstance(raw, list):
        low, high = (f"{v:g}" if isinstance(v, int | float) else "" for v in raw)
        return f"{low}–{high}{unit}" if high else f"≥ {low}{unit}"
    return f"{raw:,.4g}{unit}" if isinstance(raw, int | float) else f"{raw}{unit}"


def check_json(check: Check, labels: dict[str, str]) -> dict:
    """Return a check as the API shows it, its message and source in the user's language.

    ``value`` and ``threshold`` stay machine-readable; ``display`` holds them as text.
    """
    params = {**check.params, "value": check.params.get("value", check.value)}
    if check.name == "land_use":
        params["wanted"] = _class_label(check.threshold)
    message = translate(check.message, None, params)
    if "region_class" in check.params:
        message = f"{message} {region_text(check.params)}"
    return {"name": check.name, "label": labels.get(check.name, check.name),
            "passed": check.passed, "severity": check.severity, "value": check.value,
            "threshold": check.threshold, "unit": _unit(check.unit), "source": _(check.source),
            "message": message, "confirmed": check.confirmed,
            "edition": check.edition or None, "rule_set": check.rule_set or None,
            "display": {"value": _display(check, "value"),
                        "threshold": _display(check, "threshold")}}


def _pair_feature(candidate: Candidate, features: dict[str, dict]) -> dict:
    polygons = []
    for code in candidate.facts.members:
        geometry = features[code]["geometry"]
        polygons += geometry["coordinates"] if geometry["type"] == "MultiPolygon" \
            else [geometry["coordinates"]]
    return {"type": "Feature", "id": candidate.facts.code,
            "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            "properties": {"code": candidate.facts.code, "members": list(candidate.facts.members),
                           "area_mu": round(candidate.facts.area_mu, 4),
                           "layer": candidate.facts.layer}}


def region_text(params: dict) -> str:
    """Return which region class the investment-intensity rules used, and from which grade."""
    if not params.get("region_class"):
        return _("Region class unknown: the county's land grade is not configured.")
    text = _("Region class %(region_class)s, from the county's land grade %(land_grade)s.",
             region_class=params["region_class"], land_grade=params["land_grade"])
    return text if params.get("region_confirmed") else f"{text}（{_('not confirmed')}）"


def rule_set_json(rules: RuleBook) -> dict:
    """Return the rule sets in force on the match's date, with their provenance."""
    sets = []
    in_force = rules.in_force()
    for name in rules.sets_in_force():
        found = [r for r in in_force if r.rule_set == name]
        first = found[0]
        sets.append({"name": name, "edition": first.edition,
                     "documents": sorted({r.document for r in found}),
                     "region": first.region, "effective_from": first.effective_from or None,
                     "effective_to": first.effective_to or None,
                     "scope": sorted({r.scope for r in found}),
                     "sources": sorted({r.source for r in found}),
                     "confirmed": all(r.confirmed for r in found)})
    region = rules.region
    return {"on": rules.date.isoformat(), "editions": sorted({s["edition"] for s in sets}),
            "sets": sets,
            "region_class": {"land_grade": region.land_grade if region else None,
                             "class": region.region_class if region else None,
                             "confirmed": bool(region and region.confirmed),
                             "text": region_text({"region_class": region.region_class,
                                                  "land_grade": region.land_grade,
                                                  "region_confirmed": region.confirmed}
                                                 if region else {})}}


def result_json(result: MatchResult) -> dict:
    """Return a match as POST /api/match answers it."""
    labels = check_labels()
    candidates = []
    for c in result.outcome.candidates:
        feature = (_pair_feature(c, result.features) if c.pair
                   else result.features[c.facts.code])
        candidates.append({
            "code": c.facts.code, "layer": c.facts.layer, "score": c.score,
            "score_parts": c.score_parts, "checks": [check_json(k, labels) for k in c.checks],
            "feature": feature, "pair": c.pair, "members": list(c.facts.members),
        })
    return {
        "needs": result.needs.as_json(), "rule_set": rule_set_json(result.rules),
        "candidates": candidates,
        "rejected": [{"code": code, "failed": failed}
                     for code, failed in result.outcome.rejected],
        "counts": {"considered": result.outcome.considered, "passed": result.outcome.passed,
                   "pairs": result.outcome.pairs},
        "near_misses": near_misses_json(result, labels),
    }


_RELAX_MESSAGES = {
    "lower": N_("Lower %(field)s to %(to)s"), "raise": N_("Raise %(field)s to %(to)s"),
    "drop": N_("Do without %(field)s"),
}


def relax_json(relax: Relaxation, parcels: int | None = None) -> dict:
    """Return a relaxation as the API shows it: the needs field, its new value, and the
    sentence an officer reads ("用地面积下限降到 31 亩：6 块")."""
    field = _NEEDS_BY_NAME[relax.field]
    unit = field.unit_label(lang()) if field.unit else None
    to = "" if relax.to is None else f"{number_text(relax.to)}{' ' + unit if unit else ''}"
    message = translate(_RELAX_MESSAGES[relax.direction], relax.field, {"to": to})
    found = {"check": relax.check, "field": relax.field, "label": field.label(lang()),
             "direction": relax.direction, "to": relax.to, "unit": unit, "message": message}
    if parcels is not None:
        found["parcels"] = parcels
        found["message"] = _("%(change)s: %(count)s parcels", change=message, count=parcels)
    return found


def near_misses_json(result: MatchResult, labels: dict[str, str]) -> dict:
    """Return the closest misses of a match and what to relax (empty when enough passed)."""
    parcels = []
    for c in result.outcome.near_misses:
        failed = next(k for k in c.checks if not k.passed)
        parcels.append({"code": c.facts.code, "layer": c.facts.layer, "score": c.score,
                        "score_parts": c.score_parts, "failed": check_json(failed, labels),
                        "relax": relax_json(c.relax), "feature": result.features[c.facts.code]})
    return {"parcels": parcels,
            "suggestions": [relax_json(s.relax, s.parcels) for s in result.outcome.suggestions]}


def _needs_from_request() -> dict:
    body = json_body("MatchRequest", components)
    wrapped = isinstance(body, dict) and set(body) == {"needs"}
    needs = body["needs"] if wrapped else body
    if not isinstance(needs, dict):
        raise GeoError(N_("%(field)s must be a JSON object."), field="needs")
    check(needs, {"$ref": "#/components/schemas/MatchNeeds"}, components(),
          "needs" if wrapped else "")
    return needs


@bp.post("/api/match")
def api_match():
    """Match a project's needs to the parcels that can take it."""
    result = run_match(get_session(), _needs_from_request(), current_app.config["COUNTY"],
                       settings())
    return jsonify(result_json(result))


@bp.post("/api/match/explain/<code>")
def api_explain(code: str):
    """Show every check of one parcel against the needs: why it is, or is not, a candidate."""
    facts, checks, feature = explain_parcel(get_session(), _needs_from_request(), code,
                                            current_app.config["COUNTY"], settings())
    labels = check_labels()
    return jsonify({"code": facts.code, "layer": facts.layer,
                    "passed": not any(c.rejects for c in checks),
                    "failed": [c.name for c in checks if c.rejects],
                    "warnings": [c.name for c in checks if c.severity == "warning"],
                    "checks": [check_json(c, labels) for c in checks], "feature": feature})


# The form's sections, in reading order; a needs field listed in none (a new one) goes last.
FORM_SECTIONS = (
    (N_("Project"), ("industry", "chain", "land_class", "total_investment")),
    (N_("Land"), ("area_min_mu", "area_max_mu", "layers")),
    (N_("Location"), ("towns", "parks", "lon", "lat", "max_distance_km")),
    (N_("Planning indicators"), ("floor_area_m2", "plot_ratio", "building_coefficient",
                                 "office_share", "green_ratio")),
    (N_("Utilities"), ("power_kva", "water_t_per_day", "gas", "rail")),
    (N_("Or a factory building instead of bare land"),
     ("factory_floor_area_m2", "factory_clear_height_m", "factory_crane_t")),
    (N_("Emissions (environmental capacity)"), ()),
)
_DEGREE_FIELDS = ("lon", "lat")


def form_fields() -> list[dict]:
    """Return the needs form: each field's label, unit, choices and default, from the dictionary."""
    language = lang()
    return [{"name": f.name, "label": f.label(language),
             "unit": f.unit_label(language) or ("°" if f.name in _DEGREE_FIELDS else None),
             "kind": f.kind, "required": f.required, "min": f.min, "max": f.max,
             "default": DEFAULT_NEEDS.get(f.name, ""),
             "choices": [(c.value, c.en if language == "en" else c.zh) for c in f.choices]}
            for f in NEEDS_FIELDS]


def form_sections(fields: list[dict]) -> list[tuple[str, list[dict]]]:
    """Return the form's fields grouped in their sections, every needs field exactly once."""
    by_name = {f["name"]: f for f in fields}
    placed = {n for _title, names in FORM_SECTIONS for n in names}
    sections = [(_(title), [by_name[n] for n in names if n in by_name])
                for title, names in FORM_SECTIONS]
    rest = [f for f in fields if f["name"] not in placed]
    sections[-1][1].extend(rest)
    return [s for s in sections if s[1]]


def industry_option(code: str) -> str:
    """Return an industry as the form's list offers it: its code, then its name."""
    found = industry_codes().get(code[:2])
    return f"{code} {found.label(lang())}" if found and len(code) == 2 else code


@bp.get("/match")
def page():
    """Show the match form, the ranked results and the map."""
    figure = build_map(current_app.config, scripts=("js/match.js",))
    MatchHook({"labels": check_labels(), "text": {
        "whyNot": _("Why not?"), "passed": _("passed"), "failed": _("failed"),
        "noCandidates": _("No parcel passes every check."), "sheet": _("Parcel sheet"),
        "pair": _("Adjacent pair"), "score": _("Score"), "rejected": _("Ruled out"),
        "considered": _("Considered"), "candidates": _("Candidates"),
        "saved": _("Offers saved."), "value": _("Value"), "threshold": _("Threshold"),
        "source": _("Source"), "check": _("Check"), "unconfirmed": _("not confirmed"),
        "runFirst": _("Run a match first."), "select": _("Select"),
        "warning": _("warning"),
        "warningNote": _("Warning: a rule that is not confirmed; it does not rule the parcel out."),
        "rulesOn": _("Control indicators in force on"), "edition": _("edition"),
        "points": _("points"), "nearMisses": _("Closest misses: each fails one check"),
        "relaxHint": _("Click a change to apply it to the form and match again."),
        "fixBelow": _("Please correct these fields:"),
        "required": _("%(field)s is required.", field="{field}"),
        "notNumber": _("%(field)s must be a number.", field="{field}"),
        "range": _("%(field)s must be between %(min)s and %(max)s.", field="{field}",
                   min="{min}", max="{max}"),
    }, "weights": dict(settings().weights),
       "units": {"mu": _unit("mu"), "km": _unit("km")}}).add_to(figure)
    figure.get_root().render()
    county = load_county(current_app.config["COUNTY"])
    seat = county.settings.get("seat") or [None, None]
    # The rules in force today judge a match unless the officer picks another date.
    defaults = {**DEFAULT_NEEDS, "lon": seat[0], "lat": seat[1], "on": dt.date.today().isoformat(),
                "industry": industry_option(DEFAULT_NEEDS["industry"])}
    fields = form_fields()
    in_use = places(get_session(), county)  # the bureau's own outlines once loaded
    names = {kind: in_use.names(kind) for kind in ("towns", "parks")}
    for f in fields:
        f["default"] = defaults.get(f["name"], "")
        f["places"] = names.get(f["name"])
    return render_template("match.html", map=figure, sections=form_sections(fields),
                           projects=seeking_projects(get_session()),
                           industries=[industry_option(c) for c in industry_codes()])


def _date_text(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if lang() != "en" else day.isoformat()


def _value_text(value) -> str:
    if isinstance(value, bool):
        return str(value)
    return number_text(float(value)) if isinstance(value, int | float) else str(value)


@bp.get("/match/sheet/<code>")
def sheet(code: str):
    """Show the printable parcel sheet (推介单); with needs in the query, its checks too."""
    raw = {k: v for k, v in request.args.items() if k not in ("lang", "internal") and v != ""}
    result = parcel_sheet(get_session(), code, raw or None, current_app.config["COUNTY"],
                          settings())
    figure = inset_map(current_app.config, result.feature, result.neighbours)
    overview = overview_map(current_app.config, result.feature)
    figure.get_root().render()
    overview.get_root().render()
    language = lang()
    props = result.feature["properties"]
    # The sheet an investor gets says nothing of a current user's default (令53); staff may
    # print the internal one, marked so.
    internal = request.args.get("internal") == "1" and current_user.is_authenticated
    rows = []
    for f in fields_for("parcel", props.get("layer")):
        value = props.get(f.name)
        if value in (None, "") or (props.get("layer") in f.internal_on and not internal):
            continue
        if f.name == "area_m2":
            value = (f"{props['area_mu']:,.2f} {_unit('mu')}"
                     f"（{props['area_ha']:,.4f} {_unit('ha')}）")
        elif f.name in ("land_use", "planned_use") and land_use(
                props.get(f"{f.name}_system"), value):
            value = land_use(props.get(f"{f.name}_system"), value).label(language)
        elif f.name == "registered_area":
            unit = get_field("parcel", "registered_area_unit").choice_label(
                props.get("registered_area_unit") or "m2", language)
            value = f"{value:,} {unit}" if isinstance(value, int | float) else value
        elif f.name == "registered_area_unit":
            continue
        elif f.choices:
            value = f.choice_label(value, language)
        elif f.unit:
            value = f"{_value_text(value)} {f.unit_label(language)}"
        else:
            value = _value_text(value)
        rows.append((f.label(language), value))
    labels = check_labels()
    checks = [check_json(c, labels) for c in result.checks] if result.checks else None
    return render_template("sheet.html", map=figure, overview=overview, code=code, rows=rows,
                           checks=checks, contacts=result.contacts, props=props,
                           internal=internal, issue=result.issue,
                           issued_on=_date_text(result.issue.date),
                           availability=availability_json(result.availability))
