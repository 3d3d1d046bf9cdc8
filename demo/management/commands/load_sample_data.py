"""Add made-up city allocations, quarterly reports and key project updates so a newcomer sees a
living dashboard.

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
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from demo.problems import add_sample_problems
from figures.cache import reset_generation
from investment.models import ProgressReport, ProjectUpdate
from plan.models import City, Plan
from tasks.models import CityAllocation, Project, Task

WAN = Decimal("0.0001")  # 万元, in 亿元
# Sample reports cover the first three quarters, so the dashboard has a quarter still to come.
SAMPLE_QUARTERS = (1, 2, 3)

Stage, Goal = Project.Stage, Project.Goal
STAGES = Stage.values  # 前期 < 在建 < 建成
# How far a section's stage can go this year: 建成 only where the plan means to complete it.
HIGHEST_STAGE = {Goal.COMPLETE: Stage.COMPLETED, Goal.START: Stage.CONSTRUCTION}
# Each quarter a section below its highest stage moves on one step with this chance.
ADVANCE_CHANCE = 0.5
SECTION_BEHIND_CHANCE = 0.3
SAMPLE_PROGRESS = {
    Stage.PREPARATION: [
        gettext_lazy("Sample: feasibility study under review."),
        gettext_lazy("Sample: land and planning approvals under way."),
        gettext_lazy("Sample: preliminary design being drawn up."),
    ],
    Stage.CONSTRUCTION: [
        gettext_lazy("Sample: site levelled, foundations under way."),
        gettext_lazy("Sample: main works under construction."),
        gettext_lazy("Sample: about half of the year's works done."),
    ],
    Stage.COMPLETED: [
        gettext_lazy("Sample: works finished, acceptance under way."),
        gettext_lazy("Sample: completed and in trial operation."),
    ],
}


def sample_stages(goal: str, rng: random.Random) -> list[str]:
    """A section's stage at the end of each sample quarter, never going back: 在建 -> 建成 for a
    project to complete this year, 前期 -> 在建 for one to start; one to advance (or with no
    stated goal) stays at 前期 or 在建."""
    if goal == Goal.COMPLETE:
        stage = Stage.CONSTRUCTION  # To be completed this year: its works are under way.
    elif goal == Goal.START:
        stage = Stage.PREPARATION
    else:
        stage = rng.choice([Stage.PREPARATION, Stage.CONSTRUCTION])
    highest = STAGES.index(HIGHEST_STAGE.get(goal, stage))
    stages = [stage]
    for _quarter in SAMPLE_QUARTERS[1:]:
        rank = STAGES.index(stages[-1])
        stages.append(
            STAGES[rank + 1] if rank < highest and rng.random() < ADVANCE_CHANCE else stages[-1]
        )
    return stages


def sample_shares(count: int, rng: random.Random) -> list[Decimal]:
    """Shares summing to at most one, the first city (Zhengzhou) usually the largest."""
    weights = [
        Decimal(rng.randint(60, 100) if i == 0 else rng.randint(20, 60)) for i in range(count)
    ]
    total = sum(weights)
    # 95% allocated, so the pages also show an unallocated remainder.
    return [(w * Decimal("0.95") / total).quantize(WAN, ROUND_HALF_UP) for w in weights]


class Command(BaseCommand):
    help = (
        "Add deterministic, clearly flagged sample allocations, reports and project updates "
        "to a plan."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("year", type=int)

    def handle(self, *args, year: int, **options) -> None:
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(
                _("There is no plan for %(year)d; run load_plan %(year)d first.") % {"year": year}
            )
        rng = random.Random(year)
        # The sample problems are dated back from this day: today, or for a past plan the end of
        # its last sample quarter, so that its pages count them as of that quarter.
        today = min(localdate(), plan.quarter_end(max(SAMPLE_QUARTERS)))
        allocations = reports = 0
        tasks = Task.objects.of_plan(plan).with_target().prefetch_related("cities", "allocations")
        # Reports and updates are saved in bulk (with their history), one model at a time:
        # saved one by one they made the command, and every test that loads the sample, slow.
        self.pending: list = []
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
            self.save_pending(ProgressReport)
            # A generator of their own, so the reports stay what they were before projects.
            updates = self.add_updates(plan, random.Random(f"projects-{year}"))
            self.save_pending(ProjectUpdate)
            problems, units = add_sample_problems(plan, today)
        self.stdout.write(
            _(
                "Sample data for %(year)d: %(allocations)d allocations, %(reports)d reports "
                "and %(updates)d project updates added."
            )
            % {"year": year, "allocations": allocations, "reports": reports, "updates": updates}
        )
        if problems:
            self.stdout.write(
                _(
                    "%(problems)d sample problems and %(units)d sample units added, dated back "
                    "from %(today)s: today, or for a past plan the end of its last sample "
                    "quarter, so that its pages count them."
                )
                % {"problems": problems, "units": units, "today": today.isoformat()}
            )
        else:
            self.stdout.write(_("No sample problems added: the plan has them already."))

    def save_pending(self, model) -> None:
        bulk_create_with_history(self.pending, model, batch_size=500)
        self.pending = []
        # A bulk insert sends no post_save, so the figures cache is told here.
        transaction.on_commit(reset_generation)

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
            # Its existence was checked above; validated, then written in bulk with the rest.
            report.full_clean(validate_unique=False, validate_constraints=False)
            self.pending.append(report)
            added += 1
        return added

    def add_updates(self, plan: Plan, rng: random.Random) -> int:
        """Each project section's Q1-Q3, unless the section has updates of its own already."""
        added = 0
        projects = Project.objects.of_plan(plan).order_by("pk").prefetch_related("cities")
        for project in projects.select_related("task__area__plan"):
            stages = sample_stages(project.goal, rng)
            for city in project.cities.all():
                # Some sections are a quarter behind the project's pace, never ahead of it.
                behind = rng.random() < SECTION_BEHIND_CHANCE
                section = ProjectUpdate.objects.filter(project=project, city=city, year=plan.year)
                if section.exists():
                    continue  # Real updates exist: a sample beside them would mislead.
                reached = [stages[0], *stages[:-1]] if behind else stages
                added += self.add_section(project, city, reached, rng)
        return added

    def add_section(self, project: Project, city: City, stages: list[str], rng) -> int:
        added = 0
        for quarter, stage in zip(SAMPLE_QUARTERS, stages, strict=True):
            if quarter == 3 and rng.random() < 0.1:
                continue  # Some sections are late with the latest quarter.
            update = ProjectUpdate(
                project=project,
                city=city,
                year=project.task.area.plan.year,
                quarter=quarter,
                stage=stage,
                progress=str(rng.choice(SAMPLE_PROGRESS[stage])),
                amount=self.sample_amount(project, city, quarter, stage, rng),
                # Reviewed by the office, but for the latest quarter, which awaits review.
                status=ProjectUpdate.Status.APPROVED
                if quarter < 3
                else ProjectUpdate.Status.SUBMITTED,
                ever_submitted=True,
                is_sample=True,
            )
            update.full_clean(validate_unique=False, validate_constraints=False)
            self.pending.append(update)
            added += 1
        return added

    def sample_amount(
        self, project: Project, city: City, quarter: int, stage: str, rng: random.Random
    ) -> Decimal | None:
        """For about half of the sections under works: a part of what the city reported for the
        task that quarter, shared with the task's other projects there, so the named projects
        never account for more than was reported. None (not stated) for the rest."""
        roll = rng.random()
        if stage == Stage.PREPARATION or roll < 0.5:
            return None
        reported = (
            ProgressReport.objects.filter(
                task=project.task_id, city=city, year=project.task.area.plan.year, quarter=quarter
            )
            .values_list("amount", flat=True)
            .first()
        )
        if not reported:
            return None
        others = project.task.projects.filter(cities=city).count()
        share = Decimal(rng.randint(20, 60)) / 100 / others
        return (reported * share).quantize(WAN, ROUND_HALF_UP)
