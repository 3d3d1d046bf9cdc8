"""Files for the import's tests: workbooks of reports and of 重点项目 rows, and the import
command run on one, refused."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from investment.models import ProgressReport, ProjectUpdate

REPORT_HEADER = ["任务编号", "城市", "年度", "季度", "完成投资(亿元)", "进展情况"]


PROJECT_HEADER = [
    "项目编号",
    "项目名称",
    "城市",
    "年度",
    "季度",
    "形象进度",
    "当前阶段",
    "本季度完成投资(亿元)",
]


GOOD_REPORT = ("1.1", "开封", 2021, 2, 3, "铺轨")


def workbook(reports=(GOOD_REPORT,), projects=None, title="重点项目", header=PROJECT_HEADER):
    """An .xlsx of the entry sheet's rows and, unless `projects` is None, a 重点项目 sheet."""
    book = openpyxl.Workbook()
    book.active.append(REPORT_HEADER)
    for row in reports:
        book.active.append(list(row))
    if projects is not None:
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in projects:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def snapshot() -> tuple:
    return (
        list(ProgressReport.objects.order_by("pk").values()),
        list(ProjectUpdate.objects.order_by("pk").values()),
        ProgressReport.history.count(),
        ProjectUpdate.history.count(),
    )


def refused(tmp_path, content: bytes, user: str = "kf") -> str:
    """Imports the file; returns the whole refusal, having checked nothing changed."""
    before = snapshot()
    path = tmp_path / "开封.xlsx"
    path.write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("import_reports", str(path), "--user", user, stdout=io.StringIO(), stderr=err)
    assert snapshot() == before
    return f"{refusal.value}\n{err.getvalue()}"


def project_row(**changes) -> tuple:
    """A good row of 开封港 for Q2, with `changes` by column."""
    row = {
        "id": None,
        "name": "开封港",
        "city": "开封",
        "year": 2021,
        "quarter": 2,
        "progress": "场地平整",
        "stage": "在建",
        "amount": 1,
    }
    return tuple({**row, **changes}.values())
