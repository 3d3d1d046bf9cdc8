"""Every role against every channel: what each page, download, photo and admin screen shows
each role, compared with what the access rules of README.md ("Who does what") allow.

One small world, built once for the module, holds rows of two cities: A (开封, kaifeng) and
B (郑州, zhengzhou). Each row carries a marker in its text (a report's note, an update's
形象进度, a problem's title); a photo or an attachment counts as seen when it is served as an
image, and SERVED stands for "the channel answered 200". The policy below says, once, who may
see which row and what each kind of channel shows; each channel's test asks every role for it
and compares the markers found with the policy's.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from investment.models import ProgressReport, ProjectPhoto, ProjectUpdate
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER
from plan.models import Unit
from problems.models import Problem, ProblemAttachment
from tests.builders import (
    make_city,
    make_member,
    make_project,
    make_report,
    make_update,
    make_world,
    raise_problem,
)

pytestmark = pytest.mark.django_db
Status = ProgressReport.Status

LEADER, CONTACT = VIEWER, UNIT_CONTACT


# The policy -----------------------------------------------------------------------------------

ROLES = [
    "anonymous",  # DASHBOARD_PUBLIC off
    "anonymous-public",  # DASHBOARD_PUBLIC on
    "no-role",  # signed in, in no role
    "leader",
    "leader-staff",  # a leader with is_staff: the admin opens to her
    "reporter-A",
    "reporter-B",
    "contact",  # the contact of the unit the assigned problem is assigned to
    "office",
]
LEADERS = {"leader", "leader-staff"}
WITH_A_ROLE = {"leader", "leader-staff", "reporter-A", "reporter-B", "contact", "office"}


@dataclass(frozen=True)
class Row:
    city: str  # "A" or "B"
    kind: str  # report, update or problem (a photo is its update's, an attachment its problem's)
    state: str  # draft (a draft or a returned row), counted, raised or assigned


ROWS = {
    "MARK-A-DRAFT": Row("A", "report", "draft"),
    "MARK-A-RETURNED": Row("A", "report", "draft"),
    "MARK-A-SUBMITTED": Row("A", "report", "counted"),
    "MARK-A-APPROVED": Row("A", "report", "counted"),
    "MARK-A-WAS-DRAFT": Row("A", "report", "draft"),  # the approved report's draft version
    "MARK-B-DRAFT": Row("B", "report", "draft"),
    "MARK-B-SUBMITTED": Row("B", "report", "counted"),
    "MARK-A-UPDATE-DRAFT": Row("A", "update", "draft"),
    "PHOTO-A-UPDATE-DRAFT": Row("A", "update", "draft"),
    "MARK-B-UPDATE-SUBMITTED": Row("B", "update", "counted"),
    "MARK-A-RAISED": Row("A", "problem", "raised"),
    "ATTACH-A-RAISED": Row("A", "problem", "raised"),
    "MARK-A-ASSIGNED": Row("A", "problem", "assigned"),  # to the contact's unit
    "ATTACH-A-ASSIGNED": Row("A", "problem", "assigned"),
    "MARK-B-RAISED": Row("B", "problem", "raised"),
}
SERVED = "SERVED"  # the channel answered 200 (an image channel: its marker says so)


def may_see(role: str, marker: str) -> bool:
    """The row's own rule, whatever shows it.

    Drafts and returned rows: their city's reporter and the office. Counted rows: whoever reads
    the figures (anonymous visitors too, with DASHBOARD_PUBLIC). Problems
    (ProblemQuerySet.visible_to): the office and the city's reporter; once assigned, leaders and
    the unit's contact too; never an anonymous visitor.
    """
    row = ROWS[marker]
    own = role == f"reporter-{row.city}"
    if role == "office" or own:
        return True
    if row.kind == "problem":
        return row.state == "assigned" and (role in LEADERS or role == "contact")
    return row.state == "counted" and role in WITH_A_ROLE | {"anonymous-public"}


def may_open(role: str, channel: "Channel") -> bool:
    """Whether the channel answers the role at all (a 200), before any row of it."""
    kind = channel.kind
    if kind in ("page", "project-page", "download"):
        return role in WITH_A_ROLE | {"anonymous-public"}  # no role: "ask the office"
    if kind in ("problem-page", "image"):
        return role in WITH_A_ROLE  # signed in, whatever DASHBOARD_PUBLIC says
    if kind == "city-download":  # a city's own workbook and CSV
        return role in LEADERS | {"office", f"reporter-{channel.city}"}
    if kind == "template":  # the entry template
        return role in ("office", f"reporter-{channel.city}")
    if kind == "preview":  # the bulletin of a quarter not yet issued, and its files
        return role == "office"
    # The admin, to staff with the model's permissions. A reported row's history (and each
    # version) includes its drafts: its city's and the office's only. A problem's is for
    # whoever may open the problem.
    staff = {"office", "reporter-A", "reporter-B"}
    if kind == "admin" or channel.model == "problem":
        staff.add("leader-staff")
    if channel.model == "problem":
        staff.add("contact")
    return role in staff


# Where a row may show while it is a draft (to who may see it). Pages and their downloads
# never show one (README, Leaders), nor does the office's bulletin preview; the project page
# shows its city's draft updates to that city and the office (its timeline, by design).
SHOWS_DRAFTS = {"project-page", "template", "image", "admin", "admin-history"}


def visible(role: str, marker: str, channel: "Channel") -> bool:
    row = ROWS[marker]
    if row.state == "draft" and channel.kind not in SHOWS_DRAFTS:
        return False
    if channel.kind.startswith("admin") and role.startswith("reporter-"):
        # In the admin a reporter has her city's rows only; another city's is a 404.
        return role == f"reporter-{row.city}"
    return may_see(role, marker)


def allowed(role: str, channel: "Channel") -> set[str]:
    """The markers `channel` should show `role`: SERVED when it answers her, and of the rows
    it shows, those she may see there."""
    if not may_open(role, channel):
        return set()
    if channel.row and not visible(role, channel.row, channel):
        return set()  # a row's own page, file or admin screen: a 404
    markers = set() if channel.image else {SERVED}
    return markers | {marker for marker in channel.shows if visible(role, marker, channel)}


# The channels ---------------------------------------------------------------------------------
# Each channel says what it shows of the rows in its scope (`shows`), as its code and README.md
# describe it; the policy then keeps what the role may see there.

AS_OF = "?as_of=2021Q4"  # every quarter's counted reports in the figures
MODELS = {"report": ProgressReport, "update": ProjectUpdate, "problem": Problem}

REPORTS_1_1 = frozenset(
    {"MARK-A-DRAFT", "MARK-A-SUBMITTED", "MARK-A-APPROVED", "MARK-B-DRAFT", "MARK-B-SUBMITTED"}
)
REPORTS = REPORTS_1_1 | {"MARK-A-RETURNED"}  # MARK-A-RETURNED is task 2.1's
UPDATES = frozenset({"MARK-A-UPDATE-DRAFT", "MARK-B-UPDATE-SUBMITTED"})  # 郑开城际, task 1.1
PROBLEMS = frozenset({"MARK-A-RAISED", "MARK-A-ASSIGNED", "MARK-B-RAISED"})  # task 1.1's


def of(city: str, rows: frozenset) -> frozenset:
    return frozenset(marker for marker in rows if ROWS[marker].city == city)


@dataclass(frozen=True)
class Channel:
    name: str
    kind: str  # page, project-page, problem-page, download, city-download, template, ...
    path: Callable  # World → the URL
    shows: frozenset = frozenset()  # the rows (markers) whose text it shows
    city: str | None = None  # a city's own download or template: whose
    row: str | None = None  # a row's own page, image or admin screen: which
    model: str | None = None  # an admin screen: of reports, updates or problems
    image: bool = False
    slow: bool = False  # asked only of the roles it refuses


def page(name: str, path: str, shows=(), kind: str = "page", city=None, **more) -> Channel:
    return Channel(name, kind, lambda w: f"/2021/{path}", frozenset(shows), city, **more)


def of_row(name: str, kind: str, path: str, marker: str, **more) -> Channel:
    """A row's own channel: `path` names the row's id as {pk}."""
    url = lambda w: path.format(pk=w.rows[marker].pk)  # noqa: E731
    return Channel(name, kind, url, frozenset({marker}), row=marker, **more)


# A workbook shows its scope's reports (填报记录, with their notes), problems (问题清单) and
# project sections (重点项目, 形象进度); its CSV the reports. A city's has its own rows only.
SCOPES = [
    ("overview", "", None, REPORTS | PROBLEMS | UPDATES),
    ("area", "areas/1/", None, REPORTS_1_1 | PROBLEMS | UPDATES),
    ("city-A", "cities/kaifeng/", "A", of("A", REPORTS | PROBLEMS | UPDATES)),
    ("city-B", "cities/zhengzhou/", "B", of("B", REPORTS | PROBLEMS | UPDATES)),
    ("corridor", "corridors/belt/", None, REPORTS_1_1 | PROBLEMS | UPDATES),
    ("task", "tasks/1.1/", None, REPORTS_1_1 | PROBLEMS | UPDATES),
]

PAGES = [
    # The overview warns of the reader's problems overdue or due soon (the assigned one).
    page("overview", AS_OF, {"MARK-A-ASSIGNED"}),
    page("area", f"areas/1/{AS_OF}"),
    # A city's page lists its project sections with their latest 形象进度.
    page("city-A", f"cities/kaifeng/{AS_OF}", of("A", UPDATES)),
    page("city-B", f"cities/zhengzhou/{AS_OF}", of("B", UPDATES)),
    page("corridor", f"corridors/belt/{AS_OF}"),
    # A task's change history shows a report's note where it changed while counted (not
    # MARK-A-APPROVED's: it came with its first counted record, shown as amount and status).
    page("task-1.1", f"tasks/1.1/{AS_OF}", (REPORTS_1_1 - {"MARK-A-APPROVED"}) | UPDATES),
    page("task-2.1", f"tasks/2.1/{AS_OF}", {"MARK-A-RETURNED"}),
    page("projects", f"projects/{AS_OF}", UPDATES),
    Channel("project", "project-page", lambda w: f"/2021/projects/{w.project.pk}/{AS_OF}", UPDATES),
    Channel("unit", "page", lambda w: f"/2021/units/{w.unit.pk}/{AS_OF}"),
    page("rankings", f"rankings/{AS_OF}"),
    page("bulletins", "bulletins/"),
    page("bulletin", f"bulletin/{AS_OF}", kind="preview"),
    page("problems", f"problems/{AS_OF}", PROBLEMS, kind="problem-page"),
    *(of_row(f"problem {m}", "problem-page", "/2021/problems/{pk}/", m) for m in sorted(PROBLEMS)),
]

DOWNLOADS = [
    *(
        page(
            f"{name} {file}",
            f"{path}{file}{AS_OF}",
            rows if file == "export.xlsx" else rows & REPORTS,
            "city-download" if city else "download",
            city,
        )
        for name, path, city, rows in SCOPES
        for file in ("export.xlsx", "reports.csv")
        # An area's and a corridor's files are written as the task's are: their pages suffice.
        if name not in ("area", "corridor")
    ),
    page("bulletin.docx", f"bulletin/bulletin.docx{AS_OF}", kind="preview"),
    # WeasyPrint takes about a second for the office's PDF, which says what the Word file
    # says: asked only of the roles it must refuse.
    page("bulletin.pdf", f"bulletin/bulletin.pdf{AS_OF}", kind="preview", slow=True),
    # The entry template carries the city's rows of its quarter as entered, drafts included,
    # and the earlier quarter's 形象进度 of the city's sections.
    page(
        "template-A Q1",
        "template.xlsx?city=kaifeng&quarter=1",
        {"MARK-A-APPROVED", "MARK-A-RETURNED", "MARK-A-UPDATE-DRAFT"},
        "template",
        "A",
    ),
    page(
        "template-A Q2",
        "template.xlsx?city=kaifeng&quarter=2",
        of("A", UPDATES) | {"MARK-A-SUBMITTED"},
        "template",
        "A",
    ),
    page(
        "template-B Q2",
        "template.xlsx?city=zhengzhou&quarter=2",
        of("B", UPDATES) | {"MARK-B-SUBMITTED"},
        "template",
        "B",
    ),
    of_row("photo", "image", "/photos/{pk}/", "PHOTO-A-UPDATE-DRAFT", image=True),
    *(
        of_row(f"attachment {m}", "image", "/problem-attachments/{pk}/", m, image=True)
        for m in ("ATTACH-A-RAISED", "ATTACH-A-ASSIGNED")
    ),
]


def admin_url(model: str, view: str, *args) -> str:
    """An admin address by its name, never typed: the models' apps may change."""
    meta = MODELS[model]._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def admin_path(model: str, view: str, marker: str | None = None) -> Callable:
    def path(w: "World") -> str:
        if view == "simple_history":  # history/<history_id>/: the version holding the marker
            row, record = w.versions[marker]
            return admin_url(model, view, row.pk, record.history_id)
        return admin_url(model, view, *([w.rows[marker].pk] if marker else []))

    return path


