"""The pages as the Nu HTML checker (vnu.jar, the W3C validator's engine) reads them: every kind
of page the sample world has, signed in as the office, a city's reporter and a unit's contact,
and as a visitor.

Every page of the dashboard's own (the pages, problems, bulletins, open data, sign-in) must be
valid HTML with no error. On the admin's pages, the errors the issue named (duplicate ids,
malformed values) fail the run; the rest come from Django's admin and django-import-export's
markup, and are listed with their counts (KNOWN_IN_ADMIN). A page that is invalid on purpose is
checked with the rest, so a checker that reads nothing fails the run.

Run by .ci/run. Builds a SQLite database with the 2021 plan and the sample data, follows the
links from the overview, the problem list and the admin (at most two pages of each address
shape, /2021/tasks/1.1/ and /2021/tasks/2.3/ being one shape), saves each page and checks them
all in one run of the checker.
Usage: python bench/html_check.py --vnu path/to/vnu.jar [--keep DIR]
"""

import argparse
import json
import logging
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
SENTINEL = "<!DOCTYPE html><html lang=en><title>x</title><p id=a><p id=a>"
# On admin pages: markup of Django's admin and django-import-export, not ours (counted, listed).
KNOWN_IN_ADMIN = (
    "Attribute “resource-index” not allowed",  # import-export's export form
    "Attribute “resource-id” not allowed",
    "Bad value “” for attribute “action” on element “form”",  # Django's admin forms
    "The value of the “for” attribute of the “label” element must be the ID of a non-hidden",
    "Element “option” without attribute “label” must not be empty",
    "A “select” element with a “required” attribute",
    "The first “option” element in a “select” element with a “required” attribute",
    "Attribute “disabled” not allowed on element “div”",
)


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
        saved[str(name.resolve())] = url
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
    # A page a user may not open is skipped, not logged with its traceback.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from people.models import Reporter
    from people.roles import REPORTER
    from plan.models import City

    office = User.objects.create_superuser("html-office", password="unused")
    reporter = User.objects.create_user("html-reporter", password="unused", is_staff=True)
    reporter.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=reporter, city=City.objects.get(slug="kaifeng"))

    from people.models import UnitContact
    from people.roles import UNIT_CONTACT
    from plan.models import Unit

    contact = User.objects.create_user("html-contact", password="unused", is_staff=True)
    contact.groups.add(Group.objects.get(name=UNIT_CONTACT))
    UnitContact.objects.create(user=contact, unit=Unit.objects.filter(is_active=True).first())

    sentinel = folder / "sentinel.html"
    sentinel.write_text(SENTINEL)
    pages = {str(sentinel.resolve()): "(invalid on purpose)"}
    users = [("office", office), ("reporter", reporter), ("contact", contact), ("anonymous", None)]
    for who, user in users:
        client = Client(HTTP_HOST="127.0.0.1")
        if user:
            client.force_login(user)
        pages |= crawl(client, folder, who, args.limit)
    checked = subprocess.run(
        ["java", "-jar", args.vnu, "--format", "json", "--errors-only", *sorted(pages)],
        capture_output=True,
        text=True,
    )
    messages = json.loads(checked.stderr or '{"messages": []}')["messages"]
    errors = [m for m in messages if m.get("type") == "error"]
    for error in errors:
        error["page"] = pages.get(error.get("url", "").removeprefix("file:"), error.get("url"))
    caught = [e for e in errors if e["page"] == "(invalid on purpose)"]
    known = [
        e
        for e in errors
        if e["page"].startswith("/admin/") and e["message"].startswith(KNOWN_IN_ADMIN)
    ]
    failing = [e for e in errors if e not in caught and e not in known]
    print(f"{len(pages) - 1} pages checked by the Nu HTML checker: {len(failing)} errors")
    for error in failing:
        print(f"  {error['page']}: {error['message']}")
        if error.get("extract"):
            print(f"    {error['extract'].strip()[:200]}")
    counts = Counter(e["message"][:100] for e in known)
    print(f"{len(known)} known errors of Django's admin and django-import-export markup:")
    for message, count in counts.most_common():
        print(f"  {count} × {message}")
    if not caught:
        print("The page invalid on purpose drew no error: the checker read nothing.")
        return 1
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
