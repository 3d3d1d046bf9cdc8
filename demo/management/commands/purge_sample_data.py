from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from demo.problems import purge_sample_problems
from investment.models import ProgressReport, ProjectPhoto, ProjectUpdate
from tasks.models import CityAllocation


class Command(BaseCommand):
    help = "Remove every row flagged as sample data, and nothing else."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            reports, _detail = ProgressReport.objects.sample().delete()
            # The sample has no photos; any added to a sample update go with it, files too.
            photos = list(ProjectPhoto.objects.filter(update__is_sample=True))
            ProjectPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
            for photo in photos:
                transaction.on_commit(lambda image=photo.image: image.delete(save=False))
            updates, _detail = ProjectUpdate.objects.sample().delete()
            allocations, _detail = CityAllocation.objects.sample().delete()
            problems = purge_sample_problems()
        self.stdout.write(
            _(
                "Removed %(reports)d sample reports, %(updates)d sample project updates and "
                "%(allocations)d sample allocations."
            )
            % {"reports": reports, "updates": updates, "allocations": allocations}
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
