from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from investment.models import ProgressReport
from investment.sample_problems import purge_sample_problems
from tasks.models import CityAllocation


class Command(BaseCommand):
    help = "Remove every row flagged as sample data, and nothing else."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            reports, _detail = ProgressReport.objects.sample().delete()
            allocations, _detail = CityAllocation.objects.sample().delete()
            problems = purge_sample_problems()
        self.stdout.write(
            _("Removed %(reports)d sample reports and %(allocations)d sample allocations.")
            % {"reports": reports, "allocations": allocations}
        )
        self.stdout.write(
            _(
                "Removed %(problems)d sample problems with %(entries)d thread entries and "
                "%(attachments)d attachments, and %(units)d sample units."
            )
            % problems
        )
        if problems["kept"]:
            self.stdout.write(
                _("Kept the sample units that real rows still name: %(units)s.")
                % {"units": _(", ").join(problems["kept"])}
            )
