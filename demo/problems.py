"""Sample problems for load_sample_data: a dozen across the five cities, one of each state and
colour, with their threads; purge_sample_data removes them.

The sample's dates are counted back from a reference day (load_sample_data passes today, or for
a past plan the end of its last sample quarter): on that day it shows every colour. Its
responsible units are made up too, each named with the 示例 mark, since the source names none.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils.timezone import localdate, make_aware
from django.utils.translation import gettext_lazy as _

from plan.models import City, Plan, Unit
from problems.models import Problem, ProblemAttachment, ProblemEntry
from tasks.models import Task

# What marks a unit as made up: Unit has no sample flag, so its name says it.
SAMPLE_UNIT_PREFIX = "示例："
SAMPLE_UNITS = {
    "land": _("natural resources department"),
    "reform": _("development and reform department"),
    "environment": _("ecology and environment department"),
    "transport": _("transport department"),
    "finance": _("finance department"),
    "joint": _("cross-city coordination team"),
}

Status, Kind, Step = Problem.Status, Problem.Kind, ProblemEntry.Kind
STEP_TEXTS = {
    Step.RAISED: _("Sample: raised at the quarterly review."),
    Step.ASSIGNED: _("Sample: please answer with what was done by the deadline."),
    Step.ANSWERED: _(
        "Sample: a coordination meeting was held; the matter is settled and the works go on."
    ),
    Step.RETURNED: _("Sample: the answer gives no date for completion; please add it."),
    Step.CLOSED: _("Sample: verified by the office; closed."),
    Step.REFUSED: _("Sample: not a matter for the metropolitan area; the city settles it itself."),
}


@dataclass(frozen=True)
class SampleProblem:
    """One sample problem; its days are counted from the day the sample is loaded."""

    city: str
    task: str  # the task's code; the city's first task if the plan has no such task for it
    with_project: bool
    kind: str
    title: str
    description: str
    unit: str | None
    supporting: tuple[str, ...]
    deadline: int | None
    steps: tuple[tuple[str, int], ...]  # the thread, the raising first

    @property
    def status(self) -> str:
        step = self.steps[-1][0]
        return Status.ASSIGNED if step == Step.RETURNED else step


SAMPLE_PROBLEMS = [
    SampleProblem(
        "zhengzhou", "2.2", True, Kind.LAND,
        _("Sample: land quota for the station works not yet secured"),
        _("Sample problem, made up for demonstration: the land quota for the station's "
          "supporting works has not been allocated, so the site cannot be handed over."),
        "land", ("reform",), -40,
        ((Step.RAISED, -72), (Step.ASSIGNED, -70)),
    ),  # red: 40 days overdue
    SampleProblem(
        "kaifeng", "2.1", True, Kind.RELOCATION,
        _("Sample: relocation along the road section behind schedule"),
        _("Sample problem, made up for demonstration: houses and power lines along the "
          "section have not yet been moved, holding up the roadbed works."),
        "transport", ("land",), -10,
        ((Step.RAISED, -32), (Step.ASSIGNED, -30)),
    ),  # orange: 10 days overdue
    SampleProblem(
        "xinxiang", "2.4", True, Kind.APPROVAL,
        _("Sample: approval of the preliminary design pending"),
        _("Sample problem, made up for demonstration: the preliminary design awaits "
          "approval, so the construction permit cannot be applied for."),
        "reform", (), 5,
        ((Step.RAISED, -12), (Step.ASSIGNED, -10)),
    ),  # yellow: due in 5 days
    SampleProblem(
        "jiaozuo", "4.2", True, Kind.ENVIRONMENT,
        _("Sample: environmental assessment of the park works not yet approved"),
        _("Sample problem, made up for demonstration: the environmental impact report "
          "needs revising before it can be approved."),
        "environment", (), 3,
        ((Step.RAISED, -27), (Step.ASSIGNED, -25), (Step.ANSWERED, -12), (Step.RETURNED, -8)),
    ),  # yellow, its answer returned to the unit
    SampleProblem(
        "xuchang", "3.4", False, Kind.FUNDING,
        _("Sample: funding for the industrial belt's shared facilities not in place"),
        _("Sample problem, made up for demonstration: the cities have not yet agreed how "
          "to share the cost of the shared facilities."),
        "finance", (), 25,
        ((Step.RAISED, -7), (Step.ASSIGNED, -5)),
    ),  # on time
    SampleProblem(
        "zhengzhou", "1.3", False, Kind.CROSS_CITY,
        _("Sample: the cities' rules for one service differ"),
        _("Sample problem, made up for demonstration: the two cities ask for different "
          "documents for the same service, so it cannot be handled in either city."),
        None, (), None,
        ((Step.RAISED, -2),),
    ),  # raised, to assign
    SampleProblem(
        "kaifeng", "1.1", False, Kind.CROSS_CITY,
        _("Sample: boundary of the demonstration zone not agreed"),
        _("Sample problem, made up for demonstration: the two cities propose different "
          "boundaries for the zone, holding up the drafting of its spatial plan."),
        "joint", ("reform",), 10,
        ((Step.RAISED, -22), (Step.ASSIGNED, -20), (Step.ANSWERED, -3)),
    ),  # answered, awaiting the office
    SampleProblem(
        "xinxiang", "3.3", False, Kind.LAND,
        _("Sample: land for the industrial park's expansion not released"),
        _("Sample problem, made up for demonstration: the land for the park's expansion "
          "has not been released, as the planning adjustment is not finished."),
        "land", (), -35,
        ((Step.RAISED, -77), (Step.ASSIGNED, -75), (Step.ANSWERED, -1)),
    ),  # answered, but red: 35 days past the deadline
    SampleProblem(
        "jiaozuo", "3.5", False, Kind.APPROVAL,
        _("Sample: approval of a cross-city bus route delayed"),
        _("Sample problem, made up for demonstration: the route needs the approval of both "
          "cities' transport authorities."),
        "transport", (), -30,
        ((Step.RAISED, -62), (Step.ASSIGNED, -60), (Step.ANSWERED, -35), (Step.CLOSED, -33)),
    ),  # closed on time
    SampleProblem(
        "xuchang", "2.3", True, Kind.FUNDING,
        _("Sample: funding for the data centre's power supply not in place"),
        _("Sample problem, made up for demonstration: the power supply works for the data "
          "centre lack part of their funding."),
        "finance", (), -50,
        ((Step.RAISED, -82), (Step.ASSIGNED, -80), (Step.ANSWERED, -42), (Step.CLOSED, -40)),
    ),  # closed 10 days late: orange
    SampleProblem(
        "zhengzhou", "2.5", True, Kind.RELOCATION,
        _("Sample: relocation along the water pipeline's route slow"),
        _("Sample problem, made up for demonstration: relocation along the pipeline's "
          "route took longer than planned."),
        "land", ("transport",), -90,
        ((Step.RAISED, -122), (Step.ASSIGNED, -120), (Step.ANSWERED, -52), (Step.CLOSED, -50)),
    ),  # closed 40 days late: red
    SampleProblem(
        "kaifeng", "6.1", False, Kind.OTHER,
        _("Sample: metropolitan funds asked for a school of the city's own"),
        _("Sample problem, made up for demonstration: the city asks for metropolitan funds "
          "towards a school building of its own."),
        None, (), None,
        ((Step.RAISED, -20), (Step.REFUSED, -18)),
    ),  # not accepted
]  # fmt: skip


def at(day: date, hour: int) -> datetime:
    return make_aware(datetime.combine(day, time(hour)))


def sample_units() -> tuple[dict[str, Unit], int]:
    """The sample units by key, created where missing; and how many were created."""
    units, created = {}, 0
    for key, label in SAMPLE_UNITS.items():
        units[key], new = Unit.objects.get_or_create(
            name=f"{SAMPLE_UNIT_PREFIX}{label}", defaults={"kind": Unit.Kind.OTHER}
        )
        created += new
    return units, created


def sample_task(plan: Plan, spec: SampleProblem, city: City) -> Task | None:
    tasks = Task.objects.of_plan(plan).filter(cities=city)
    return tasks.by_code(spec.task).first() or tasks.order_by("area__number", "number").first()


def add_sample_problems(plan: Plan, today: date | None = None) -> tuple[int, int]:
    """Each sample problem the plan lacks, its thread dated back from `today`; the numbers of
    problems and units added."""
    today = today or localdate()
    units, created_units = sample_units()
    cities = {city.slug: city for city in City.objects.all()}
    added = 0
    for spec in SAMPLE_PROBLEMS:
        city = cities.get(spec.city)
        task = sample_task(plan, spec, city) if city else None
        # Told apart by city, task and kind, so a sample loaded in another language is too.
        sample = Problem.objects.sample().filter(city=city, task=task, kind=spec.kind)
        if task is None or sample.exists():
            continue
        add_problem(spec, task, city, units, today)
        added += 1
    return added, created_units


def add_problem(spec: SampleProblem, task: Task, city: City, units: dict, today: date) -> None:
    days = dict(spec.steps)
    ended = days.get(Step.CLOSED, days.get(Step.REFUSED))
    project = (
        task.projects.filter(cities=city).order_by("pk").first() if spec.with_project else None
    )
    problem = Problem(
        task=task,
        project=project,
        city=city,
        title=str(spec.title),
        description=str(spec.description),
        kind=spec.kind,
        unit=units[spec.unit] if spec.unit else None,
        assigned_on=today + timedelta(days=days[Step.ASSIGNED]) if Step.ASSIGNED in days else None,
        deadline=None if spec.deadline is None else today + timedelta(days=spec.deadline),
        closed_on=None if ended is None else today + timedelta(days=ended),
        status=spec.status,
        is_sample=True,
    )
    problem.full_clean()
    problem._change_reason = str(STEP_TEXTS[Step.RAISED])
    problem.save()
    problem.supporting_units.set([units[key] for key in spec.supporting])
    for hour, (step, day) in enumerate(spec.steps, 9):
        entry = ProblemEntry.objects.create(problem=problem, kind=step, text=str(STEP_TEXTS[step]))
        # Dated as the thread reads, not the moment it was loaded.
        ProblemEntry.objects.filter(pk=entry.pk).update(
            created_at=at(today + timedelta(days=day), hour)
        )
    first, last = spec.steps[0][1], spec.steps[-1][1]
    Problem.objects.filter(pk=problem.pk).update(
        created_at=at(today + timedelta(days=first), 9),
        updated_at=at(today + timedelta(days=last), 8 + len(spec.steps)),
    )


def purge_sample_problems() -> dict[str, int | list[str]]:
    """Remove the sample problems with their threads and attachments (files too), and the
    sample units no real row names. Call inside a transaction."""
    problems = Problem.objects.sample()
    attachments = list(ProblemAttachment.objects.filter(entry__problem__in=problems))
    ProblemAttachment.objects.filter(pk__in=[item.pk for item in attachments]).delete()
    for item in attachments:
        transaction.on_commit(lambda image=item.image: image.delete(save=False))
    entries, _detail = ProblemEntry.objects.filter(problem__in=problems).delete()
    removed = problems.count()
    problems.delete()
    units = Unit.objects.filter(name__startswith=SAMPLE_UNIT_PREFIX)
    unused = units
    for relation in Unit._meta.related_objects:
        field = relation.field.name
        named = relation.related_model._base_manager.filter(**{f"{field}__isnull": False})
        unused = unused.exclude(pk__in=named.values(field))
    kept = list(units.exclude(pk__in=unused.values("pk")).values_list("name", flat=True))
    deleted = unused.count()
    unused.delete()
    return {
        "problems": removed,
        "entries": entries,
        "attachments": len(attachments),
        "units": deleted,
        "kept": kept,
    }
