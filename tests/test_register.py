"""The register layer is the one home of storage: no other module names a database dialect."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sqlalchemy.orm import Session

from geo.register import backend_for, default_url, make_engine
from geo.register.backup import backup_suffix

ROOT = Path(__file__).resolve().parent.parent
# The places where SpatiaLite and PostGIS may be told apart.
HOMES = ("geo/register/", "geo/migrations/")
DIALECT = re.compile(r"dialect|postgres|postgis|sqlite|spatialite|psycopg", re.IGNORECASE)
# Strings that carry one of those words without deciding anything about the database:
# (file, exact text, why it may stay).
ALLOWED = {
    ("geo/export.py", "application/geopackage+sqlite3"):
        "a GeoPackage's media type names its container format, not our database",
    ("webmap/cli.py", "Backup file (default: instance/backup-<time>.sqlite or .dump)."):
        "help text telling the user the file names geo/register chooses",
}


def _docstrings(tree: ast.AST) -> set[int]:
    """Return the ids of the string nodes that are docstrings (prose, like comments)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                found.add(id(body[0].value))
    return found


def _words(tree: ast.AST):
    """Yield (line, text) of every name and string the code uses, docstrings left out."""
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value
        elif isinstance(node, ast.Name):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, ast.alias):
            yield node.lineno, node.name
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, node.module or ""
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            yield node.lineno, node.name
        elif isinstance(node, ast.arg):
            yield node.lineno, node.arg
        elif isinstance(node, ast.keyword) and node.arg:
            yield node.value.lineno, node.arg


def _dialect_names() -> list[str]:
    found = []
    for package in ("geo", "webmap"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name.startswith(HOMES):
                continue
            for line, word in _words(ast.parse(path.read_text(encoding="utf-8"))):
                if DIALECT.search(word) and (name, word) not in ALLOWED:
                    found.append(f"{name}:{line}: {word!r}")
    return found


def test_no_module_outside_the_register_names_a_database_dialect():
    found = _dialect_names()
    assert not found, "move these into geo/register/:\n" + "\n".join(found)


def test_the_dialect_check_sees_code_and_not_comments_or_docstrings():
    tree = ast.parse('"""Reads SpatiaLite."""\n# on PostGIS too\n'
                     'def f(s):\n    """As SQLite does."""\n'
                     '    return s.get_bind().dialect.name == "postgresql"\n')
    assert sorted(w for _, w in _words(tree) if DIALECT.search(w)) == ["dialect", "postgresql"]


def test_every_allowed_exception_is_still_in_its_file():
    for (name, text), _why in ALLOWED.items():
        assert text in (ROOT / name).read_text(encoding="utf-8"), name


def test_the_adapter_is_the_same_for_a_session_its_engine_and_its_url(empty_db_url):
    engine = make_engine(empty_db_url)
    try:
        with Session(engine) as session:
            backend = backend_for(session)
            assert backend is backend_for(engine) is backend_for(empty_db_url)
            with engine.connect() as connection:
                assert backend_for(connection) is backend
    finally:
        engine.dispose()
    assert backup_suffix(empty_db_url) == backend.backup_suffix


def test_a_fresh_install_keeps_its_register_in_a_file_of_its_instance_folder(tmp_path):
    url = default_url(tmp_path)
    assert url.endswith(str(tmp_path / "landmatch.sqlite"))
    assert backend_for(url).name == "spatialite" and backup_suffix(url) == "sqlite"
