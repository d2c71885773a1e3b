"""Write CSV and XLSX cells that no spreadsheet evaluates: every export goes through here.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
to Excel, LibreOffice and WPS when it arrives through CSV (OWASP, "CSV Injection"), and openpyxl
writes such a string as a formula cell. Text from any editor or imported file reaches the
exports, which are public when reading is (docs/security.md), so:

- CSV: such text gets a leading ``'``, which spreadsheets show as plain text;
- XLSX: every text is an explicit string cell (type ``s``), never a formula: it reads back as
  typed, with no guard.

Numbers, dates and booleans stay what they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_GUARD = "'"


def csv_cell(value: object) -> object:
    """Return ``value`` as a CSV cell: text that a spreadsheet would evaluate gets a ``'``.

    >>> csv_cell("=1+1"), csv_cell("@SUM(A1)"), csv_cell(-3.5), csv_cell("厂房")
    ("'=1+1", "'@SUM(A1)", -3.5, '厂房')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return CSV_GUARD + value
    return value


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Return ``rows`` (the header first) as CSV text with a byte-order mark, for Excel.

    >>> csv_text([["name"], ["=HYPERLINK(1)"]]).splitlines()
    ['\\ufeffname', "'=HYPERLINK(1)"]
    """
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return "\ufeff" + out.getvalue()


def append_row(ws, values: Sequence[object]) -> None:
    """Append ``values`` to openpyxl worksheet ``ws``; text always as a string cell.

    The control characters XLSX cannot hold are taken out of text: openpyxl refuses them
    (IllegalCharacterError, a 500 for a parcel whose name held one), and a cell shows none.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            # openpyxl has already made a formula of "=…": keep the text, say it is text.
            cell.data_type = "s"


def xlsx_bytes(rows: Iterable[Sequence[object]], title: str) -> bytes:
    """Return ``rows`` (the header first) as a one-sheet XLSX workbook called ``title``."""
    from openpyxl import Workbook  # here, not above: the web workers need not load it

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]  # Excel's longest sheet name
    for row in rows:
        append_row(ws, row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
