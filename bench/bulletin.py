"""Bulletin and rankings benchmark on PostgreSQL: the rankings page, the office's preview of a
quarter's bulletin, its Word file and its PDF, and an issued bulletin as a leader reads it, at
the seed's size and with thirty cities and 2,000 more key projects.

Builds its own database (BENCH_BULLETIN_DATABASE_URL, by default zzmetro_bench_bulletin on the
local server). Writes its section of bench/RESULTS.md.
Usage: make bench   (or: python bench/bulletin.py [--projects N])
"""

import argparse
import os
import sys
from pathlib import Path

from common import fresh_database, measure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get(
    "BENCH_BULLETIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zzmetro_bench_bulletin"
)
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
RUNS = 9

fresh_database(URL)

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
from results import PROJECTS_ONLY, write_section  # noqa: E402

from bulletins.content import content, frozen  # noqa: E402
from bulletins.models import Bulletin  # noqa: E402
from figures.rollups import Figures  # noqa: E402
from investment.models import QuarterClose  # noqa: E402
from people.roles import OFFICE, VIEWER  # noqa: E402
from plan.models import Plan  # noqa: E402
from tasks.models import Project  # noqa: E402

# What is measured, by label: (who reads it, its address).
PAGES = {
    "rankings": ("leader", "/2021/rankings/?as_of=2021Q3"),
    "bulletin preview (Q2)": ("office", "/2021/bulletin/?as_of=2021Q2"),
    "bulletin.docx (Q2 preview)": ("office", "/2021/bulletin/bulletin.docx?as_of=2021Q2"),
    "bulletin.pdf (Q2 preview)": ("office", "/2021/bulletin/bulletin.pdf?as_of=2021Q2"),
    "issued bulletin (Q3)": ("leader", "/2021/bulletin/?as_of=2021Q3"),
    "issued bulletin.pdf (Q3), cached": ("leader", "/2021/bulletin/bulletin.pdf?as_of=2021Q3"),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000, help="projects at the second size")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_plan", "2021", verbosity=0)
    call_command("load_sample_data", "2021", verbosity=0)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.FIGURES_CACHE_SECONDS = 0  # The figures computed each time; the PDF cache stays.
    cache.clear()
    users = {}
    for name, group in (("leader", VIEWER), ("office", OFFICE)):
        user = get_user_model().objects.create_user(f"bench-{name}", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        users[name] = Client()
        users[name].force_login(user)
    plan = Plan.objects.get(year=2021)
    office = get_user_model().objects.get(username="bench-office")
    QuarterClose.close(plan, 3, office)
    bulletin = Bulletin.objects.create(plan=plan, quarter=3, next_steps="压茬推进重点项目建设。")
    bulletin.issue(office, frozen(content(Figures(plan, 3), bulletin.next_steps)))
    scale_data.scale_cities()
    sizes = [Project.objects.count()]
    print(f"{sizes[0]:,} projects: timing…")
    timings = [{label: measure(users[who], url, RUNS) for label, (who, url) in PAGES.items()}]
    scale_data.generate(projects=args.projects)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    sizes.append(Project.objects.count())
    print(f"{sizes[1]:,} projects: timing…")
    timings.append({label: measure(users[who], url, RUNS) for label, (who, url) in PAGES.items()})
    write_section("Bulletin and rankings", report(sizes, timings))


def report(sizes: list[int], timings: list[dict]) -> list[str]:
    small, large = sizes
    lines = [
        PROJECTS_ONLY,
        "",
        "PostgreSQL, the local server, on a shared 2-core machine. Each drawn in-process "
        f"(Django's test client), {RUNS} times, figures cache off (FIGURES_CACHE_SECONDS=0): the "
        "office's preview of Q2 and its files, and as a leader the rankings and the issued Q3 "
        "bulletin (frozen: read back from its JSON, beside the figures computed now to say "
        "whether they were revised since). The seed is the 2021 plan with `load_sample_data "
        f"2021` ({small:,} projects), with thirty cities (scale_data.scale_cities); "
        f"scale_data.generate(projects=…) brings the projects to {large:,}, each with sections "
        "and four quarters of updates.",
        "",
        "Each time is the median, and in brackets the best, of the runs.",
        "",
        f"| Page | {small:,} projects | {large:,} projects | ratio (best) | queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for label in timings[0]:
        (a, best_a, qa), (b, best_b, qb) = (timing[label] for timing in timings)
        qa, qb = len(qa), len(qb)
        same = "=" if qa == qb else "≠"
        lines.append(
            f"| {label} | {ms(a)} ({ms(best_a)}) | {ms(b)} ({ms(best_b)}) "
            f"| {best_b / best_a:.2f}x | {qa} {same} {qb} |"
        )
    return lines


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    main()
