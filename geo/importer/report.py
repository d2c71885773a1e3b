"""The validation report of an import as rows for a table or a CSV file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from geo.importer.validate import Issue

Translate = Callable[[Issue], str]  # the message in the user's language


def report_rows(issues: list[Issue], translate: Translate) -> list[dict[str, object]]:
    """Return one dict per issue: row, code, field, severity, message."""
    return [{"row": i.row, "code": i.code or "", "field": i.field or "",
             "severity": i.severity, "message": translate(i)} for i in issues]


def report_csv(issues: list[Issue], translate: Translate, headers: dict[str, str]) -> str:
    """Return the report as CSV text (UTF-8 with a byte-order mark, so Excel reads Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    keys = ("row", "code", "field", "severity", "message")
    writer.writerow([headers.get(k, k) for k in keys])
    for row in report_rows(issues, translate):
        writer.writerow([row[k] for k in keys])
    return "\ufeff" + out.getvalue()
