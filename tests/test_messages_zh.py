"""Every message in the user's language: each message id of the code, pages and command line
is in the Chinese catalogue, translated (not empty, not fuzzy, the same placeholders)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.interchange_helpers import seat_parcels

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "webmap/translations/zh/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalogue():
    with CATALOGUE.open("rb") as f:
        return read_po(f, locale="zh")


def _message_ids() -> dict[str, str]:
    """Return every message id the code, the templates and the CLI use, with where."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
                "N_": None}
    found: dict[str, str] = {}
    for folder in ("geo", "webmap"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
                ROOT / folder, [(m.replace(f"{folder}/", "", 1), how) for m, how in method_map],
                options_map={k.replace(f"{folder}/", "", 1): v for k, v in options_map.items()},
                keywords=keywords):
            for msgid in message if isinstance(message, tuple) else (message,):
                if msgid:
                    found.setdefault(msgid, f"{folder}/{filename}:{lineno}")
    return found


def test_every_message_id_of_the_code_has_a_chinese_translation():
    catalogue = _catalogue()
    ids = _message_ids()
    assert len(ids) > 300  # the walk found the code's messages, not nothing
    missing = {i: where for i, where in ids.items()
               if i not in catalogue or not catalogue[i].string
               or catalogue[i].fuzzy}
    assert missing == {}, "append these to messages.po with their translation"


def test_no_entry_of_the_catalogue_is_empty_fuzzy_or_drops_a_placeholder():
    problems = []
    for message in _catalogue():
        if not message.id:
            continue  # the header
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(("untranslated or fuzzy", ids[0]))
            continue
        wanted = set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                problems.append(("placeholders differ", ids[0]))
    assert problems == []


# The command line speaks the interface's language too (Chinese unless configured).
@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_ledger_import_names_the_row_and_field_in_chinese(app, tmp_path):
    from tests.test_ledger_pages import _book

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_book(["N2", "坏", "签约", "很多"]).getvalue())
    result = app.test_cli_runner().invoke(args=["ledger-import", str(bad)])
    assert result.exit_code == 1
    assert "第 2 行：" in result.output and "数字" in result.output, result.output
    assert "must be" not in result.output and "row 2" not in result.output
    assert "错误: 共 1 个问题：未导入任何数据" in result.output


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_the_command_line_speaks_english_when_the_interface_is_set_to(app, tmp_path):
    from tests.test_ledger_pages import _book

    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_book(["N2", "坏", "签约", "很多"]).getvalue())
    result = app.test_cli_runner().invoke(args=["ledger-import", str(bad)])
    assert "row 2:" in result.output and "Error: 1 problems: nothing imported" in result.output


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_every_register_command_answers_in_chinese(app, tmp_path):
    runner = app.test_cli_runner()
    outputs = {
        "init-db": runner.invoke(args=["init-db"]),
        "demo": runner.invoke(args=["demo", "--if-empty"]),
        "user add": runner.invoke(args=["user", "add", "wang", "--role", "viewer"],
                                  input="a long enough password\n"),
        "user add (short)": runner.invoke(args=["user", "add", "li", "--role", "viewer"],
                                          input="short\n"),
        "backup": runner.invoke(args=["backup", "-o", str(tmp_path / "b.sqlite")]),
        "restore (declined)": runner.invoke(args=["restore", str(tmp_path / "b.sqlite")],
                                            input="n\n"),
        "export": runner.invoke(args=["export", "--layer", "idle", "-o",
                                      str(tmp_path / "idle.geojson")]),
        "import": runner.invoke(args=["import", str(_geojson(tmp_path)), "--layer", "idle",
                                      "--dry-run"]),
    }
    for name, result in outputs.items():
        text = result.output
        assert re.search(r"[\u4e00-\u9fff]", text), (name, text)
        assert not re.search(r"\b(Error|written|loaded|added|must|Aborted)\b", text), (name,
                                                                                      text)


def _geojson(folder: Path) -> Path:
    path = folder / "parcels.geojson"
    seat_parcels().to_file(path, driver="GeoJSON")
    return path
