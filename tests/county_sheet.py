"""A county 台账 sheet laid out the way a county office lays one out, written with openpyxl.

Layout as in the key-project ledgers counties publish (docs/domain.md "The county's 台账
sheet"): a title merged across the columns, 序号, units in the headers (亿元), a year-to-date
investment column (1-10月), 形象进度 in words, section rows and a 合计 row. Projects and
figures are invented.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HEADERS = ["序号", "项目名称", "建设单位", "建设性质", "建设内容及规模", "总投资\n（亿元）",
           "年度计划投资（亿元）", "1-10月完成投资（亿元）", "形象进度", "存在问题", "包联领导",
           "责任单位"]
ROWS = [
    ["一、工业项目（2个）"],
    [1, "襄汾县年产10万吨新型建材项目", "山西某建材有限公司", "新建", "建设生产线2条及配套仓储",
     3.5, 1.2, 0.85, "主体完工，完成60%", "施工用电接入未完成", "王建国", "县工业和信息化局"],
    [2, "汾河湾光伏储能项目", "某新能源科技有限公司", "续建", "装机100MW，配套储能20MWh",
     6, 2, 1.6, "组件安装", None, "李志强", "县能源局"],
    ["二、文旅项目（1个）"],
    [3, "陶寺遗址文旅融合项目", "县文旅投资公司", "新建", "游客中心及展陈", 1.2, 0.5, None,
     "前期手续办理", "土地组卷待批", "王建国", "县文化和旅游局"],
    ["合计", None, None, None, None, 10.7, 3.7, 2.45],
]


def county_sheet(rows=ROWS, headers=HEADERS) -> io.BytesIO:
    """Return the sheet as an XLSX file: title row merged over the columns, then the table."""
    wb = Workbook()
    ws = wb.active
    ws.title = "重点项目"
    ws.append(["襄汾县2026年重点工程项目进展情况统计表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out
