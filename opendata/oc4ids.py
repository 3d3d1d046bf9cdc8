"""The plan's key projects as an OC4IDS 0.9 project package (Open Contracting for
Infrastructure Data Standard), written a project at a time: /opendata/<year>/oc4ids.json.

Open data only, as the other datasets: approved updates of closed quarters. What the plan does
not state is left out, never filled in: no sector (the plan gives none), no coordinates (none
are recorded), no status before anything is approved or dated by the office.

- `id`: OC4IDS_PREFIX, then the national project code where any edition of the project has
  one, else this dashboard's id of its first edition (a project carried into later years keeps
  one id).
- budget: 总投资; forecasts: the year's planned investment; metrics: each closed quarter's
  approved investment (financialProgress); 形象进度 as a physicalProgressReport document per
  section and quarter; photos as illustration documents (their addresses open for signed-in
  readers only: a photo can show people and sites).
Amounts are in yuan (CNY): the dashboard's 亿元 times 10^8.
"""

import json
import mimetypes
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from investment.models import ProjectPhoto, ProjectUpdate
from opendata.datasets import OpenYear
from tasks.models import Milestone, Project

VERSION = "0.9"  # the package's `version`: major.minor, as the schema's pattern asks
YUAN_PER_YI = Decimal(100_000_000)
STATUS = {
    Project.Stage.PREPARATION: "preparation",
    Project.Stage.CONSTRUCTION: "implementation",
    Project.Stage.COMPLETED: "completion",
}
MILESTONE_CODE = {Milestone.Kind.START: "commencement", Milestone.Kind.COMPLETE: "completion"}
GAZETTEER = "GB/T 2260"  # China's administrative division codes (an open codelist's new code)


def yuan(amount: Decimal | None) -> dict | None:
    if amount is None:
        return None
    value = amount * YUAN_PER_YI
    return {
        "amount": int(value) if value == value.to_integral() else float(value),
        "currency": "CNY",
    }


def moment(day: date, end: bool = False) -> str:
    """A day as the standard's date-time: its start (or its end) in the site's time zone."""
    clock = time(23, 59, 59) if end else time(0)
    return datetime.combine(day, clock, tzinfo=timezone.get_default_timezone()).isoformat()


def quarter_period(plan, quarter: int) -> dict:
    start = date(plan.year, quarter * 3 - 2, 1)
    return {"startDate": moment(start), "endDate": moment(plan.quarter_end(quarter), end=True)}


def identities() -> dict[int, tuple[int, str]]:
    """Each project's first edition (itself when not carried) and the national code any of its
    editions has, from one read of the links: one project, one id, in every year."""
    rows = Project.objects.values_list("pk", "predecessor_id", "national_code")
    links = {pk: before for pk, before, _code in rows}
    codes = {pk: code for pk, _before, code in rows if code}
    roots = {}
    for pk in links:
        seen, current = set(), pk
        while links.get(current) and current not in seen:
            seen.add(current)
            current = links[current]
        roots[pk] = current
    lineage_code = {}
    for pk, root in roots.items():
        if pk in codes:
            lineage_code.setdefault(root, codes[pk])
    return {pk: (root, codes.get(pk) or lineage_code.get(root, "")) for pk, root in roots.items()}


def package(year: OpenYear, uri: str) -> Iterator[str]:
    """The package's JSON, a project at a time."""
    head = {
        "uri": uri,
        "publishedDate": timezone.localtime().replace(microsecond=0).isoformat(),
        "publisher": {"name": settings.OPEN_DATA_PUBLISHER},
        "version": VERSION,
        "license": settings.OPEN_DATA_LICENSE_URL,
    }
    text = json.dumps(head, ensure_ascii=False)
    yield text[:-1] + ', "projects": ['
    for index, project in enumerate(projects(year)):
        yield ("," if index else "") + "\n" + json.dumps(project, ensure_ascii=False)
    yield "\n]}\n"


def projects(year: OpenYear) -> Iterator[dict]:
    plan = year.plan
    listed = Project.objects.of_plan(plan).listed().prefetch_related("supporting_units")
    rows, found = {}, None
    if year.last is not None:
        # The rows' own projects, read once with their cities and units.
        rows = {row.project.pk: row for row in year.figures(year.last).project_rows(listed)}
        found = [row.project for row in rows.values()]
    updates = (
        ProjectUpdate.objects.of_plan(plan)
        .counted(approved_only=True)
        .filter(quarter__in=year.closed)
        .order_by("quarter", "city__order", "city__slug", "pk")
    )
    # Plain values, not rows: thousands of updates are read for one package.
    by_project = defaultdict(list)
    for update in updates.values("pk", "project", "quarter", "amount", "progress", "city__name"):
        by_project[update["project"]].append(update)
    photos = defaultdict(list)
    shown = ProjectPhoto.objects.filter(update__in=updates.values("pk")).order_by("pk")
    for photo in shown.values("pk", "update", "caption", "image"):
        photos[photo["update"]].append(photo)
    milestones = defaultdict(list)
    for milestone in Milestone.objects.filter(project__in=listed).order_by("pk"):
        milestones[milestone.project_id].append(milestone)
    known = identities()
    for project in listed if found is None else found:
        yield project_entry(
            project,
            plan,
            rows.get(project.pk),
            by_project[project.pk],
            photos,
            milestones[project.pk],
            known.get(project.pk, (project.pk, project.national_code)),
            year,
        )


