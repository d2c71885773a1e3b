"""The validation report of an import as rows for a table or a CSV file."""

from __future__ import annotations

from collections.abc import Callable

from geo.importer.validate import Issue
from geo.sheets import csv_text

Translate = Callable[[Issue], str]  # the message in the user's language


def report_rows(issues: list[Issue], translate: Translate) -> list[dict[str, object]]:
    """Return one dict per issue: row, code, field, severity, message."""
    return [{"row": i.row, "code": i.code or "", "field": i.field or "",
             "severity": i.severity, "message": translate(i)} for i in issues]


def report_csv(issues: list[Issue], translate: Translate, headers: dict[str, str]) -> str:
    """Return the report as CSV text (UTF-8 with a byte-order mark, so Excel reads Chinese)."""
    keys = ("row", "code", "field", "severity", "message")
    return csv_text([[headers.get(k, k) for k in keys],
                     *([row[k] for k in keys] for row in report_rows(issues, translate))])
