"""The figures against hand-computed values (as of Q2 unless said otherwise)."""

from decimal import Decimal

import pytest

from figures.progress import Pace, Progress
from figures.rollups import Coverage, Figures, MilestoneCounts, Targets
from investment.coverage import reporting_coverage
from investment.models import ProgressReport
from tests.builders import make_area, make_city, make_plan, make_report, make_task, make_world

pytestmark = pytest.mark.django_db
Status = ProgressReport.Status


@pytest.fixture
def plan(zhengzhou, kaifeng):
    """The shared small world: 1.1 A (100; Zhengzhou 60, Kaifeng 40), 1.2 B (no target),
    2.1 C (50, unallocated).

    Counted through Q2: A 10+20+12 = 42, B 7, C 6. Not counted: a draft, a returned report
    and a Q3 report.
    """
    world = make_world(zhengzhou, kaifeng)
    a, b, c = world.rail, world.policy, world.industry
    make_report(a, zhengzhou, 1, "10", Status.APPROVED)
    make_report(a, zhengzhou, 2, "20", Status.SUBMITTED)
    make_report(a, kaifeng, 1, "12", Status.APPROVED)
    make_report(a, kaifeng, 2, "3", Status.RETURNED)
    make_report(b, zhengzhou, 1, "7", Status.APPROVED)
    make_report(c, zhengzhou, 1, "6", Status.SUBMITTED)
    make_report(c, zhengzhou, 2, "99", Status.DRAFT)
    make_report(c, zhengzhou, 3, "4", Status.APPROVED)
    return world.plan


def values(progress: Progress) -> tuple:
    return (progress.target, progress.completed, progress.percent, progress.pace)


def test_task_progress(plan):
    rows = Figures(plan, 2).tasks()
    assert [(row.task.code, values(row.progress)) for row in rows] == [
        ("1.1", (Decimal("100"), Decimal("42"), Decimal("42.0"), Pace.AT_RISK)),
        ("1.2", (None, Decimal("7"), None, Pace.NO_TARGET)),
        ("2.1", (Decimal("50"), Decimal("6"), Decimal("12.0"), Pace.BEHIND)),
    ]
    assert rows[0].progress.expected == Decimal("50")


def test_approved_only_leaves_submitted_out(plan):
    rows = Figures(plan, 2, approved_only=True).tasks()
    assert [row.progress.completed for row in rows] == [Decimal("22"), Decimal("7"), Decimal("0")]


def test_an_earlier_as_of_counts_earlier_quarters_only(plan):
    rows = Figures(plan, 1).tasks()
    assert [row.progress.completed for row in rows] == [Decimal("22"), Decimal("7"), Decimal("6")]
    assert rows[0].progress.expected == Decimal("25")


def test_area_progress_leaves_tasks_without_target_out_of_the_percentage(plan):
    rows = Figures(plan, 2).areas()
    assert [(row.area.number, values(row.progress), row.excluded) for row in rows] == [
        (1, (Decimal("100"), Decimal("42"), Decimal("42.0"), Pace.AT_RISK), Decimal("7")),
        (2, (Decimal("50"), Decimal("6"), Decimal("12.0"), Pace.BEHIND), Decimal("0")),
    ]


def test_city_progress_is_against_the_citys_allocations(plan):
    rows = Figures(plan, 2).cities()
    assert [(row.city.slug, values(row.progress), row.unallocated_completed) for row in rows] == [
        (
            "zhengzhou",
            (Decimal("60"), Decimal("30"), Decimal("50.0"), Pace.ON_TRACK),
            Decimal("13"),
        ),
        ("kaifeng", (Decimal("40"), Decimal("12"), Decimal("30.0"), Pace.BEHIND), Decimal("0")),
    ]


def test_plan_progress(plan):
    total = Figures(plan, 2).total()
    assert values(total.progress) == (Decimal("150"), Decimal("48"), Decimal("32.0"), Pace.BEHIND)
    assert (total.excluded, total.unallocated_target) == (Decimal("7"), Decimal("50"))


