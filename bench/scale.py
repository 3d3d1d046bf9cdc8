"""The office's scale on PostgreSQL: every page, file, screen and save of one plan year at the
seed's size (S) and grown in place (L, scale_data.scale_plan), timed interleaved, with their
queries.

S is the 2021 plan with `load_sample_data 2021`; L is the same plan grown by scale_data before
its sample is loaded. Each world has its own database (BENCH_DATABASE_URL with _s and _l
appended, by default zzmetro_scale_s and zzmetro_scale_l on the local server), never the
dashboard's. Before timing, it checks through the pages that each reads the world it should.
Writes its section of bench/RESULTS.md.
Usage: python bench/scale.py [--runs N] [--reuse]
"""

import argparse
import csv
import io
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from zipfile import ZipFile

from common import fresh_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zzmetro_scale")
WORLDS = {"S": f"{BASE}_s", "L": f"{BASE}_l"}
os.environ["DATABASE_URL"] = WORLDS["S"]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
os.environ.pop("CACHE_URL", None)

import django  # noqa: E402

django.setup()

import scale_data  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from docx import Document  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from results import write_section  # noqa: E402

from bulletins.content import content, frozen  # noqa: E402
from bulletins.models import Bulletin  # noqa: E402
from figures.rollups import Figures  # noqa: E402
from investment.models import ProgressReport, ProjectUpdate, QuarterClose  # noqa: E402
from investment.quarter import QuarterEntry  # noqa: E402
from people.models import ApiKey, Reporter  # noqa: E402
from people.roles import OFFICE, REPORTER, VIEWER  # noqa: E402
from plan.models import City, Plan, Unit  # noqa: E402
from problems.models import Problem  # noqa: E402
from tasks.models import Project  # noqa: E402

YEAR = 2021
SHEET = "/admin/investment/progressreport/quarter/?city=zhengzhou&quarter={quarter}"
# The saves write Q4, which the sample leaves empty: its rows are read-only (sample data).
SAVED = 4
TEMPLATE = "/2021/template.xlsx?city=zhengzhou&quarter={quarter}"
IMPORT = "/admin/investment/progressreport/import/"
CONFIRM = "/admin/investment/progressreport/process_import/"
# What is read, by label: who reads it and its address; {project}, {problem} and {unit} are
# the same ones in both worlds (the seed's).
READS = {
    "overview": ("leader", "/2021/?as_of=2021Q3"),
    "an area": ("leader", "/2021/areas/2/?as_of=2021Q3"),
    "a city (郑州)": ("leader", "/2021/cities/zhengzhou/?as_of=2021Q3"),
    "a task (2.2)": ("leader", "/2021/tasks/2.2/?as_of=2021Q3"),
    "a corridor": ("leader", "/2021/corridors/{corridor}/?as_of=2021Q3"),
    "rankings": ("leader", "/2021/rankings/?as_of=2021Q3"),
    "projects list": ("leader", "/2021/projects/?as_of=2021Q3"),
    "a project": ("leader", "/2021/projects/{project}/"),
    "a unit": ("leader", "/2021/units/{unit}/"),
    "problems list": ("office", "/2021/problems/"),
    "a problem": ("office", "/2021/problems/{problem}/"),
    "issued bulletin (Q2)": ("leader", "/2021/bulletin/?as_of=2021Q2"),
    "bulletin preview (Q3)": ("office", "/2021/bulletin/?as_of=2021Q3"),
    "plan workbook": ("leader", "/2021/export.xlsx?as_of=2021Q3"),
    "a city's workbook": ("leader", "/2021/cities/zhengzhou/export.xlsx?as_of=2021Q3"),
    "reports.csv": ("leader", "/2021/reports.csv?as_of=2021Q3"),
    "projects workbook": ("leader", "/2021/projects/export.xlsx?as_of=2021Q3"),
    "problems workbook": ("office", "/2021/problems/export.xlsx"),
    "rankings workbook": ("leader", "/2021/rankings/export.xlsx?as_of=2021Q3"),
    "bulletin.docx (Q3 preview)": ("office", "/2021/bulletin/bulletin.docx?as_of=2021Q3"),
    "bulletin.pdf (Q3 preview)": ("office", "/2021/bulletin/bulletin.pdf?as_of=2021Q3"),
    "entry template (郑州 Q3)": ("reporter", TEMPLATE.format(quarter=3)),
    "quarter sheet (郑州 Q3)": ("reporter", SHEET.format(quarter=3)),
    "review queue": ("office", "/admin/investment/progressreport/?status__exact=submitted"),
    "API: projects": ("api", "/api/v1/plans/2021/projects"),
    "API: figures": ("api", "/api/v1/plans/2021/figures?as_of=2021Q3"),
    "open data": ("leader", "/opendata/2021/"),
}
CHANGED = 10  # rows of each kind a save changes


