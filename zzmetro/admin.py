from dataclasses import dataclass, field
from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Max
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from investment.coverage import Cell, entry_quarter, reporting_coverage
from investment.editions import NewEditionForm
from investment.models import ProgressReport, ProjectUpdate, QuarterClose
from investment.workflow import ReportedQuerySet
from people.access import reach
from plan.forms import is_id
from plan.models import City, Plan
from problems.models import Problem
from tasks.editions import carry_over


def too_large(value: str) -> bool:
    """Whether a parameter holds a whole number past any id (alone, or in a list or range)."""
    return any(part.isascii() and part.isdigit() and not is_id(part) for part in value.split(","))


def grid_quarter(request: HttpRequest, plan: Plan) -> int:
    """?quarter=N, else the latest quarter anyone has reported for, else the first."""
    if request.GET.get("quarter") in ("1", "2", "3", "4"):
        return int(request.GET["quarter"])
    latest = ProgressReport.objects.filter(year=plan.year).aggregate(q=Max("quarter"))["q"]
    return latest or 1


def submitted_by_city(rows: ReportedQuerySet, plan: Plan) -> dict[int, int]:
    """City id -> how many of `rows` of the plan's year await review (submitted)."""
    return dict(
        rows.of_plan(plan)
        .filter(status=ProgressReport.Status.SUBMITTED)
        .values("city")
        .annotate(count=Count("pk"))
        .values_list("city", "count")
    )


def review_queue(plan: Plan, cities: list[City]) -> list[tuple[City, int, int]]:
    """Each city, and how many of its progress reports and of its project updates of the plan's
    year await review."""
    reports = submitted_by_city(ProgressReport.objects, plan)
    updates = submitted_by_city(ProjectUpdate.objects, plan)
    return [(city, reports.get(city.pk, 0), updates.get(city.pk, 0)) for city in cities]


@dataclass(frozen=True)
class ToDo:
    """What the admin home lists as one user's to do, for her role."""

    quarter: int
    deadline: date | None = None
    returned: list = field(default_factory=list)  # A reporter's rows sent back, with reasons.
    drafts: list[tuple[int, int]] = field(default_factory=list)  # (quarter, count) unsubmitted.
    owed: int = 0  # Tasks of the open quarter the city has not reported.
    problems: list = field(default_factory=list)  # A unit contact's problems to answer.
    to_assign: int = 0  # The office's problems raised and not yet assigned,
    to_verify: int = 0  # and answered, to close or send back.
    owing: list[tuple[City, int]] = field(default_factory=list)  # Cities still owing.

    def __bool__(self) -> bool:
        wanted = (self.returned, self.drafts, self.owed, self.problems)
        return any((*wanted, self.to_assign, self.to_verify, self.owing))


def reporter_todo(plan: Plan, cities: list[City], coverage) -> ToDo:
    """A city's reporter (for each place of hers the plan holds): the rows the office sent
    back (with its reasons) and her drafts, in quarters still open, and the tasks the open
    quarter still owes."""
    closed = QuarterClose.objects.filter(plan=plan).values("quarter")
    returned, drafts = [], {}
    for model in (ProgressReport, ProjectUpdate):
        rows = (
            model.objects.of_plan(plan)
            .filter(city__in=cities, status__in=model.EDITABLE, is_sample=False)
            .exclude(quarter__in=closed)
        )
        subject = "task__area" if model is ProgressReport else "project"
        for row in rows.select_related(subject, "city").order_by("quarter", "pk"):
            if row.status == model.Status.RETURNED:
                returned.append(row)
            else:
                drafts[row.quarter] = drafts.get(row.quarter, 0) + 1
    owing = {Cell.MISSING, Cell.NOTE_OWED}
    owed = sum(len(coverage.pending(city, owing)) for city in cities) if not coverage.closed else 0
    return ToDo(coverage.quarter, coverage.deadline, returned, sorted(drafts.items()), owed)


def contact_todo(plan: Plan, unit) -> ToDo:
    """A unit's contact: the problems assigned to her unit awaiting its answer, the nearest
    deadline first."""
    today = localdate()
    problems = (
        Problem.objects.of_plan(plan)
        .filter(unit=unit, status=Problem.Status.ASSIGNED)
        .listed(today)
        .order_by(F("deadline").asc(nulls_last=True), "pk")
    )
    listed = []
    for problem in problems:
        left = None if problem.deadline is None else (problem.deadline - today).days
        # (problem, days left, days overdue): one of the two is said.
        late = -left if left is not None and left < 0 else 0
        listed.append((problem, None if late else left, late))
    return ToDo(quarter=0, problems=listed)


