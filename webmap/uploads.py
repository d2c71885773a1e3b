"""The upload page for editors: send a file, see the mapping and the report, then commit."""

from __future__ import annotations

import json
import queue
import re
import secrets
import shutil
import threading
import time
from pathlib import Path

import shapely
from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import gettext, lazy_gettext
from werkzeug.utils import secure_filename

from geo.boundaries import places
from geo.county import load_county
from geo.errors import N_, GeoError
from geo.fields import CODE_SYSTEMS
from geo.importer import Options, Outcome, import_file
from geo.importer.mapping import EXTRA, EXTRA_JSON, SKIP, importable_fields
from geo.importer.report import report_csv, report_rows
from geo.land_use import SYSTEMS
from webmap.auth import editor_required
from webmap.db import get_session
from webmap.errors import _respond, translate, user_message
from webmap.i18n import field_label, lang
from webmap.import_text import applied_text, grouped, target_label
from webmap.mapview import layer_title

bp = Blueprint("uploads", __name__)
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
NDJSON = "application/x-ndjson"
SUFFIXES = (".zip", ".gpkg", ".geojson", ".json", ".csv", ".xlsx")
ISSUES_SHOWN = 100  # per-row findings sent to the page; all of them are in the CSV download
# The command line's options as the page names its own controls: a message from geo/ that
# advises an option reads, on the page, as the box or table to use (longest first).
PAGE_WORDS = (
    ("--map column=code", lazy_gettext("the Columns table (choose 地块编号 for a column)")),
    ("--map 列名=code", lazy_gettext("the Columns table (choose 地块编号 for a column)")),
    ("--source-layer", lazy_gettext("the box Layer or sheet in the file")),
    ("--encoding", lazy_gettext("the box Encoding")),
    ("--crs", lazy_gettext("the box Coordinate system")),
)


def page_words(message: str) -> str:
    """Return ``message`` with command-line options named as the page's controls."""
    for option, words in PAGE_WORDS:
        message = message.replace(option, str(words))
    return message


