"""The ``landmatch`` command: Flask's own commands plus the register's."""

from __future__ import annotations

import datetime as dt
import os
import sys
from functools import wraps

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import force_locale, gettext

from geo.county import load_county
from geo.demo import DEFAULT_SEED, counts, load_demo
from geo.errors import GeoError
from geo.ledger_xlsx import import_ledger
from geo.register import migrate
from geo.register.backup import backup as backup_database
from geo.register.backup import backup_suffix
from geo.register.backup import restore as restore_database
from geo.users import ROLES, create_demo_accounts, create_user, set_password
from webmap.errors import user_message


def _engine():
    return current_app.extensions["landmatch.engine"]


def _session():
    return current_app.extensions["landmatch.sessions"]()


class CliError(click.ClickException):
    """A refusal on the command line, "Error" included, in the interface's language.

    The prefix is translated when the error is made: click shows it after the command has
    left its app context, where there is no language any more.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.prefix = gettext("Error")

    def show(self, file=None) -> None:
        """Print the message on standard error, after the translated prefix."""
        click.echo(f"{self.prefix}: {self.format_message()}", file=file, err=True)


def in_user_language(command):
    """Run ``command`` in the interface's language (``LANDMATCH_BABEL_DEFAULT_LOCALE``,
    Chinese unless set), as the pages are shown; goes under ``with_appcontext``."""

    @wraps(command)
    def run(*args, **kwargs):
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return command(*args, **kwargs)

    return run


@click.command("init-db")
@with_appcontext
@in_user_language
def init_db() -> None:
    """Create the database, or bring its schema up to date."""
    migrate(_engine())
    click.echo(gettext("database ready: %(url)s",
                       url=_engine().url.render_as_string(hide_password=True)))


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the register holds parcels.")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, help="Random seed.")
@in_user_language
def demo(if_empty: bool, seed: int) -> None:
    """Load the synthetic demo county (Xiangfen) into an empty register."""
    migrate(_engine())
    with _session() as session:
        existing = counts(session)
        if existing["idle"] + existing["stock"] + existing["projects"]:
            if if_empty:
                click.echo(gettext("register not empty, demo not loaded: %(counts)s",
                                   counts=existing))
                return
            raise CliError(gettext(
                "the register already holds data; the demo loads only into an empty one"))
        made = load_demo(session, load_county(current_app.config["COUNTY"]), seed=seed)
        accounts = create_demo_accounts(session)
    click.echo(gettext("demo county loaded (synthetic data): %(made)s", made=made))
    if accounts:
        # Shown this once only: the database keeps nothing but Argon2 hashes.
        click.echo(gettext("demo accounts (write these down, they are not shown again):"))
        for name, password in accounts.items():
            click.echo(f"  {name:<12} {password}")


@click.command("ledger-import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
@in_user_language
def ledger_import(file: str, dry_run: bool) -> None:
    """Import the county's ledger sheet (XLSX): every row or none."""
    with _session() as session:
        try:
            result = import_ledger(session, file, dry_run=dry_run,
                                   county=current_app.config["COUNTY"])
        except GeoError as error:
            raise CliError(user_message(error)) from None
    for column in result.ignored:
        click.echo(gettext("column not understood, ignored: %(column)s", column=column))
    for row, code, name in result.new_codes:
        click.echo(gettext("row %(row)s: new project %(name)s gets code %(code)s", row=row,
                           name=name, code=code))
    for problem in result.problems:
        click.echo(gettext("row %(row)s: %(message)s", row=problem.row,
                           message=user_message(problem.error)), err=True)
    if result.problems:
        raise CliError(gettext("%(n)s problems: nothing imported", n=len(result.problems)))
    counts_ = {"rows": result.rows, "created": result.created, "updated": result.updated,
               "progress": result.progress, "transitions": result.transitions}
    click.echo(gettext("would import %(rows)s rows: %(created)s new projects, %(updated)s "
                       "updated, %(progress)s progress entries, %(transitions)s stage changes",
                       **counts_) if dry_run else
               gettext("imported %(rows)s rows: %(created)s new projects, %(updated)s updated, "
                       "%(progress)s progress entries, %(transitions)s stage changes",
                       **counts_))


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt(gettext("password"), hide_input=True,
                            confirmation_prompt=gettext("Repeat the password"))
    return sys.stdin.readline().rstrip("\n")


@click.group("user")
def user() -> None:
    """Staff accounts."""


@user.command("add")
@with_appcontext
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@in_user_language
def user_add(name: str, role: str) -> None:
    """Add an account; the password is read from standard input."""
    with _session() as session:
        try:
            create_user(session, name, _read_password(), role)
        except GeoError as error:
            raise CliError(user_message(error)) from None
    click.echo(gettext("account %(name)s added (%(role)s)", name=name, role=role))


@user.command("set-password")
@with_appcontext
@click.argument("name")
@in_user_language
def user_set_password(name: str) -> None:
    """Set an account's password, read from standard input."""
    with _session() as session:
        try:
            set_password(session, name, _read_password())
        except GeoError as error:
            raise CliError(user_message(error)) from None
    click.echo(gettext("password of %(name)s set", name=name))


@click.command("backup")
@with_appcontext
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Backup file (default: instance/backup-<time>.sqlite or .dump).")
@in_user_language
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
        raise CliError(user_message(error)) from None
    click.echo(gettext("backup written to %(path)s", path=path))


@click.command("restore")
@with_appcontext
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database.")
@in_user_language
def restore(backup_file: str, yes: bool) -> None:
    """Replace the whole database with a backup (stop the app first)."""
    if not yes and not click.confirm(gettext(
            "This replaces every record in the database. Go on?")):
        raise CliError(gettext("Nothing was changed."))
    current_app.extensions["landmatch.engine"].dispose()
    try:
        restore_database(current_app.config["DATABASE_URL"], backup_file)
    except GeoError as error:
        raise CliError(user_message(error)) from None
    click.echo(gettext("database restored from %(file)s", file=backup_file))


def _create_app():
    from webmap import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """LandMatch: the county land register, its map and its key projects."""


def init_app(app) -> None:
    """Add the register's commands to the app's CLI (and so to ``landmatch``)."""
    from webmap.boundaries import import_boundaries
    from webmap.cli_interchange import export, import_command

    for command in (init_db, demo, export, import_command, import_boundaries, ledger_import,
                    user, backup, restore):
        app.cli.add_command(command)