def project_entry(project, plan, row, updates, photos, milestones, identity, open_year) -> dict:
    year = plan.year
    prefix = settings.OC4IDS_PREFIX
    root, code = identity
    entry = {"id": f"{prefix}-{code}" if code else f"{prefix}-zzmetro-{root}"}
    if code:
        entry["identifiers"] = [{"id": code, "scheme": "GB/T 40058-2021"}]
    entry["title"] = project.name
    if project.description:
        entry["description"] = project.description
    if row is not None and row.stage:
        entry["status"] = STATUS[row.stage]
    period = {}
    if project.planned_start:
        period["startDate"] = moment(project.planned_start)
    if project.planned_finish:
        period["endDate"] = moment(project.planned_finish, end=True)
    if period:
        entry["period"] = period
    if project.total_investment is not None:
        entry["budget"] = {"amount": yuan(project.total_investment)}
    if project.annual_investment is not None:
        entry["forecasts"] = [
            {
                "id": "financialProgress",
                "title": "年度计划投资",
                "observations": [
                    {
                        "id": str(year),
                        "period": {
                            "startDate": moment(date(year, 1, 1)),
                            "endDate": moment(date(year, 12, 31), end=True),
                        },
                        "value": yuan(project.annual_investment),
                    }
                ],
            }
        ]
    locations = [
        {
            "id": city.slug,
            "description": city.name,
            **(
                {"gazetteer": {"scheme": GAZETTEER, "identifiers": [city.code]}}
                if city.code
                else {}
            ),
        }
        for city in project.cities.all()
    ]
    if locations:  # the standard asks for at least one where the field is given
        entry["locations"] = locations
    parties = []
    if project.lead_unit_id:
        lead = project.lead_unit
        parties.append({"id": f"unit-{lead.pk}", "name": lead.name, "roles": ["publicAuthority"]})
        entry["publicAuthority"] = {"id": f"unit-{lead.pk}", "name": lead.name}
    for unit in project.supporting_units.all():
        if unit.pk != project.lead_unit_id:
            parties.append(
                {"id": f"unit-{unit.pk}", "name": unit.name, "roles": ["interestedParty"]}
            )
    if parties:
        entry["parties"] = parties
    if milestones:
        entry["milestones"] = [milestone_entry(milestone, open_year) for milestone in milestones]
    quarters = defaultdict(Decimal)
    for update in updates:
        if update["amount"] is not None:
            quarters[update["quarter"]] += update["amount"]
    if quarters:
        entry["metrics"] = [
            {
                "id": "financialProgress",
                "title": "完成投资（已审核）",
                "observations": [
                    {
                        "id": f"{year}Q{quarter}",
                        "period": quarter_period(plan, quarter),
                        "value": yuan(amount),
                    }
                    for quarter, amount in sorted(quarters.items())
                ],
            }
        ]
    documents = []
    for update in updates:
        place = f"{update['city__name']} {year}Q{update['quarter']}"
        documents.append(
            {
                "id": f"progress-{update['pk']}",
                "documentType": "physicalProgressReport",
                "title": f"{place} 形象进度",
                "description": update["progress"],
            }
        )
        for photo in photos.get(update["pk"], ()):
            documents.append(
                {
                    "id": f"photo-{photo['pk']}",
                    "documentType": "illustration",
                    "title": photo["caption"] or place,
                    "url": settings.SITE_URL + reverse("project-photo", args=[photo["pk"]]),
                    "format": mimetypes.guess_type(photo["image"])[0] or "image/jpeg",
                }
            )
    if documents:
        entry["documents"] = documents
    return entry


def milestone_entry(milestone, year: OpenYear) -> dict:
    """A milestone as of the last closed quarter: met only if done by its end (a reporter's
    "done" in a quarter still open is not yet the office's to publish)."""
    plan = year.plan
    found = {"id": str(milestone.pk), "title": milestone.name, "type": "delivery"}
    if code := MILESTONE_CODE.get(milestone.kind):
        found["code"] = code
    if milestone.due_quarter:
        found["dueDate"] = moment(plan.quarter_end(milestone.due_quarter), end=True)
    end = plan.quarter_end(year.last) if year.last else None
    done = (
        milestone.status == Milestone.Status.DONE
        and milestone.done_on is not None
        and end is not None
        and milestone.done_on <= end
    )
    found["status"] = "met" if done else "scheduled"
    if done:
        found["dateMet"] = moment(milestone.done_on)
    return found