def admin_channels() -> list[Channel]:
    found = []
    for model, rows in {"report": REPORTS, "update": UPDATES, "problem": PROBLEMS}.items():
        path = admin_path(model, "changelist")
        found.append(Channel(f"admin {model} list", "admin", path, rows, model=model))
        for marker in sorted(rows):
            path = admin_path(model, "change", marker)
            name = f"admin {model} change {marker}"
            found.append(Channel(name, "admin", path, frozenset({marker}), row=marker, model=model))
            # The history list shows the changes (a note) and the row's name (a problem's
            # title); an update's 形象进度, unchanged since it was made, does not show.
            shown = {marker} if model != "update" else set()
            if marker == "MARK-A-APPROVED":
                shown.add("MARK-A-WAS-DRAFT")
            path = admin_path(model, "history", marker)
            name = f"admin {model} history {marker}"
            found.append(
                Channel(name, "admin-history", path, frozenset(shown), row=marker, model=model)
            )
    # A version (history/<id>/) of each draft, and the approved report's draft version.
    for model, marker in [
        ("report", "MARK-A-DRAFT"),
        ("report", "MARK-B-DRAFT"),
        ("report", "MARK-A-WAS-DRAFT"),
        ("update", "MARK-A-UPDATE-DRAFT"),
        ("problem", "MARK-A-RAISED"),
    ]:
        path = admin_path(model, "simple_history", marker)
        name = f"admin {model} version {marker}"
        found.append(
            Channel(name, "admin-history", path, frozenset({marker}), row=marker, model=model)
        )
    return found