def build(world: str) -> str:
    """The world's database, made afresh; what its plan holds."""
    use(world, fresh=True)
    call_command("migrate", verbosity=0)
    call_command("load_plan", str(YEAR), verbosity=0, stdout=io.StringIO())
    plan = Plan.objects.get(year=YEAR)
    if world == "L":
        scale_data.scale_plan(YEAR)
    else:
        call_command("load_sample_data", str(YEAR), stdout=io.StringIO())
    cast()
    ready()
    office = get_user_model().objects.get(username="bench-office")
    QuarterClose.close(plan, 2, office)
    bulletin = Bulletin.objects.create(plan=plan, quarter=2, next_steps="压茬推进重点项目建设。")
    bulletin.issue(office, frozen(content(Figures(plan, 2), bulletin.next_steps)))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return scale_data.describe(plan)


def ready() -> None:
    """Zhengzhou's Q3 drafts and returned rows submitted: a save or import of Q4 that submits
    is refused while Q3 is unsubmitted."""
    city = City.objects.get(slug="zhengzhou")
    for model in (ProgressReport, ProjectUpdate):
        model.objects.filter(city=city, year=YEAR, quarter=3).exclude(
            status=model.Status.APPROVED
        ).update(status=model.Status.SUBMITTED, ever_submitted=True)


def cast() -> None:
    """A leader, the office, and Zhengzhou's reporter."""
    for name, group in (("leader", VIEWER), ("office", OFFICE), ("reporter", REPORTER)):
        user = get_user_model().objects.create_user(f"bench-{name}", is_staff=name != "leader")
        user.groups.add(Group.objects.get(name=group))
        if name == "reporter":
            Reporter.objects.create(user=user, city=City.objects.get(slug="zhengzhou"))


def use(world: str, fresh: bool = False) -> None:
    """Point Django's connection at the world's database."""
    if fresh:
        fresh_database(WORLDS[world])
    connection.close()
    connection.settings_dict["NAME"] = WORLDS[world].rsplit("/", 1)[1]
    cache.clear()


def clients() -> dict[str, Client]:
    signed = {}
    for name in ("leader", "office", "reporter"):
        signed[name] = Client()
        signed[name].force_login(get_user_model().objects.get(username=f"bench-{name}"))
    # Another system, reading the API with the leader's key.
    leader, office = (
        get_user_model().objects.get(username=f"bench-{n}") for n in ("leader", "office")
    )
    secret = ApiKey.objects.issue(leader, f"bench {time.time_ns()}", date(2099, 1, 1), office)[1]
    signed["api"] = Client(headers={"Authorization": f"Bearer {secret}"})
    return signed


def addresses() -> dict[str, tuple[str, str]]:
    """The reads' addresses, the seed's project, problem, unit and corridor filled in."""
    project = Project.objects.get(name="郑州南站主体工程")
    problem = Problem.objects.filter(title__startswith="示例").order_by("pk").first()
    problem = problem or Problem.objects.order_by("pk").first()
    keys = {
        "project": project.pk,
        "problem": problem.pk,
        # The seed's first unit (L's own come after the seed's).
        "unit": Unit.objects.order_by("pk").first().pk,
        "corridor": Plan.objects.get(year=YEAR).corridors.order_by("pk").first().slug,
    }
    return {label: (who, url.format(**keys)) for label, (who, url) in READS.items()}


