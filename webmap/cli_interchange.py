"""The ``landmatch import`` and ``landmatch export`` commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, gettext

from geo.boundaries import places
from geo.county import load_county
from geo.errors import GeoError
from geo.export import FORMATS, export_layer, format_for
from geo.features import LAYER_NAMES, get_layer, parse_bbox, parse_filters
from geo.importer import (
    Options,
    Plan,
    commit_plan,
    parse_overrides,
    parse_value_maps,
    plan_import,
    read_map_file,
)
from geo.importer.report import report_csv
from geo.land_use import SYSTEMS
from webmap.cli import CliError
from webmap.errors import translate, user_message
from webmap.i18n import field_label
from webmap.import_text import applied_text, grouped


class _Progress:
    """Progress bars on a terminal; one line per step elsewhere (logs, pipes)."""

    def __init__(self) -> None:
        self.total = 0
        self.bar = None
        self.stage = ""
        self.done = 0
        self.tty = sys.stdout.isatty()

    def __call__(self, stage: str, n: int) -> None:
        if stage == "read":
            self.total = n
            click.echo(gettext("rows read: %(n)s", n=n))
            return
        label = {"validated": gettext("rows validated"), "written": gettext("rows written")}
        if stage != self.stage:
            self.close()
            self.stage, self.done = stage, 0
            if self.tty:
                self.bar = click.progressbar(length=self.total, label=label[stage])
                self.bar.__enter__()
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif stage == "written" or self.done == self.total:
            click.echo(f"{label[stage]} {self.done}/{self.total}")
            sys.stdout.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _print_plan(plan: Plan, report_path: str | None) -> None:
    """Print the notes, the mapping used and the report grouped: one line per problem."""
    for note, params in plan.notes:
        click.echo(translate(note, None, params))
    click.echo(gettext("Columns:"))
    fields = {f.name: f for f in get_layer(plan.layer).fields}
    for column, target in plan.mapping.items():
        shown = field_label(fields[target]) + f" ({target})" if target in fields else (
            target or gettext("(left out)"))
        click.echo(f"  {column} → {shown}")
    if plan.applied:
        click.echo(gettext("Value mapping:"))
        for applied in plan.applied:
            click.echo("  " + applied_text(plan, applied))
    lines = grouped(plan, command_line=True)
    if lines:
        click.echo(gettext("Report:"))
        for line in lines:
            mark = (gettext("note") if line.note else gettext("error")
                    if line.severity == "error" else gettext("warning"))
            click.echo(f"  {mark}\t{line.text}")
        if not report_path:
            click.echo(gettext("Every row's findings: add --report report.csv."))


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--layer", "layer_name", required=True, type=click.Choice(["idle", "stock"]))
@click.option("--crs", help="EPSG:n, or GCJ-02; by default the file's, else detected.")
@click.option("--encoding", help="Text encoding (UTF-8, GBK); by default .cpg, else detected.")
@click.option("--source-layer", help="Layer of a GeoPackage, sheet of a workbook, .shp in a zip.")
@click.option("--map", "mappings", multiple=True, metavar="COLUMN=FIELD",
              help="Map a column to a field (or =extra, or = to leave it out).")
@click.option("--map-value", "value_mappings", multiple=True, metavar="COLUMN:SOURCE=TARGET",
              help="Read a word of a column as a value (stored value or its zh/en label), "
                   "e.g. 状态:可供=可供地.")
@click.option("--map-file", type=click.Path(exists=True, dir_okay=False),
              help='JSON: {"columns": {"宗地号": "code"}, "values": {"状态": {"可供": "可供地"}}};'
                   " --map and --map-value add to it.")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Also write the report as CSV.")
@click.option("--no-county-check", is_flag=True, help="Accept parcels outside the county.")
@click.option("--area-tolerance", default=1.0, show_default=True, type=click.FloatRange(0, 100),
              help="Registered vs computed area (warned), and a repair's area change, in percent.")
@click.option("--code-system", type=click.Choice(SYSTEMS),
              help="Code system of the current land use (by default told from codes and names).")
@click.option("--planned-code-system", type=click.Choice(SYSTEMS),
              help="Code system of the planned land use (by default told from codes and names).")
@click.option("--lang", default="zh", type=click.Choice(["zh", "en"]), show_default=True)
def import_command(file, layer_name, crs, encoding, source_layer, mappings, value_mappings,
                   map_file, dry_run, report_path, no_county_check, area_tolerance, code_system,
                   planned_code_system, lang) -> None:
    """Import a Shapefile (zipped), GeoPackage, GeoJSON, CSV or XLSX file into a layer."""
    county = load_county(current_app.config["COUNTY"])
    progress = _Progress()
    with current_app.extensions["landmatch.sessions"]() as session:
        in_use = places(session, county)
    with force_locale(lang):
        try:
            overrides, value_maps = read_map_file(map_file) if map_file else ({}, {})
            overrides.update(parse_overrides(mappings))
            for column, words in parse_value_maps(value_mappings).items():
                value_maps.setdefault(column, {}).update(words)
            plan = plan_import(
                file, layer_name, crs=crs, encoding=encoding, value_maps=value_maps,
                overrides=overrides, source_layer=source_layer,
                options=Options(area_tolerance=area_tolerance / 100,
                                repair_tolerance=area_tolerance / 100,
                                county=None if no_county_check else county.outline,
                               places=in_use,
                               max_unpacked=int(current_app.config["IMPORT_MAX_UNPACKED"]),
                               code_systems={k: v for k, v in (
                                   ("land_use", code_system),
                                   ("planned_use", planned_code_system)) if v}),
                central_meridian=county.gk_central_meridian, progress=progress)
            progress.close()
            _print_plan(plan, report_path)
            if report_path:
                Path(report_path).write_text(report_csv(
                    plan.issues, lambda i: translate(i.message, i.field, i.params),
                    {}), encoding="utf-8")
            if dry_run:
                click.echo(gettext("Dry run: %(ok)s rows would be written, %(bad)s rejected; "
                                   "nothing was written.", ok=len(plan.records),
                                   bad=len({i.row for i in plan.errors})))
                sys.exit(0 if plan.ok else 1)
            sessions = current_app.extensions["landmatch.sessions"]
            with sessions() as session:
                created, updated = commit_plan(session, plan, Path(file).name, progress)
            progress.close()
        except GeoError as error:
            progress.close()
            raise CliError(user_message(error)) from None
        click.echo(gettext("%(created)s parcels added, %(updated)s updated.",
                           created=created, updated=updated))


@click.command("export")
@with_appcontext
@click.option("--layer", "layer_name", required=True, type=click.Choice(LAYER_NAMES))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="File; its extension picks the format: " + ", ".join(FORMATS) + ".")
@click.option("--headers", default="zh", type=click.Choice(["zh", "en", "names"]),
              show_default=True, help="Column headers: Chinese or English labels, or names.")
@click.option("--crs", help="Write in this CRS (e.g. EPSG:4546, the county's GK zone).")
@click.option("--bbox", help="minx,miny,maxx,maxy (lon/lat).")
@click.option("--filter", "filters", multiple=True, metavar="NAME=VALUE",
              help="The map's filters, as in /api/parcels (status=idle,disposing).")
@click.option("--lang", default="zh", type=click.Choice(["zh", "en"]), show_default=True)
def export(layer_name: str, output: str, headers: str, crs: str | None, bbox: str | None,
           filters: tuple[str, ...], lang: str) -> None:
    """Write one layer to a file: .geojson, .gpkg, .shp.zip, .csv or .xlsx."""
    layer = get_layer(layer_name)
    with force_locale(lang):
        _export(layer, output, headers, crs, bbox, filters)


def _export(layer, output, headers, crs, bbox, filters) -> None:
    try:
        fmt = format_for(output)
        args = dict(f.partition("=")[::2] for f in filters)
        with current_app.extensions["landmatch.sessions"]() as session:
            n = export_layer(session, layer, fmt, output, headers=headers, crs=crs,
                             bbox=parse_bbox(bbox) if bbox else None,
                             filters=parse_filters(layer, args))
    except GeoError as error:
        raise CliError(user_message(error)) from None
    click.echo(gettext("%(n)s features written to %(output)s", n=n, output=output))