def test_pace_thresholds_are_the_settings(plan, settings):
    settings.PACE_AT_RISK = Decimal("0.5")
    assert Figures(plan, 2).tasks()[2].progress.pace == Pace.BEHIND
    settings.PACE_ON_TRACK = Decimal("0.8")
    assert Figures(plan, 2).tasks()[0].progress.pace == Pace.ON_TRACK


def test_pace_is_configurable_per_plan(plan):
    plan.pace_q2 = 40
    plan.save()
    assert Figures(plan, 2).tasks()[0].progress.expected == Decimal("40")
    assert Figures(plan, 2).tasks()[0].progress.pace == Pace.ON_TRACK


def test_a_pace_that_falls_is_refused(plan):
    from django.core.exceptions import ValidationError

    plan.pace_q3 = 40
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert error.value.message_dict == {"pace_q4": ["预期进度不能逐季下降。"]}


def test_early_warnings_are_computed(plan, zhengzhou, kaifeng, django_user_model):
    from datetime import date

    from investment.models import QuarterClose
    from tasks.models import Milestone, Task

    a = Task.objects.get(area__number=1, number=1)
    Milestone.objects.create(task=a, name="开工", kind=Milestone.Kind.START, due_quarter=2)
    Milestone.objects.create(task=a, name="编制", kind=Milestone.Kind.DRAFT, due_quarter=1)
    Milestone.objects.create(
        task=a,
        name="建成",
        kind=Milestone.Kind.COMPLETE,
        due_quarter=1,
        status=Milestone.Status.DONE,
        done_on=date(2021, 3, 1),
    )
    QuarterClose.objects.create(
        plan=plan, quarter=1, closed_by=django_user_model.objects.create_user("o")
    )
    corrected = ProgressReport.objects.get(task=a, city=zhengzhou, quarter=1)
    corrected.amount = Decimal("11")
    corrected.save()
    tasks = Figures(plan, 2).tasks()
    cities = Figures(plan, 2).cities()
    reporting = reporting_coverage(plan, 2, [zhengzhou, kaifeng], date(2021, 7, 11))
    warnings = Figures(plan, 2).warnings(tasks, cities, reporting)
    assert [m.name for m in warnings.overdue_milestones] == ["开工"]
    assert [row.task.code for row in warnings.behind_tasks] == ["2.1"]
    assert [row.city.slug for row in warnings.behind_cities] == ["kaifeng"]
    late = [(city.slug, count) for city, count in warnings.late_cities]
    assert late == [("zhengzhou", 2), ("kaifeng", 2)]
    assert warnings.changed_after_close == [corrected]
    counts = Figures(plan, 2).milestones()
    assert counts == MilestoneCounts(total=3, done=1, due=3, overdue=2, undated=0)


@pytest.fixture
def targets_plan():
    """Two areas: area 1 has targets 100 and 50.5 and one task without; area 2 none at all."""
    plan = make_plan(areas=3, tasks=5)
    city = make_city("zhengzhou", "郑州")
    first = make_area(plan, 1)
    make_task(first, 1, "100", [city])
    make_task(first, 2, "50.5", [city])
    make_task(first, 3, None, [city])
    second = make_area(plan, 2, "郑开同城化")
    make_task(second, 1, None, [city])
    return plan


def test_plan_targets_sum_stated_targets_and_count_the_rest(targets_plan):
    assert Figures(targets_plan, 1).targets() == Targets(
        stated=Decimal("150.5"), task_count=4, unstated_count=2
    )


def test_an_area_target_sums_its_stated_targets_and_is_none_without_any(targets_plan):
    rows = Figures(targets_plan, 1).areas()
    assert [(row.area.number, row.progress.target) for row in rows] == [
        (1, Decimal("150.5")),
        (2, None),
    ]


def test_coverage_compares_listed_with_declared(targets_plan):
    assert Figures(targets_plan, 1).coverage() == Coverage(
        listed_areas=2, declared_areas=3, listed_tasks=4, declared_tasks=5
    )


def test_plan_2021_figures(plan_2021):
    assert Figures(plan_2021, 1).targets() == Targets(Decimal("1130"), 22, 5)
    assert Figures(plan_2021, 1).coverage() == Coverage(6, 7, 22, 23)
