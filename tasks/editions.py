"""Next year's plan from this year's: "新建下一年度工作要点".

The new plan is a draft with this year's members (less those retired by then), corridors, pace
and deadline. The tasks and key projects the office picks are carried over, each linked to the
one it continues; a project keeps its identity (its sections, units, dates and total
investment), and its stage goes on from its last counted update (figures/projects.py). What
the new year's plan states (its text, targets, goals, annual investment) is not known yet, so
it is left empty, never copied as if stated.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from plan.models import Corridor, FocusArea, Member, Plan
from tasks.models import Project, Task


def year_error(year: int) -> str | None:
    """Why `year` cannot take a new plan: out of range, or taken."""
    if not 2000 <= year <= 2100:
        return _("Year: give a year from 2000 to 2100.")
    if Plan.objects.filter(year=year).exists():
        return _("Year: a plan for %(year)d already exists.") % {"year": year}
    return None


@transaction.atomic
def carry_over(source: Plan, year: int, tasks, projects) -> Plan:
    """A draft plan for `year` from `source`, with `tasks` and `projects` (of `source`)
    carried over; a project's task is carried with it. All or nothing."""
    if error := year_error(year):
        raise ValidationError({"year": error})
    if year <= source.year:
        raise ValidationError(
            {"year": _("Year: the new plan must come after %(year)d.") % {"year": source.year}}
        )
    plan = Plan.objects.create(
        year=year,
        title=source.title.replace(str(source.year), str(year)),
        title_en=source.title_en.replace(str(source.year), str(year)),
        source=_(
            "A draft started from the %(year)d plan; the %(new)d plan's own text is not yet "
            "entered."
        )
        % {"year": source.year, "new": year},
        **{
            name: getattr(source, name)
            for name in ("pace_q1", "pace_q2", "pace_q3", "pace_q4", "report_deadline_days")
        },
    )
    members = source.members.select_related("place").prefetch_related("counties")
    kept = {}
    for member in members:
        place = member.place
        if place.retired_from is not None and place.retired_from <= year:
            continue
        copy = Member.objects.create(plan=plan, place=place)
        copy.counties.set(
            [c for c in member.counties.all() if c.retired_from is None or c.retired_from > year]
        )
        kept[place.pk] = place
    corridors = {}
    for corridor in source.corridors.prefetch_related("cities"):
        copy = Corridor.objects.create(
            plan=plan,
            **{name: getattr(corridor, name) for name in ("slug", "name", "name_en", "kind")},
            order=corridor.order,
        )
        copy.cities.set([city for city in corridor.cities.all() if city.pk in kept])
        corridors[corridor.pk] = copy
    projects = list(projects)
    tasks = list(tasks)
    taken = [row for row in [*tasks, *projects] if hasattr(row, "successor")]
    if taken:
        raise ValidationError(
            _("%(rows)s already carried over to a later plan.")
            % {"rows": "、".join(str(row) for row in taken)}
        )
    chosen = {task.pk: task for task in tasks} | {p.task.pk: p.task for p in projects}
    areas, carried = {}, {}
    for task in sorted(chosen.values(), key=lambda task: (task.area.number, task.number)):
        area = areas.get(task.area.number)
        if area is None:
            area = areas[task.area.number] = FocusArea.objects.create(
                plan=plan, number=task.area.number, name=task.area.name, name_en=task.area.name_en
            )
        copy = Task.objects.create(
            area=area,
            number=task.number,
            title=task.title,
            title_en=task.title_en,
            corridor=corridors.get(task.corridor_id),
            lead_unit=task.lead_unit,
            predecessor=task,
        )
        copy.cities.set([city for city in task.cities.all() if city.pk in kept])
        copy.supporting_units.set(task.supporting_units.all())
        carried[task.pk] = copy
    for project in projects:
        copy = Project.objects.create(
            task=carried[project.task.pk],
            name=project.name,
            lead_unit=project.lead_unit,
            predecessor=project,
            **{
                name: getattr(project, name)
                for name in (
                    "total_investment",
                    "planned_start",
                    "planned_finish",
                    "actual_start",
                    "actual_finish",
                    "latitude",
                    "longitude",
                )
            },
        )
        task_cities = {city.pk for city in copy.task.cities.all()}
        copy.cities.set([city for city in project.cities.all() if city.pk in task_cities])
        copy.supporting_units.set(project.supporting_units.all())
    return plan