def office_todo(plan: Plan, coverage) -> ToDo:
    """The office: problems to assign and answers to verify, and the cities still owing the
    quarter the grid shows."""
    counts = dict(
        Problem.objects.of_plan(plan)
        .filter(status__in=(Problem.Status.RAISED, Problem.Status.ANSWERED))
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    owing = [
        (city, len(tasks))
        for city, tasks in coverage.by_city(Cell.MISSING, Cell.NOTE_OWED, Cell.DRAFT, Cell.RETURNED)
    ]
    return ToDo(
        coverage.quarter,
        coverage.deadline,
        to_assign=counts.get(Problem.Status.RAISED, 0),
        to_verify=counts.get(Problem.Status.ANSWERED, 0),
        owing=[] if coverage.closed else owing,
    )


class ZzmetroAdminSite(admin.AdminSite):
    site_header = _("Zhengzhou Metropolitan Area integration: administration")
    site_title = _("zzmetro administration")
    index_title = _("Work plan and quarterly reports")
    index_template = "admin/zzmetro_index.html"

    def admin_view(self, view, cacheable=False):
        """Every admin view; a bulk action on rows chosen by ids no database holds ("abc",
        2**64) is told to choose again, never a 500."""
        checked = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request, *args, **kwargs):
            chosen = request.POST.getlist(ACTION_CHECKBOX_NAME) if request.method == "POST" else []
            if any(not is_id(item) for item in chosen):
                messages.error(request, _("The rows chosen are not valid: choose them again."))
                return redirect(request.get_full_path())
            if any(too_large(value) for key, value in request.GET.items() if key != "q"):
                # A list filtered by a number no database holds (?city=2**64, ?id__in=...):
                # SQLite cannot even compare it.
                messages.error(
                    request, _("The filter in the address is not valid: it is left out.")
                )
                return redirect(request.path)
            return checked(request, *args, **kwargs)

        return inner

    def get_urls(self):
        edition = path(
            "plan/plan/<int:pk>/new-edition/",
            self.admin_view(self.new_edition_view),
            name="plan_plan_new_edition",
        )
        return [edition, *super().get_urls()]

    def new_edition_view(self, request: HttpRequest, pk: int):
        """新建下一年度工作要点: the office picks the year and what carries over (the projects not
        completed, and their tasks, come first and ticked); a draft plan is made at once."""
        if not (reach(request.user).office and request.user.has_perm("plan.add_plan")):
            raise PermissionDenied
        # A number past any id (2**64) is no plan, never an overflow.
        source = get_object_or_404(Plan.objects.filter(pk=pk) if is_id(pk) else Plan.objects.none())
        form = NewEditionForm(source, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                plan = carry_over(
                    source,
                    form.cleaned_data["year"],
                    form.cleaned_data["tasks"],
                    form.cleaned_data["projects"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    _(
                        "The %(year)d plan is made as a draft from %(source)d: only the office "
                        "sees it. Enter its own text, targets and members, then issue it."
                    )
                    % {"year": plan.year, "source": source.year},
                )
                return redirect("admin:plan_plan_change", plan.pk)
        context = {
            **self.each_context(request),
            "title": _("New plan for the next year, from %(year)d") % {"year": source.year},
            "opts": Plan._meta,
            "source": source,
            "form": form,
        }
        return TemplateResponse(request, "admin/plan/plan/new_edition.html", context)

    def get_app_list(self, request, app_label=None):
        # The project's own sections first, in the order the apps build on each other (the plan
        # first); accounts and django-axes's (English) after them.
        apps = super().get_app_list(request, app_label)
        ours = settings.PROJECT_APPS
        return sorted(
            apps,
            key=lambda app: ours.index(app["app_label"]) if app["app_label"] in ours else len(ours),
        )

    def index(self, request, extra_context=None):
        """The admin home opens on what is the user's to do, for her role, then the
        quarter's coverage grid (the office's and a city's) and the admin's sections."""
        found = reach(request.user)
        year = request.GET.get("year")
        plan = get_object_or_404(found.plans().by_year(year)) if year else found.current_plan()
        city, office = found.place_in(plan), found.office
        extra_context = {**(extra_context or {}), "plan": plan, "plans": found.plans()}
        if plan and (city or office):
            if city and request.GET.get("quarter") not in ("1", "2", "3", "4"):
                # A reporter's home opens on the quarter her city reports now.
                quarter = entry_quarter(plan, localdate())
            else:
                quarter = grid_quarter(request, plan)
            cities = found.places_in(plan) if city else list(City.objects.of_plan(plan))
            coverage = reporting_coverage(plan, quarter, cities)
            extra_context |= {
                "coverage": coverage,
                "quarters": range(1, 5),
                "can_close": office,
                "review_queue": review_queue(plan, cities) if office else None,
                "todo": office_todo(plan, coverage)
                if office
                else reporter_todo(plan, cities, coverage),
            }
        elif plan and found.unit:
            extra_context["todo"] = contact_todo(plan, found.unit)
        return super().index(request, extra_context)
