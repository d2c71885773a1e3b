"""Town and park outlines: the admin page and command that load the bureau's own."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.cli import with_appcontext
from flask_babel import force_locale, gettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField

from geo import boundaries
from geo.audit import SYSTEM
from geo.county import load_county
from geo.errors import GeoError
from webmap.auth import admin_required
from webmap.cli import CliError
from webmap.db import get_session
from webmap.errors import translate, user_message

bp = Blueprint("boundaries", __name__, url_prefix="/admin")


def register_places() -> boundaries.Places:
    """Return the towns and parks in use (the bureau's own where loaded, else the county's)."""
    return boundaries.places(get_session(), load_county(current_app.config["COUNTY"]))


class BoundariesForm(FlaskForm):
    """A file of town or park outlines, with the CRS and encoding when they must be named."""

    kind = SelectField("Kind")
    file = FileField("File")
    crs = StringField("CRS")
    encoding = StringField("Encoding")


def _kinds():
    return [("towns", _("Towns and townships")), ("parks", _("Industrial parks"))]


def _summary(loaded: boundaries.Loaded, moved: int) -> list[str]:
    lines = [translate(note, None, params) for note, params in loaded.notes]
    lines.append(gettext("%(n)s outlines loaded; %(moved)s parcels moved to another town or "
                         "park.", n=len(loaded.places), moved=moved))
    return lines


@bp.route("/boundaries", methods=["GET", "POST"])
@admin_required
def page():
    """Show the town and park outlines in use and load the bureau's own."""
    form = BoundariesForm()
    form.kind.choices = _kinds()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            flash(_("Choose a file."))
            status = 400
        else:
            name = upload.filename
            # Our own name for the copy; only the suffix (the format) is the user's.
            suffix = Path(name).suffix if Path(name).suffix[1:].isalnum() else ""
            with tempfile.TemporaryDirectory(prefix="landmatch-boundaries-") as folder:
                path = Path(folder) / f"file{suffix.lower()}"
                upload.save(path)
                try:
                    loaded, moved = boundaries.load_boundaries(
                        get_session(), path, form.kind.data, load_county(
                            current_app.config["COUNTY"]), current_user.name, source=name,
                        crs=form.crs.data or None, encoding=form.encoding.data or None,
                        max_unpacked=int(current_app.config["IMPORT_MAX_UNPACKED"]))
                except GeoError as error:
                    if error.params.get("value") == path.name:  # name the user's file
                        error.params["value"] = name
                    flash(user_message(error))
                    status = error.status
                else:
                    for line in _summary(loaded, moved):
                        flash(line)
                    return redirect(url_for("boundaries.page"))
    elif form.is_submitted():
        for errors in form.errors.values():
            for error in errors:
                flash(error)
        status = 400
    session = get_session()
    county = load_county(current_app.config["COUNTY"])
    in_use = boundaries.places(session, county)
    return render_template("boundaries.html", form=form, places=in_use,
                           rows={k: boundaries.current(session, k) for k in boundaries.KINDS},
                           kinds=dict(_kinds())), status


@click.command("import-boundaries")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", required=True, type=click.Choice(boundaries.KINDS))
@click.option("--crs", help="EPSG:n, or GCJ-02; by default the file's, else detected.")
@click.option("--encoding", help="Text encoding (UTF-8, GBK); by default .cpg, else detected.")
@click.option("--lang", default="zh", type=click.Choice(["zh", "en"]), show_default=True)
def import_boundaries(file, kind, crs, encoding, lang) -> None:
    """Replace the county's town or park outlines with the bureau's own (kept, versioned)."""
    county = load_county(current_app.config["COUNTY"])
    with force_locale(lang):
        try:
            with current_app.extensions["landmatch.sessions"]() as session:
                loaded, moved = boundaries.load_boundaries(
                    session, file, kind, county, SYSTEM, crs=crs, encoding=encoding,
                    max_unpacked=int(current_app.config["IMPORT_MAX_UNPACKED"]))
        except GeoError as error:
            raise CliError(user_message(error)) from None
        for line in _summary(loaded, moved):
            click.echo(line)