def _folder(token: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise GeoError(N_("The upload has expired; send the file again."), field="file")
    uploads = Path(current_app.instance_path) / "uploads"
    _sweep(uploads, current_app.config["UPLOAD_MAX_AGE"])  # also when nobody uploads anew
    folder = uploads / token
    if not folder.is_dir():
        raise GeoError(N_("The upload has expired; send the file again."), field="file")
    return folder


def _store() -> tuple[str, str]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise GeoError(N_("Choose a file to import."), field="file")
    name = secure_filename(upload.filename) or "upload"
    suffix = next((s for s in SUFFIXES if upload.filename.lower().endswith(s)), None)
    if suffix is None:
        raise GeoError(N_("%(value)s is not a format LandMatch imports; send a zipped "
                          "Shapefile, GeoPackage, GeoJSON, CSV or XLSX file."), field="file",
                       value=upload.filename)
    _sweep(Path(current_app.instance_path) / "uploads", current_app.config["UPLOAD_MAX_AGE"])
    token = secrets.token_hex(16)
    folder = Path(current_app.instance_path) / "uploads" / token
    folder.mkdir(parents=True)
    # secure_filename drops Chinese letters: keep the suffix so the reader knows the format
    upload.save(folder / ("file" + suffix))
    (folder / "name.txt").write_text(upload.filename, encoding="utf-8")
    return token, name


def _sweep(uploads: Path, max_age: float) -> None:
    """Remove uploads older than ``max_age`` seconds: checked files nobody committed."""
    if not uploads.is_dir():
        return
    now = time.time()
    for folder in uploads.iterdir():
        if _TOKEN.match(folder.name) and now - folder.stat().st_mtime > max_age:
            shutil.rmtree(folder, ignore_errors=True)


def _settings(token: str) -> dict:
    form = request.form
    try:
        overrides = json.loads(form.get("map") or "{}")
    except (ValueError, RecursionError):
        overrides = None
    if not isinstance(overrides, dict) or not all(
            isinstance(v, str) for v in overrides.values()):
        raise GeoError(N_("%(field)s must be a JSON object of column names to field names, "
                          'e.g. {"地块编号": "code"}.'), field="map")
    systems = {field: form.get(name) for field, name in (("land_use", "code_system"),
                                                         ("planned_use", "planned_code_system"))
               if form.get(name)}
    for name, system in systems.items():
        if system not in SYSTEMS:
            raise GeoError(N_("%(field)s must be one of: %(choices)s."), field=name,
                           choices="、".join(SYSTEMS))
    try:
        values = json.loads(form.get("values") or "{}")
    except (ValueError, RecursionError):
        values = None
    if not isinstance(values, dict) or not all(
            isinstance(words, dict) and all(isinstance(t, str) for t in words.values())
            for words in values.values()):
        raise GeoError(N_("The value mapping must be a JSON object of columns to {word: value}, "
                          'e.g. {"状态": {"可供": "available"}}.'), field="map_value")
    # a word left on "(not mapped)" comes as ""; it stays unknown
    values = {c: {w: t for w, t in words.items() if t} for c, words in values.items()}
    return {"layer": form.get("layer", ""), "crs": form.get("crs") or None,
            "systems": systems,
            "encoding": form.get("encoding") or None,
            "source_layer": form.get("source_layer") or None, "overrides": overrides,
            "values": {c: words for c, words in values.items() if words}}


def _run(token: str, settings: dict, commit: bool, session=None, progress=None) -> Outcome:
    folder = _folder(token)
    path = next(p for p in folder.iterdir() if p.name.startswith("file"))
    county = load_county(current_app.config["COUNTY"])
    filename = (folder / "name.txt").read_text(encoding="utf-8")
    try:
        return _import(session, path, filename, settings, commit, county, progress)
    except GeoError as error:
        if error.params.get("value") == path.name:  # name the user's file, not our copy
            error.params["value"] = filename
        raise


def _import(session, path, filename, settings, commit, county, progress) -> Outcome:
    session = session or get_session()
    return import_file(
        session, path, settings["layer"], commit=commit,
        filename=filename,
        crs=settings["crs"], encoding=settings["encoding"],
        source_layer=settings["source_layer"], overrides=settings["overrides"],
        value_maps=settings["values"],
        options=Options(county=county.outline, places=places(session, county),
                        max_unpacked=int(current_app.config["IMPORT_MAX_UNPACKED"]),
                        code_systems=settings["systems"]),
        central_meridian=county.gk_central_meridian,
        progress=progress)


def _answer(token: str, commit: bool) -> Response:
    """Answer JSON; or, for ``Accept: application/x-ndjson``, progress lines then the result.

    The streamed form lets the page show rows validated and written while a large file is
    processed: the work runs in a thread with its own session, the response relays its
    progress (about one line per percent) and ends with ``{"result": …}`` or ``{"error": …}``.
    """
    settings = _settings(token)
    if request.accept_mimetypes.best != NDJSON:
        try:
            outcome = _run(token, settings, commit)
        except GeoError as error:
            return _respond(error.status, error.code, page_words(user_message(error)),
                            error.field)
        if commit:
            shutil.rmtree(_folder(token), ignore_errors=True)  # written: the upload is done
        return jsonify(_plan_json(token, outcome))
    _folder(token)  # refuse a bad token before the stream starts
    app = current_app._get_current_object()
    events: queue.Queue = queue.Queue()
    result: dict = {}
    counts = {"total": 0, "sent": 0, "done": 0, "stage": ""}

    def progress(stage: str, n: int) -> None:
        if stage == "read":
            counts["total"] = n
        if stage != counts["stage"]:
            counts.update(stage=stage, done=0, sent=0)
        counts["done"] = n if stage == "read" else counts["done"] + n
        step = max(1, counts["total"] // 100)
        if counts["done"] - counts["sent"] >= step or counts["done"] >= counts["total"]:
            counts["sent"] = counts["done"]
            events.put({"stage": stage, "done": counts["done"], "total": counts["total"]})

    def work() -> None:
        with app.app_context(), app.extensions["landmatch.sessions"]() as session:
            try:
                result["outcome"] = _run(token, settings, commit, session, progress)
            except GeoError as error:
                result["error"] = error
            except Exception:  # logged here; the user gets the generic message
                app.logger.exception("import failed")
                result["crash"] = True
            finally:
                events.put(None)

    def lines():
        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        while (event := events.get()) is not None:
            yield json.dumps({"progress": event}) + "\n"
        thread.join()
        if "outcome" in result:
            if commit:
                shutil.rmtree(_folder(token), ignore_errors=True)
            yield json.dumps({"result": _plan_json(token, result["outcome"])},
                             ensure_ascii=False) + "\n"
            return
        error = result.get("error")
        body = ({"code": error.code, "message": page_words(user_message(error)),
                 "field": error.field}
                if error else {"code": "internal", "message": gettext(
                    "Something went wrong on the server; it has been logged. Please try "
                    "again.")})
        yield json.dumps({"error": body}, ensure_ascii=False) + "\n"

    return Response(stream_with_context(lines()), mimetype=NDJSON)


def _issue_text(issue) -> str:
    return translate(issue.message, issue.field, issue.params)


def _plan_json(token: str, outcome: Outcome) -> dict:
    plan = outcome.plan
    fields = importable_fields(plan.layer)
    labels = {f.name: field_label(f) for f in fields}
    labels.update({EXTRA: gettext("keep in other attributes"), SKIP: gettext("leave out"),
                   EXTRA_JSON: gettext("other attributes (JSON)")})
    lines = grouped(plan, command_line=False)
    return {
        "token": token, "ok": plan.ok, "rows": plan.source.size,
        "accepted": len(plan.records), "rejected": len({i.row for i in plan.errors}),
        "notes": [page_words(translate(note, None, params)) for note, params in plan.notes],
        "mapping": [{"column": c, "field": t} for c, t in plan.mapping.items()],
        "choices": [{"value": k, "label": v} for k, v in labels.items()],
        "groups": [{"severity": line.severity, "field": labels.get(line.field or "", ""),
                    "severity_label": gettext("note") if line.note else gettext("error")
                    if line.severity == "error" else gettext("warning"),
                    "count": line.count, "rows": list(line.rows), "text": line.text}
                   for line in lines],
        "unknown": _unknown(plan, lines, fields),
        "values": [{"column": a.column, "source": a.source, "target": a.target,
                    "target_label": target_label(plan, a.field, a.target), "rows": a.rows,
                    "how": a.how, "text": applied_text(plan, a)} for a in plan.applied],
        "issues": [{**r, "field": labels.get(r["field"], r["field"]),
                    "severity_label": gettext("error") if r["severity"] == "error"
                    else gettext("warning")}
                   for r in report_rows(plan.issues[:ISSUES_SHOWN], _issue_text)],
        "issues_total": len(plan.issues),
        "preview": _preview(plan),
        "created": outcome.created, "updated": outcome.updated,
    }


def _unknown(plan, lines, fields) -> list[dict]:
    """Return each choice column's unknown words, their row counts and the values to pick."""
    by_name = {f.name: f for f in fields}
    columns = {name: column for column, name in plan.mapping.items()}
    result = []
    for line in lines:
        f = by_name.get(line.field or "")
        if not line.values or f is None or f.kind != "choice" or f.name not in columns:
            continue
        result.append({
            "column": columns[f.name], "field": f.name, "label": field_label(f),
            "words": [{"word": w, "rows": n} for w, n in line.values],
            "choices": [{"value": c.value, "label": f.choice_label(c.value, lang())}
                        for c in f.choices]})
    return result


def _preview(plan) -> dict:
    """Return the plan's preview shapes as GeoJSON (lon/lat), each with its row and fate."""
    shapes = shapely.from_wkb([wkb for _, _, wkb, _ in plan.preview])
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(shapely.to_geojson(shape)),
         "properties": {"row": line, "code": code or "", "rejected": rejected}}
        for (line, code, _, rejected), shape in zip(plan.preview, shapes, strict=True)]}


