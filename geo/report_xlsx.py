"""The monthly report as an XLSX workbook ready to send: every sheet laid out alike.

Each sheet has the county and month in a title row merged over the table, headers with their
units, a 序号 column, a 合计 row where figures add up, column widths from the content, thin
borders, the header frozen and filtered, and an A4 landscape print set-up (one page wide,
headers repeated, page numbers). A county office sends the workbook as it comes out.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from geo.categories import Alert
from geo.fields import CATEGORY_FIELD, Field, get_field
from geo.ledger import Row
from geo.ledger_xlsx import COLUMNS
from geo.report import MonthlyReport, node_label, word
from geo.sheets import append_row

HEADER_ROW = 2  # row 1 is the title


def _width(value: object) -> float:
    text = value.isoformat() if isinstance(value, dt.date) else str(value or "")
    longest = max(text.split("\n"), key=len) if text else ""
    # A Chinese character is about twice as wide as a Latin one.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in longest) + 2


def table_sheet(wb, name: str, title: str, headers: Sequence[str],
                lines: Sequence[Sequence[object]], sums: Sequence[int] = (),
                first: bool = False, lang: str = "zh") -> object:
    """Add (or fill, with ``first``, the workbook's first) sheet ``name``: the title, then
    序号 + ``headers``, the ``lines`` and, when ``sums`` (column indexes into a line) are
    given, a 合计 row adding those columns. Return the worksheet."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = wb.active if first else wb.create_sheet()
    ws.title = name
    serial, total = word("serial", lang), word("total", lang)
    width = len(headers) + 1
    append_row(ws, [title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    append_row(ws, [serial, *headers])
    for n, line in enumerate(lines, 1):
        append_row(ws, [n, *line])
    last = HEADER_ROW + len(lines)
    if sums:
        figures = [None] * len(headers)
        for i in sums:
            values = [v for line in lines for v in [line[i]] if isinstance(v, int | float)]
            figures[i] = round(sum(values), 2)
        append_row(ws, [total, *figures])
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head = PatternFill("solid", fgColor="DDEBF7")
    for row in ws.iter_rows(min_row=HEADER_ROW, max_row=ws.max_row, max_col=width):
        for cell in row:
            cell.border = border
            if cell.row == HEADER_ROW or (sums and cell.row == ws.max_row):
                cell.font = Font(bold=True)
            if cell.row == HEADER_ROW:
                cell.fill = head
                cell.alignment = Alignment(horizontal="center", vertical="center",
                                           wrap_text=True)
            elif isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for i in range(1, width + 1):
        cells = [ws.cell(row=r, column=i).value for r in range(HEADER_ROW, ws.max_row + 1)]
        ws.column_dimensions[get_column_letter(i)].width = min(40, max(6, *map(_width, cells)))
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(width)}{max(last, HEADER_ROW)}"
    _print_setup(ws)
    return ws


def _print_setup(ws) -> None:
    """A4 landscape, one page wide, the title and header on every page, page numbers."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "&P / &N"


def _cell(f: Field, value: object, lang: str) -> object:
    if f.kind == "choice" and value is not None:
        return f.choice_label(str(value), lang)
    return value


def ledger_lines(rows: Sequence[Row], on: dt.date, lang: str = "zh") -> list[list[object]]:
    """Return the ledger lines ``rows`` (geo.ledger.Row) as sheet lines of COLUMNS on ``on``."""
    lines = []
    for r in rows:
        p = r.project
        entry = next((e for e in reversed(p.progress) if e.date <= on), None)
        line = []
        for entity, f in COLUMNS:
            if entity == "project":
                value = p.parcel.code if f.name == "parcel" and p.parcel else (
                    None if f.name == "parcel" else getattr(p, f.name))
                value = r.stage if f.name == "stage" else value
            elif entity == "category":
                value = r.category
            elif entity == "plan":
                value = getattr(p.plan, f.name) if p.plan else None
            elif entity == "annual_plan":
                value = r.planned_this_year or None
            else:
                value = getattr(entry, f.name) if entry else None
            line.append(_cell(f, value, lang))
        lines.append(line)
    return lines


def _alert_lines(report: MonthlyReport, alerts: list[Alert], lang: str,
                 node: bool) -> list[list[object]]:
    lines = []
    for a in alerts:
        p = report.project(a.code)
        what = [node_label(a.what, lang)] if node else []
        lines.append([a.code, a.name, p.lead_unit if p else None, p.leader if p else None,
                      *what, a.since, a.days, word("new" if report.is_new(a) else "carried",
                                                   lang)])
    return lines


def report_xlsx(report: MonthlyReport, lang: str = "zh") -> bytes:
    """Return the monthly report as an XLSX workbook (openpyxl), one sheet per part."""
    from openpyxl import Workbook  # here, not above: the web workers need not load it

    w = lambda k: word(k, lang)  # noqa: E731
    stage = get_field("project", "stage").choice_label
    category = CATEGORY_FIELD.choice_label
    month = dt.date.fromisoformat(f"{report.month}-01")
    when = month.strftime("%B %Y") if lang == "en" else f"{month.year}年{month.month}月"
    heading = f"{report.county} {w('title')} ({when})" if lang == "en" else (
        f"{report.county}{w('title')}（{when}）")
    wb = Workbook()

    def sheet(key: str, headers, lines, sums=(), first=False):
        table_sheet(wb, w(key), f"{heading} · {w(key)}", headers, lines, sums, first, lang)

    money = {f.name for _e, f in COLUMNS if f.unit == "wan_yuan"}
    sheet("ledger", [f.heading(lang) for _e, f in COLUMNS], ledger_lines(report.rows,
          report.last, lang), [i for i, (_e, f) in enumerate(COLUMNS) if f.name in money],
          first=True)
    sheet("categories", [w("category"), w("count"), w("investment"), w("completed")],
          [[category(c, lang), n, inv, done] for c, n, inv, done in report.by_category],
          (1, 2, 3))
    who = [w("code"), w("name"), w("lead_unit"), w("leader")]
    sheet("slow_projects", [*who, w("node"), w("due"), w("late_days"), w("fresh")],
          _alert_lines(report, report.slow(), lang, node=True))
    sheet("late_reports", [*who, w("last_report"), w("silent_days"), w("fresh")],
          _alert_lines(report, report.late(), lang, node=False))
    sheet("changes", [w("code"), w("name"), w("what"), w("before"), w("after"), w("date")],
          [[c.code, c.name, w(c.what),
            (stage if c.what == "stage" else category)(c.before, lang),
            (stage if c.what == "stage" else category)(c.after, lang), c.date]
           for c in report.changes])
    for key, groups in (("units", report.units), ("towns", report.towns)):
        sheet(key, [w("rank"), w("group_unit" if key == "units" else "group_town"),
                    w("count"), w("planned"), w("done"), w("rate"), w("slow")],
              [[g.rank, g.name, g.count, g.planned, g.done, g.rate, g.slow] for g in groups],
              (2, 3, 4, 6))
    for key, alerts in (("idle_new", report.idle_new()),
                        ("idle_carried", report.idle_carried())):
        sheet(key, [w("parcel"), w("parcel_name"), w("kind"), w("since"), w("days")],
              [[a.code, a.name, w(a.kind), a.since, a.days] for a in alerts])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
