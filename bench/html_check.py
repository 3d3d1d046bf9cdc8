"""The pages as the Nu HTML checker (vnu.jar, the W3C validator's engine) reads them: every kind
of page the sample world has, signed in as the office and as a city's reporter, must be valid
HTML with no error.

Run by .ci/run. Builds a SQLite database with the 2021 plan and the sample data, follows the
links from the overview, the problem list and the admin (at most two pages of each address
shape, /2021/tasks/1.1/ and /2021/tasks/2.3/ being one shape), saves each page and checks them
all in one run of the checker.
Usage: python bench/html_check.py --vnu path/to/vnu.jar [--keep DIR]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

STARTS = [
    "/2021/",
    "/2021/problems/",
    "/2021/bulletins/",
    "/opendata/2021/",
    "/admin/",
    "/admin/problems/problem/",
    "/admin/investment/progressreport/",
    "/admin/tasks/project/",
]
# Files, the API, photos and what changes data are not pages to check.
SKIP = re.compile(
    r"\.(xlsx|csv|pdf|docx|json|zip|jpe?g|png)\b|/api/|/logout|/static/|/media/|/photos?/|"
    r"/i18n/|/delete/|/jsi18n/|[?&]o=|_changelist_filters"
)
PER_SHAPE = 2


def shape(url: str) -> str:
    return re.sub(r"\d+(\.\d+)?", "N", url.split("?")[0]) + ("?" if "?" in url else "")


def crawl(client, folder: Path, who: str, limit: int) -> dict[str, str]:
    """Saves up to `limit` pages `client` can open; returns file name → address."""
    seen, shapes, saved, queue = set(), Counter(), {}, list(STARTS)
    while queue and len(saved) < limit:
        url = queue.pop(0)
        if url in seen or shapes[shape(url)] >= PER_SHAPE:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        shapes[shape(url)] += 1
        name = folder / f"{who}-{len(saved):03d}.html"
        name.write_bytes(response.content)
        saved[name.resolve().as_uri()] = url
        for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
            href = href.replace("&amp;", "&")
            if not SKIP.search(href) and href not in seen:
                queue.append(href)
    return saved


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vnu", required=True, help="the checker's vnu.jar")
    parser.add_argument("--keep", help="save the pages here (default: a temporary folder)")
    parser.add_argument("--limit", type=int, default=150, help="pages per user")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="zzmetro-html-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder}/html.sqlite3",
        CACHE_DIR=str(folder / "cache"),
        DJANGO_SETTINGS_MODULE="zzmetro.settings",
    )
    manage = [str(BIN / "python"), "manage.py"]
    for command in (["migrate", "-v0"], ["load_plan", "2021"], ["load_sample_data", "2021"]):
        subprocess.run([*manage, *command], cwd=ROOT, check=True, capture_output=True)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from people.models import Reporter
    from people.roles import REPORTER
    from plan.models import City

    office = User.objects.create_superuser("html-office", password="unused")
    reporter = User.objects.create_user("html-reporter", password="unused", is_staff=True)
    reporter.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=reporter, city=City.objects.get(slug="kaifeng"))

    pages = {}
    for who, user in [("office", office), ("reporter", reporter), ("anonymous", None)]:
        client = Client(HTTP_HOST="127.0.0.1")
        if user:
            client.force_login(user)
        pages |= crawl(client, folder, who, args.limit)
    checked = subprocess.run(
        ["java", "-jar", args.vnu, "--format", "json", "--errors-only", *sorted(pages)],
        capture_output=True,
        text=True,
    )
    errors = json.loads(checked.stderr or '{"messages": []}')["messages"]
    print(f"{len(pages)} pages checked by the Nu HTML checker: {len(errors)} errors")
    for error in errors:
        print(f"  {pages.get(error.get('url'), error.get('url'))}: {error['message']}")
        if error.get("extract"):
            print(f"    {error['extract'].strip()[:200]}")
    return 1 if errors or checked.returncode not in (0, 1) else 0


if __name__ == "__main__":
    sys.exit(main())