@bp.get("/import")
@editor_required
def page():
    """Show the upload page."""
    return render_template("import.html", layer_title=layer_title, code_systems=CODE_SYSTEMS,
                           language=lang())


@bp.post("/import/check")
@editor_required
def check():
    """Check an uploaded file (or the last one again, with a new mapping); write nothing.
    ---
    post:
      tags: [Import]
      summary: Upload a file and get its column mapping and validation report
      description: >
        Multipart form: file (or token of an earlier upload), layer (idle|stock), crs,
        encoding, source_layer, map (JSON object column → field), values (JSON object
        column → {word in the file: value or its label}). Needs the CSRF token.
      responses:
        200: {description: "Mapping, value mapping used, unknown words with their row
          counts, notes (CRS, encoding), the report grouped by problem, the first per-row
          findings and a GeoJSON preview of the outlines"}
        400: {description: "The file cannot be read, or a setting is wrong"}
    """
    token = request.form.get("token")
    if not token:
        token, _ = _store()
    return _answer(token, commit=False)


@bp.post("/import/commit")
@editor_required
def commit():
    """Write a checked upload to the register, all rows or none.
    ---
    post:
      tags: [Import]
      summary: Commit an upload checked before (same form fields, with its token)
      responses:
        200: {description: "How many parcels were added and updated"}
        400: {description: Rows were rejected; nothing was written}
    """
    return _answer(request.form.get("token", ""), commit=True)


@bp.post("/import/report.csv")
@editor_required
def report():
    """Download the validation report of an upload as CSV."""
    token = request.form.get("token", "")
    outcome = _run(token, _settings(token), commit=False)
    headers = {"row": gettext("Row"), "code": gettext("Code"), "field": gettext("Field"),
               "severity": gettext("Severity"), "message": gettext("Message")}
    return Response(report_csv(outcome.plan.issues, _issue_text, headers),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="report.csv"'})