CHANNELS = PAGES + DOWNLOADS + admin_channels()


# The world ------------------------------------------------------------------------------------

RAISED_ON = datetime(2021, 6, 1, 12, tzinfo=UTC)  # within the plan's year: on its pages


def png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (4, 3), "blue").save(output, "PNG")
    return output.getvalue()


@dataclass
class World:
    clients: dict  # role → a Client signed in as that role's account
    rows: dict  # marker → its row (a report, an update, a problem, a photo, an attachment)
    versions: dict  # marker → (row, its historical record holding the marker)
    unit: Unit
    project: object


def build_world() -> World:
    zhengzhou = make_city("zhengzhou", "郑州", 1)
    kaifeng = make_city("kaifeng", "开封", 2)
    plan = make_world(zhengzhou, kaifeng)
    unit = Unit.objects.create(name="开封市发展和改革委员会", short_name="开封发改委", kind="other")
    rows, versions = {}, {}

    def report(task, city, quarter, status, marker):
        row = make_report(task, city, quarter, "1.5", status)
        row.note = marker  # A second save: the note changes while the row is at `status`.
        row.save()
        rows[marker] = row
        versions[marker] = (row, row.history.latest())
        return row

    report(plan.rail, kaifeng, 3, Status.DRAFT, "MARK-A-DRAFT")
    report(plan.industry, kaifeng, 1, Status.RETURNED, "MARK-A-RETURNED")
    report(plan.rail, kaifeng, 2, Status.SUBMITTED, "MARK-A-SUBMITTED")
    report(plan.rail, zhengzhou, 1, Status.DRAFT, "MARK-B-DRAFT")
    report(plan.rail, zhengzhou, 2, Status.SUBMITTED, "MARK-B-SUBMITTED")
    # Approved, its note written in the same save: before, it was a draft with another note.
    approved = report(plan.rail, kaifeng, 1, Status.DRAFT, "MARK-A-WAS-DRAFT")
    approved.note, approved.status = "MARK-A-APPROVED", Status.APPROVED
    approved.save()
    rows["MARK-A-APPROVED"] = rows.pop("MARK-A-WAS-DRAFT")
    versions["MARK-A-APPROVED"] = (approved, approved.history.latest())

    project = make_project(plan.rail, "郑开城际", "start", [zhengzhou, kaifeng])
    for city, status, marker in [
        (kaifeng, "draft", "MARK-A-UPDATE-DRAFT"),
        (zhengzhou, "submitted", "MARK-B-UPDATE-SUBMITTED"),
    ]:
        rows[marker] = make_update(project, city, 1, "construction", marker, status)
        versions[marker] = (rows[marker], rows[marker].history.latest())
    rows["PHOTO-A-UPDATE-DRAFT"] = ProjectPhoto.objects.create(
        update=rows["MARK-A-UPDATE-DRAFT"], image=ContentFile(png(), "photo.png"), width=4, height=3
    )

    overdue = date(2021, 12, 1)  # overdue at the end of Q4: the overview warns of it
    for city, marker, fields in [
        (kaifeng, "MARK-A-RAISED", {}),
        (kaifeng, "MARK-A-ASSIGNED", {"status": "assigned", "unit": unit, "deadline": overdue}),
        (zhengzhou, "MARK-B-RAISED", {}),
    ]:
        row = raise_problem(plan.rail, city, marker, description=f"{marker} 说明", **fields)
        Problem.objects.filter(pk=row.pk).update(created_at=RAISED_ON)
        rows[marker] = row
        versions[marker] = (row, row.history.latest())
    for marker in ("MARK-A-RAISED", "MARK-A-ASSIGNED"):
        rows[marker.replace("MARK", "ATTACH")] = ProblemAttachment.objects.create(
            entry=rows[marker].entries.get(),
            image=ContentFile(png(), "photo.png"),
            width=4,
            height=3,
        )

    User = get_user_model()
    users = {
        "no-role": User.objects.create_user("no-role"),
        "leader": User.objects.create_user("leader"),
        "leader-staff": User.objects.create_user("leader-staff", is_staff=True),
        "reporter-A": make_member("reporter-a", REPORTER, city=kaifeng),
        "reporter-B": make_member("reporter-b", REPORTER, city=zhengzhou),
        "contact": make_member("contact", CONTACT, unit=unit),
        "office": make_member("office", OFFICE),
    }
    for name in ("leader", "leader-staff"):
        users[name].groups.add(Group.objects.get(name=LEADER))
    clients = {}
    for role in ROLES:
        clients[role] = Client(raise_request_exception=False)
        if role in users:
            clients[role].force_login(users[role])
    return World(clients, rows, versions, unit, project)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast):
        with transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)


