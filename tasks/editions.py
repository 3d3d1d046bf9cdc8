"""Next year's plan from this year's: "新建下一年度工作要点".

The new plan is a draft with this year's members (less those retired by then), corridors, pace
and deadline. The tasks and key projects the office picks are carried over, each linked to the
one it continues; a project keeps its identity (its national code, sections, units, dates and
total investment), and its stage goes on from its last counted update (figures/projects.py).
What the new year's plan states (its text, targets, goals, annual investment) is not known yet,
so it is left empty, never copied as if stated.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from plan.models import Corridor, FocusArea, Member, Plan
from tasks.models import Project, Task


def retired(place, year: int) -> bool:
    return place.retired_from is not None and place.retired_from <= year


def carried_already(row) -> bool:
    """Whether a task or project has a successor already (a row carries over once)."""
    return type(row).objects.filter(predecessor=row).exists()


def year_error(year: int) -> str | None:
    """Why `year` cannot take a new plan: out of range, or taken."""
    if not 2000 <= year <= 2100:
        return _("Year: give a year from 2000 to 2100.")
    if Plan.objects.filter(year=year).exists():
        return _("Year: a plan for %(year)d already exists.") % {"year": year}
    return None


def carry_over(source: Plan, year: int, tasks, projects) -> Plan:
    """A draft plan for `year` from `source`, with `tasks` and `projects` (of `source`)
    carried over; a project's task is carried with it. All or nothing."""
    try:
        with transaction.atomic():
            return _carry_over(source, year, tasks, projects)
    except IntegrityError as error:
        # Two offices at once: the plan's year, or a row carried, is taken meanwhile.
        raise ValidationError(
            {"year": year_error(year) or _("Another carry-over was saved meanwhile: try again.")}
        ) from error


def _carry_over(source: Plan, year: int, tasks, projects) -> Plan:
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
        place, named = member.place, list(member.counties.all())
        counties = [county for county in named if not retired(county, year)]
        # A city held in part whose named counties are all retired is not held at all (never
        # whole by default).
        if retired(place, year) or (named and not counties):
            continue
        Member.objects.create(plan=plan, place=place).counties.set(counties)
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
    # A project's task comes with it, so a task carried already cannot take it.
    taken = [
        row for row in [*tasks, *projects, *(p.task for p in projects)] if carried_already(row)
    ]
    if taken:
        raise ValidationError(
            _("%(rows)s already carried over to a later plan.")
            % {"rows": "、".join(sorted({str(row) for row in taken}))}
        )
    chosen = {task.pk: task for task in tasks} | {p.task.pk: p.task for p in projects}
    areas, carried = {}, {}
    homeless = [str(t) for t in chosen.values() if not any(c.pk in kept for c in t.cities.all())]
    if homeless:
        raise ValidationError(
            _("%(tasks)s: none of its cities is a member of the new plan; it cannot carry over.")
            % {"tasks": "、".join(sorted(homeless))}
        )
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
                    "national_code",
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
