"""The ``landmatch`` command: Flask's own commands plus the register's."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from geo.county import load_county
from geo.db import migrate
from geo.demo import DEFAULT_SEED, counts, load_demo


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


def _create_app():
    from webmap import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """LandMatch: the county land register, its map and its key projects."""


def init_app(app) -> None:
    """Add the register's commands to the app's CLI (and so to ``landmatch``)."""
    from webmap.cli_interchange import export, import_command

    for command in (init_db, demo, export, import_command):
        app.cli.add_command(command)
