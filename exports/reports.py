"""A page's reports as rows and as CSV (reports.csv): the import's six columns first, so the
file can be read back; only what the page's figures count."""

import csv
import io
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from figures.rollups import Scope
from investment.models import ProgressReport
from investment.tables import HEADERS_WRITTEN
from plan.spreadsheets import escape_text
from tasks.models import Task


def report_rows(reports) -> Iterator[list]:
    """Each report as a row: the import's six columns first, so the file can be read back."""
    status = dict(ProgressReport.Status.choices)
    for report in (
        reports.select_related("task__area", "city", "updated_by")
        .order_by("year", "quarter", "task__area__number", "task__number", "city__order")
        .iterator(chunk_size=2000)
    ):
        yield [
            report.task.code,
            report.city.name,
            report.year,
            report.quarter,
            report.amount,
            report.note,
            str(status[report.status]),
            report.updated_by.get_username() if report.updated_by else "",
            timezone.localtime(report.updated_at).strftime("%Y-%m-%d %H:%M"),
            _("yes") if report.is_sample else "",
        ]


def report_headers() -> list[str]:
    english = get_language() == "en"
    return [en if english else zh for zh, en in HEADERS_WRITTEN.values()] + [
        _("status"),
        _("last changed by"),
        _("last changed at"),
        _("sample data"),
    ]


def scope_reports(scope: Scope):
    """The scope's reports that count, as its figures count them: never a draft or a returned
    report, and approved ones only when the figures are."""
    reports = scope.figures.reports().filter(
        task__in=Task.objects.filter(scope.tasks_filter).values("pk")
    )
    return reports.filter(city=scope.city) if scope.city else reports


def reports_csv(scope: Scope) -> Iterator[str]:
    """The scope's raw reports as CSV lines, UTF-8 with a BOM so Excel opens it in Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(report_headers())
    yield "\ufeff" + buffer.getvalue()
    for values in report_rows(scope_reports(scope)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([escape_text(v) if isinstance(v, str) else v for v in values])
        yield buffer.getvalue()