def read(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def holds(data: bytes) -> tuple[int, str]:
    """How much a read holds, as its reader would count it: a workbook's rows over all its
    sheets (titles and headers included), a CSV's rows below its header, a PDF's pages, a
    Word file's table rows, else the kilobytes of a page or an answer."""
    if data.startswith(b"PK"):
        names = ZipFile(io.BytesIO(data)).namelist()
        if "xl/workbook.xml" in names:
            book = load_workbook(io.BytesIO(data), read_only=True)
            return sum(1 for sheet in book.worksheets for _row in sheet.iter_rows()), "rows"
        if "word/document.xml" in names:
            rows = Document(io.BytesIO(data)).element.body.findall(".//" + qn("w:tr"))
            return len(rows), "table rows"
        raise ValueError(f"a zip of neither a workbook nor a Word file: {names[:5]}")
    if data.startswith(b"%PDF"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(data)
            file.flush()
            found = subprocess.run(
                ["pdfinfo", file.name], capture_output=True, text=True, check=True
            )
        return int(re.search(r"^Pages:\s+(\d+)", found.stdout, re.MULTILINE)[1]), "pages"
    if data.startswith(b"\xef\xbb\xbf"):  # The reports file: a CSV with a BOM, for Excel.
        return len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) - 1, "rows"
    return len(data) // 1024, "KB"


def check_world(world: str, signed: dict[str, Client], said: str) -> None:
    """The pages read the world they should: L's 2021 plan has its thirty cities and 2,000
    more projects, S's has neither."""
    projects = Project.objects.filter(task__area__plan__year=YEAR).count()
    page = read(signed["leader"], f"/{YEAR}/projects/?as_of=2021Q3").decode()
    shown = re.search(r"(\d[\d,]*) 个项目|(\d[\d,]*) projects", page)
    assert shown and int((shown[1] or shown[2]).replace(",", "")) == projects, (world, shown)
    scaled = signed["leader"].get(f"/{YEAR}/cities/scale-29/").status_code
    assert scaled == (200 if world == "L" else 404), (world, scaled)
    assert (projects > 2000) == (world == "L"), (world, projects, said)


def sheet_post(world: str) -> dict:
    """Zhengzhou's Q4 sheet as its reporter posts it, CHANGED task rows' amounts and CHANGED
    sections' progress typed anew (a different value each time, so each save writes)."""
    user = get_user_model().objects.get(username="bench-reporter")
    plan = Plan.objects.get(year=YEAR)
    entry = QuarterEntry(
        user=user, city=City.objects.get(slug="zhengzhou"), plan=plan, quarter=SAVED
    )
    data = entry.posted()
    for form in entry.reports.forms:
        data[form.add_initial_prefix("amount")] = data[form.add_prefix("amount")]
        data[form.add_initial_prefix("note")] = data[form.add_prefix("note")]
    stamp = time.perf_counter_ns() % 1000
    typed = 0
    for form in entry.reports.forms:
        if form.editable and typed < CHANGED:
            data[form.add_prefix("amount")] = f"{1 + typed}.{stamp:03d}"
            typed += 1
    typed = 0
    for form in entry.projects.forms:
        if form.editable and typed < CHANGED:
            data[form.add_prefix("progress")] = f"规模测试：形象进度 {stamp}"
            # A stage never goes back: the section's earlier one, or 前期 for a first update.
            earlier = form.row.earlier
            data[form.add_prefix("stage")] = earlier.stage if earlier else "preparation"
            typed += 1
    return data


def save_sheet(signed: dict[str, Client], data: dict) -> None:
    response = signed["reporter"].post(SHEET.format(quarter=SAVED), data)
    assert response.status_code == 302, errors(response.content.decode())


def errors(page: str) -> str:
    """A page's messages, for an assertion's failure."""
    main = page[page.find('id="content"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))[:3000]


def import_file(signed: dict[str, Client]) -> bytes:
    """Zhengzhou's Q4 entry template with CHANGED amounts and CHANGED sections' progress
    typed anew."""
    book = load_workbook(io.BytesIO(read(signed["reporter"], TEMPLATE.format(quarter=SAVED))))
    stamp = time.perf_counter_ns() % 1000
    for sheet, column, value in ((0, 8, f"2.{stamp:03d}"), (1, 8, f"规模测试：导入 {stamp}")):
        rows = book.worksheets[sheet].iter_rows(min_row=2, max_row=CHANGED + 1)
        for row in rows:
            row[column - 1].value = value
        if sheet == 1:
            # A stage never goes back: the earlier quarter's (its text names it), or 前期.
            for row in book.worksheets[1].iter_rows(min_row=2, max_row=CHANGED + 1):
                said = str(row[6].value or "")
                row[8].value = next((w for w in ("建成", "在建") if w in said), "前期")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def preview(signed: dict[str, Client], data: bytes) -> str:
    upload = io.BytesIO(data)
    upload.name = "郑州Q4.xlsx"
    response = signed["reporter"].post(IMPORT, {"import_file": upload})
    page = response.content.decode()
    found = re.search(r'name="preview" value="([^"]+)"', page)
    assert found, errors(page)
    return found[1]


def confirm(signed: dict[str, Client], token: str) -> None:
    response = signed["reporter"].post(CONFIRM, {"preview": token})
    assert response.status_code == 302 and "quarter" in response["Location"], response


def timed(action) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        action()
        took = time.perf_counter() - start
    return took, len(captured)


def one_round(world: str, signed: dict[str, Client], reads: dict) -> dict[str, tuple]:
    """Every read once, then a sheet save, an import preview and its confirm."""
    done = {}
    for label, (who, url) in reads.items():
        done[label] = timed(lambda who=who, url=url: read(signed[who], url))
    # The last round's import submitted Q4: back to drafts, which the reporter may change.
    for model in (ProgressReport, ProjectUpdate):
        model.objects.filter(city__slug="zhengzhou", year=YEAR, quarter=SAVED).update(
            status=model.Status.DRAFT
        )
    data = sheet_post(world)
    done[f"quarter sheet save ({CHANGED} + {CHANGED} rows)"] = timed(
        lambda: save_sheet(signed, data)
    )
    upload = import_file(signed)
    token = []
    done[f"import preview ({CHANGED} + {CHANGED} rows)"] = timed(
        lambda: token.append(preview(signed, upload))
    )
    done[f"import confirm ({CHANGED} + {CHANGED} rows)"] = timed(lambda: confirm(signed, token[0]))
    return done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the worlds built last time")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.FIGURES_CACHE_SECONDS = 0  # Computed each time: the cache would hide the work.
    settings.API_RATE = "1000000/m"
    said = {}
    for world in WORLDS:
        if args.reuse:
            use(world)
            said[world] = scale_data.describe(Plan.objects.get(year=YEAR))
        else:
            print(f"{world}: building…", flush=True)
            said[world] = build(world)
        print(f"{world}: {said[world]}", flush=True)
    signed, reads, sizes = {}, {}, {}
    for world in WORLDS:
        use(world)
        signed[world], reads[world] = clients(), addresses()
        check_world(world, signed[world], said[world])
        sizes[world] = {
            label: holds(read(signed[world][who], url))
            for label, (who, url) in reads[world].items()
        }
        one_round(world, signed[world], reads[world])  # warm: buffers, sessions, imports
    samples = {world: [] for world in WORLDS}
    for run in range(args.runs):
        for world in WORLDS:
            use(world)
            samples[world].append(one_round(world, signed[world], reads[world]))
        print(f"run {run + 1} of {args.runs}", flush=True)
    write_section(
        "The office's scale: one plan year, S and L", report(said, samples, sizes, args.runs)
    )


def report(said: dict, samples: dict, sizes: dict, runs: int) -> list[str]:
    lines = [
        "PostgreSQL, the local server; `python bench/scale.py`. Two worlds of the same plan "
        "year, each in its own database, checked through the pages before timing (the "
        "projects list counts the plan's projects; a scale city's page exists only in L):",
        "",
        f"- **S**, the seed: {said['S']}.",
        f"- **L**, grown in place by `scale_data.scale_plan(2021)`: {said['L']}.",
        "",
        f"Each row is drawn, or saved, in-process (Django's test client) by the role it names, "
        f"once per round, S and L interleaved, {runs} rounds after a warm one; figures cache "
        "off (FIGURES_CACHE_SECONDS=0), so every figure is computed. Times are the median "
        "and, in brackets, the best of the rounds; the ratio is L over S, of the medians and "
        "of the bests. Queries are the fewest of the rounds: a session's renewal and an API key's "
        "last use are written at most once a minute, into whichever round comes then. The "
        "saves are the same work at both sizes: Zhengzhou's reporter "
        f"changes {CHANGED} task rows and {CHANGED} project sections of her Q4 sheet (the "
        "sample's rows, Q1-Q3, are read-only), or imports her Q4 entry template with as many "
        "rows changed.",
        "",
        "The last column is how much each read holds at each size: a workbook's rows over all "
        "its sheets, a CSV's rows, a PDF's pages, a Word file's table rows, a page's or an "
        "answer's kilobytes. A file that lists every project, report or problem holds many "
        "times more at L, and its time grows with its rows, if less than in proportion.",
        "",
        "| What | S | L | ratio (median, best) | queries S, L | holds S → L |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label in samples["S"][0]:
        s = [sample[label] for sample in samples["S"]]
        big = [sample[label] for sample in samples["L"]]
        s_med, s_best = statistics.median(t for t, _q in s), min(t for t, _q in s)
        l_med, l_best = statistics.median(t for t, _q in big), min(t for t, _q in big)
        # The fewest of the rounds: a session's renewal and an API key's last use are
        # written at most once a minute, into whichever round comes then.
        s_q, l_q = min(q for _t, q in s), min(q for _t, q in big)
        lines.append(
            f"| {label} | {ms(s_med)} ({ms(s_best)}) | {ms(l_med)} ({ms(l_best)}) "
            f"| {l_med / s_med:.2f}x, {l_best / s_best:.2f}x "
            f"| {s_q} {'=' if s_q == l_q else '≠'} {l_q} | {held(sizes, label)} |"
        )
    return lines


def held(sizes: dict, label: str) -> str:
    """What a read holds at S and at L, and how many times more at L; blank for a save."""
    if label not in sizes["S"]:
        return ""
    (small, unit), (large, _unit) = sizes["S"][label], sizes["L"][label]
    times = f" ({large / small:.1f}x)" if small else ""
    return f"{small:,} → {large:,} {unit}{times}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


if __name__ == "__main__":
    main()
