"""The entry template: a city's quarter as a workbook to fill in Excel and import, its
tasks on the first sheet and its key projects' sections on the 重点项目 sheet."""

import tempfile

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from investment.quarter import quarter_sections, quarter_tasks
from investment.tables import PROJECT_LABELS
from plan.spreadsheets import MAX_ROWS, YI, Sheet


def entry_template(plan, city, quarter: int) -> tempfile.SpooledTemporaryFile:
    """A city's entry workbook for one quarter: its tasks' amounts and notes on the first sheet,
    its key projects' sections on the 重点项目 sheet; fill them in, then import the file.

    The columns the import reads carry its headers; the others (title, allocation, total so
    far, the earlier quarter) are for the clerk's reference and ignored on import.
    """
    book = Workbook(write_only=True)
    report_entry(book, plan, city, quarter)
    project_entry(book, plan, city, quarter)
    notes = Sheet(book, _("How to fill it in"), [], [100])
    for line in (
        _(
            "Enter this quarter's completed investment in 亿元 "
            "(not the year-to-date total, not 万元)."
        ),
        _("Leave a task's row empty if there is nothing to report for it this quarter."),
        _(
            "The rows already carry what the city has entered for this quarter (drafts "
            "included): change what differs. A blank cell keeps what is stored, so an "
            "import never erases a note; to clear a note, use the quarterly reporting sheet."
        ),
        _(
            "Do not change the code, city, year or quarter columns; "
            "the other columns are for reference."
        ),
        _(
            "On the 重点项目 sheet, each key project's section in the city: write its 形象进度 "
            "at the end of the quarter and its 当前阶段 (前期, 在建 or 建成); the amount is "
            "optional. Leave a row empty if there is nothing to report."
        ),
        _("Save as .xlsx, or as CSV (UTF-8 or GBK), and import it under 季度填报 → 导入."),
        _("A CSV file holds the first sheet only: import the 重点项目 sheet as .xlsx."),
    ):
        notes.append([line])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    book.save(out)
    out.seek(0)
    return out


def report_entry(book: Workbook, plan, city, quarter: int) -> None:
    headers = [
        "任务编号",
        _("Task"),
        "城市",
        "年度",
        "季度",
        _("Allocation (亿元)"),
        _("Reported before this quarter (亿元)"),
        "完成投资(亿元)",
        "进展情况",
    ]
    sheet = Sheet(book, _("Entry"), headers, [10, 40, 10, 8, 8, 14, 18, 16, 50])
    sheet.start_table()
    for row in quarter_tasks(plan, city, quarter):
        task, report = row.task, row.report
        sheet.append(
            [
                task.code,
                task.display_title,
                city.name,
                plan.year,
                quarter,
                sheet.amount(row.allocation) if row.allocation is not None else None,
                sheet.cell(row.cumulative_before, YI),
                sheet.cell(report.amount if report else None, "0.00##"),
                report.note if report else None,
            ]
        )


# The stage as the sheet's list offers it (and the import reads it back), in every language.
STAGE_WORDS = {"preparation": "前期", "construction": "在建", "completed": "建成"}


def project_entry(book: Workbook, plan, city, quarter: int) -> None:
    """The 重点项目 sheet: one row per key project with a section in the city."""
    labels = PROJECT_LABELS
    headers = [
        labels["project_id"],
        labels["project"],
        _("Task"),
        labels["city"],
        labels["year"],
        labels["quarter"],
        _("Earlier quarter"),
        labels["progress"],
        labels["stage"],
        labels["amount"],
    ]
    sheet = Sheet(book, _("Key projects"), headers, [10, 40, 8, 10, 8, 8, 40, 50, 12, 20])
    rows = quarter_sections(plan, city, quarter)
    # 当前阶段 offers the three stages (the import reads them in Chinese or English).
    stages = DataValidation(type="list", formula1='"前期,在建,建成"', allow_blank=True)
    stages.add(f"I2:I{MAX_ROWS + 1}")
    sheet.ws.data_validations.append(stages)
    sheet.start_table()
    for row in rows:
        update = row.update
        sheet.append(
            [
                row.project.pk,
                row.project.name,
                row.project.task.code,
                city.name,
                plan.year,
                quarter,
                earlier_text(row.earlier),
                update.progress if update else None,
                STAGE_WORDS[update.stage] if update else None,
                sheet.cell(update.amount if update else None, "0.00##"),
            ]
        )


def earlier_text(update) -> str:
    """The section's latest earlier update, for reference: its quarter, stage and progress."""
    if update is None:
        return ""
    stage = _("Q%(quarter)s: %(stage)s") % {
        "quarter": update.quarter,
        "stage": update.get_stage_display(),
    }
    return f"{stage} · {update.progress}"
