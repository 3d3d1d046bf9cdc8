from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from plan.models import Plan
from tasks.workbook import export_plan


class Command(BaseCommand):
    help = "Write a year's plan workbook (工作要点, 成员, 走廊, 要点, 任务, 重点项目, 工作节点)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("file")

    def handle(self, *args, year: int, file: str, **options) -> None:
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(_("There is no plan for %(year)s.") % {"year": year})
        try:
            Path(file).write_bytes(export_plan(plan))
        except OSError as error:
            message = _("Cannot write %(file)s: %(error)s") % {"file": file, "error": error}
            raise CommandError(message) from error
        self.stdout.write(
            _("The %(year)s plan is written to %(file)s.") % {"year": year, "file": file}
        )
