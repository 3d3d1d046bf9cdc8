from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from investment.models import ProgressReport
from tasks.models import CityAllocation


class Command(BaseCommand):
    help = "Remove every row flagged as sample data, and nothing else."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            reports, _detail = ProgressReport.objects.sample().delete()
            allocations, _detail = CityAllocation.objects.sample().delete()
        self.stdout.write(
            _("Removed %(reports)d sample reports and %(allocations)d sample allocations.")
            % {"reports": reports, "allocations": allocations}
        )