# Reading a response ---------------------------------------------------------------------------

MARKER = re.compile(r"(?:MARK|PHOTO|ATTACH)-[A-Z-]*[A-Z]")


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def text_of(response, data: bytes) -> str:
    """The text a reader gets: a page's HTML, a workbook's every cell, a CSV, a Word file's
    paragraphs and tables."""
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if "wordprocessingml" in kind:
        document = Document(io.BytesIO(data))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if kind.startswith("text/csv"):
        return "\n".join(",".join(row) for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return data.decode("utf-8", errors="replace")


def found_markers(response, channel: Channel, world: World) -> set[str]:
    data = body(response)
    if channel.image:
        served = response.status_code == 200 and data.startswith(b"\x89PNG")
        return set(channel.shows) if served else set()
    found = set(MARKER.findall(text_of(response, data)))
    if response.status_code == 200:
        found.add(SERVED)
    if channel.kind == "admin" and channel.row is None:
        # A changelist names a report or an update by task, city and quarter: its rows are
        # known by their links to their change pages.
        page = data.decode()
        found |= {
            marker
            for marker in channel.shows
            if f'href="{admin_url(channel.model, "change", world.rows[marker].pk)}' in page
        }
    return found


# The test -------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS, ids=lambda channel: channel.name)
def test_each_role_sees_what_the_policy_allows(channel, world, settings):
    """Every role asks for the channel; each sees exactly the markers the policy allows."""
    # The figures cache on, as in production: its entries are shared by every reader, so one
    # that kept a reader's own rows would show here.
    settings.FIGURES_CACHE_SECONDS = 600
    mismatches = []
    for role in ROLES:
        expected = allowed(role, channel)
        if channel.slow and SERVED in expected:
            continue
        if role == "leader-staff" and not channel.kind.startswith("admin"):
            continue  # Outside the admin, her staff status changes nothing: "leader" asks.
        url = channel.path(world)
        with override_settings(DASHBOARD_PUBLIC=role == "anonymous-public"):
            response = world.clients[role].get(url)
        found = found_markers(response, channel, world)
        if found != expected:
            mismatches.append(
                f"{role}: GET {url} → {response.status_code}; "
                f"unexpected {sorted(found - expected)}, missing {sorted(expected - found)}"
            )
    assert not mismatches, f"{channel.name}:\n" + "\n".join(mismatches)
