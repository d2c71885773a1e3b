"""The ``landmatch`` command: Flask's own commands plus the register's."""

from __future__ import annotations

import datetime as dt
import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from geo.county import load_county
from geo.demo import DEFAULT_SEED, counts, load_demo
from geo.errors import GeoError
from geo.ledger_xlsx import import_ledger
from geo.register import migrate
from geo.register.backup import backup as backup_database
from geo.register.backup import backup_suffix
from geo.register.backup import restore as restore_database
from geo.users import ROLES, create_demo_accounts, create_user, set_password


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
        accounts = create_demo_accounts(session)
    click.echo(f"demo county loaded (synthetic data): {made}")
    if accounts:
        # Shown this once only: the database keeps nothing but Argon2 hashes.
        click.echo("demo accounts (write these down, they are not shown again):")
        for name, password in accounts.items():
            click.echo(f"  {name:<12} {password}")


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


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@click.group("user")
def user() -> None:
    """Staff accounts."""


@user.command("add")
@with_appcontext
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
def user_add(name: str, role: str) -> None:
    """Add an account; the password is read from standard input."""
    with _session() as session:
        try:
            create_user(session, name, _read_password(), role)
        except GeoError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"account {name} added ({role})")


@user.command("set-password")
@with_appcontext
@click.argument("name")
def user_set_password(name: str) -> None:
    """Set an account's password, read from standard input."""
    with _session() as session:
        try:
            set_password(session, name, _read_password())
        except GeoError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"password of {name} set")


@click.command("backup")
@with_appcontext
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Backup file (default: instance/backup-<time>.sqlite or .dump).")
def backup(output: str | None) -> None:
    """Write a consistent backup of the whole database while the app runs."""
    url = current_app.config["DATABASE_URL"]
    if not output:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        suffix = backup_suffix(url)
        os.makedirs(current_app.instance_path, exist_ok=True)
        output = os.path.join(current_app.instance_path, f"backup-{stamp}.{suffix}")
    try:
        path = backup_database(url, output)
    except GeoError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup written to {path}")


@click.command("restore")
@with_appcontext
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database.")
def restore(backup_file: str, yes: bool) -> None:
    """Replace the whole database with a backup (stop the app first)."""
    if not yes:
        click.confirm("This replaces every record in the database. Go on?", abort=True)
    current_app.extensions["landmatch.engine"].dispose()
    try:
        restore_database(current_app.config["DATABASE_URL"], backup_file)
    except GeoError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"database restored from {backup_file}")


def _create_app():
    from webmap import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """LandMatch: the county land register, its map and its key projects."""


def init_app(app) -> None:
    """Add the register's commands to the app's CLI (and so to ``landmatch``)."""
    from webmap.cli_interchange import export, import_command

    for command in (init_db, demo, export, import_command, ledger_import, user, backup, restore):
        app.cli.add_command(command)
