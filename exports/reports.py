"""A page's reports as rows and as CSV (reports.csv): the import's six columns first, so the
file can be read back; only what the page's figures count."""

import csv
import io
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from figures.rollups import Figures, Scope, subject_filter
from investment.models import ProgressReport
from investment.tables import HEADERS_WRITTEN
from plan.models import City
from plan.spreadsheets import escape_text
from tasks.models import Task


def report_rows(reports) -> Iterator[list]:
    """Each report as a row: the import's six columns first, so the file can be read back."""
    status = dict(ProgressReport.Status.choices)
    sample = _("yes")
    # Values, not model instances: a plan's file holds thousands of reports.
    rows = reports.order_by(
        "year", "quarter", "task__area__number", "task__number", "city__order"
    ).values_list(
        "task__area__number", "task__number", "city__name", "year", "quarter", "amount", "note",
        "status", "updated_by__username", "updated_at", "is_sample",
    )  # fmt: skip
    for (
        area,
        number,
        city,
        year,
        quarter,
        amount,
        note,
        state,
        user,
        changed,
        is_sample,
    ) in rows.iterator(chunk_size=2000):
        yield [
            f"{area}.{number}",
            city,
            year,
            quarter,
            amount,
            note,
            str(status[state]),
            user or "",
            timezone.localtime(changed).strftime("%Y-%m-%d %H:%M"),
            sample if is_sample else "",
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
    """The scope's reports that count (`subject_reports`)."""
    return subject_reports(scope.figures, scope.tasks_filter, scope.city)


def subject_reports(figures: Figures, tasks_filter: Q, city: City | None):
    """The reports that count of the tasks in `tasks_filter` (of `city` alone, with one), as
    the figures count them: never a draft or a returned report, and approved ones only when
    the figures are."""
    reports = figures.reports().filter(task__in=Task.objects.filter(tasks_filter).values("pk"))
    return reports.filter(city=city) if city else reports


def reports_csv(figures: Figures, subject) -> Iterator[str]:
    """The raw reports of a page about `subject` as CSV lines, UTF-8 with a BOM so Excel opens
    it in Chinese. The page's own figures are not computed: only which reports it counts."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(report_headers())
    yield "\ufeff" + buffer.getvalue()
    for values in report_rows(subject_reports(figures, *subject_filter(subject))):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([escape_text(v) if isinstance(v, str) else v for v in values])
        yield buffer.getvalue()
