"""Add made-up city allocations and quarterly reports so a newcomer sees a living dashboard.

Every row it writes is flagged as sample data, the pages show a banner while any exist, and
`purge_sample_data` removes them. The figures are deterministic: the same plan always gets the
same sample. Rows that already exist, real or sample, are left alone.
"""

import random
from decimal import ROUND_HALF_UP, Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from investment.models import ProgressReport
from investment.sample_problems import add_sample_problems
from plan.models import City, Plan
from tasks.models import CityAllocation, Task

WAN = Decimal("0.0001")  # 万元, in 亿元
# Sample reports cover the first three quarters, so the dashboard has a quarter still to come.
SAMPLE_QUARTERS = (1, 2, 3)


def sample_shares(count: int, rng: random.Random) -> list[Decimal]:
    """Shares summing to at most one, the first city (Zhengzhou) usually the largest."""
    weights = [
        Decimal(rng.randint(60, 100) if i == 0 else rng.randint(20, 60)) for i in range(count)
    ]
    total = sum(weights)
    # 95% allocated, so the pages also show an unallocated remainder.
    return [(w * Decimal("0.95") / total).quantize(WAN, ROUND_HALF_UP) for w in weights]


class Command(BaseCommand):
    help = "Add deterministic, clearly flagged sample allocations and reports to a plan."

    def add_arguments(self, parser) -> None:
        parser.add_argument("year", type=int)

    def handle(self, *args, year: int, **options) -> None:
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(
                _("There is no plan for %(year)d; run load_plan %(year)d first.") % {"year": year}
            )
        rng = random.Random(year)
        today = localdate()
        allocations = reports = 0
        tasks = Task.objects.of_plan(plan).with_target().prefetch_related("cities", "allocations")
        with transaction.atomic():
            for task in tasks:
                if task.allocations.all():
                    continue  # Real figures exist: a sample beside them would mislead.
                cities = list(task.cities.all())
                for city, share in zip(cities, sample_shares(len(cities), rng), strict=True):
                    amount = (task.target * share).quantize(WAN, ROUND_HALF_UP)
                    allocation = CityAllocation(task=task, city=city, amount=amount, is_sample=True)
                    allocation.full_clean()
                    allocation.save()
                    allocations += 1
                    reports += self.add_reports(plan, task, city, amount, rng)
            # Tasks without a money target owe a progress note each quarter, not an amount.
            for task in Task.objects.of_plan(plan).filter(target__isnull=True):
                for city in task.cities.all():
                    reports += self.add_reports(plan, task, city, None, rng)
            problems, units = add_sample_problems(plan, today)
        self.stdout.write(
            _(
                "Sample data for %(year)d: "
                "%(allocations)d allocations and %(reports)d reports added."
            )
            % {"year": year, "allocations": allocations, "reports": reports}
        )
        if problems:
            self.stdout.write(
                _(
                    "%(problems)d sample problems and %(units)d sample units added. Their dates "
                    "are counted from today, %(today)s, so that every colour shows today."
                )
                % {"problems": problems, "units": units, "today": today.isoformat()}
            )
        else:
            self.stdout.write(_("No sample problems added: the plan has them already."))

    def add_reports(
        self, plan: Plan, task: Task, city: City, allocation: Decimal | None, rng: random.Random
    ) -> int:
        added = 0
        for quarter in SAMPLE_QUARTERS:
            roll = rng.random()
            if quarter == 3 and roll < 0.1:
                continue  # Some cities are late with the latest quarter.
            if quarter < 3:
                status = ProgressReport.Status.APPROVED
            elif roll < 0.6:
                status = ProgressReport.Status.SUBMITTED
            else:
                status = ProgressReport.Status.DRAFT
            pace = Decimal(rng.randint(55, 120)) / 100
            amount = (
                Decimal(0)
                if allocation is None
                else (allocation / 4 * pace).quantize(WAN, ROUND_HALF_UP)
            )
            existing = ProgressReport.objects.filter(
                task=task, city=city, year=plan.year, quarter=quarter
            )
            if existing.exists():
                continue
            report = ProgressReport(
                task=task,
                city=city,
                year=plan.year,
                quarter=quarter,
                amount=amount,
                status=status,
                note=_("Sample figure, not a real report.")
                if allocation is not None
                else _("Sample progress note, not a real report."),
                is_sample=True,
            )
            report.full_clean()
            report.save()
            added += 1
        return added
