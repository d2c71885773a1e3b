"""The ``landmatch`` command: Flask's own commands plus the register's."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from geo.county import load_county
from geo.db import migrate
from geo.demo import DEFAULT_SEED, counts, load_demo
from geo.ledger_xlsx import import_ledger


def _engine():
    return current_app.extensions["landmatch.engine"]


def _session():
    return current_app.extensions["landmatch.sessions"]()


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database, or bring its schema up to date."""
    migrate(_engine())
    click.echo(f"database ready: {_engine().url.render_as_string(hide_password=True)}")


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the register holds parcels.")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, help="Random seed.")
def demo(if_empty: bool, seed: int) -> None:
    """Load the synthetic demo county (Xiangfen) into an empty register."""
    migrate(_engine())
    with _session() as session:
        existing = counts(session)
        if existing["idle"] + existing["stock"] + existing["projects"]:
            if if_empty:
                click.echo(f"register not empty, demo not loaded: {existing}")
                return
            raise click.ClickException(
                "the register already holds data; the demo loads only into an empty one")
        made = load_demo(session, load_county(current_app.config["COUNTY"]), seed=seed)
    click.echo(f"demo county loaded (synthetic data): {made}")


@click.command("ledger-import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
def ledger_import(file: str, dry_run: bool) -> None:
    """Import the county's ledger sheet (XLSX): every row or none."""
    with _session() as session:
        result = import_ledger(session, file, dry_run=dry_run)
    for column in result.ignored:
        click.echo(f"column not understood, ignored: {column}")
    for problem in result.problems:
        click.echo(f"row {problem.row}: {problem.error}", err=True)
    if result.problems:
        raise click.ClickException(f"{len(result.problems)} problems: nothing imported")
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {result.rows} rows: {result.created} new projects, {result.updated} "
               f"updated, {result.progress} progress entries, {result.transitions} stage changes")


def _create_app():
    from webmap import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """LandMatch: the county land register, its map and its key projects."""


def init_app(app) -> None:
    """Add the register's commands to the app's CLI (and so to ``landmatch``)."""
    from webmap.cli_interchange import export, import_command

    for command in (init_db, demo, export, import_command, ledger_import):
        app.cli.add_command(command)
