"""What the site shows and what the database keeps, as one JSON file to compare across a refactor.

Usage, from a project tree's root (any revision), DATABASE_URL set:
    DJANGO_SETTINGS_MODULE=zzmetro.settings python /path/to/bench/snapshot.py OUT.json

Imports only Django, openpyxl, python-docx and the standard library, never a project module
(plan, tasks, investment...): their paths change between revisions, and the same file must
snapshot the old tree and the new one alike. It records:

- pages: for each demo account (found by username), anonymous visitors with DASHBOARD_PUBLIC
  off and on, in Chinese (a bounded crawl from /2021/) and English (a handful of pages): each
  address's status, redirect and normalised body (a page's visible text, a workbook's cells, a
  CSV's text, a Word file's paragraphs and tables, an image's sha256), today's date and time
  masked;
- history: every history table's rows (raw SQL, by table name), sorted by history_id;
- counts: the row count of every table not Django's, auth's or django-axes';
- groups: each auth group's permission codenames (not app labels, which may move).

Two snapshots compare only if taken the same day (Asia/Shanghai): a problem's days late and
colour count from today.
"""

import hashlib
import io
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from collections import deque
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit
from uuid import UUID

# The project tree is the current directory, not this file's folder (which Python puts first:
# its other scripts must not shadow anything).
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [os.getcwd(), *(p for p in sys.path if os.path.abspath(p or os.curdir) != HERE)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
# A cache of its own, empty: every figure is computed by the code being snapshot, never read
# back from an earlier run's entries (the two runs share a database name, so a key prefix).
CACHE_FOLDER = tempfile.mkdtemp(prefix="zzmetro-snapshot-cache-")
os.environ["CACHE_DIR"] = CACHE_FOLDER
os.environ.pop("CACHE_URL", None)

import django  # noqa: E402

django.setup()

import docx  # noqa: E402
import openpyxl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core import signals  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

# Without collectstatic's folder WhiteNoise warns once a request; the pages do not need it.
warnings.filterwarnings("ignore", message="No directory at")
# Each 404 and 403 the crawl meets would be logged as a warning: only errors are worth a line.
logging.getLogger("django.request").setLevel(logging.ERROR)

YEAR = "2021"
HOST = "127.0.0.1"
LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME  # django_language: the header's switch sets it
# How many addresses each visitor's Chinese crawl reads at most: the office's reads every one
# (about 490 with the sample data); the superuser, who sees what the office sees, and the
# others fewer, so that a snapshot takes about a minute on SQLite, a minute and a half on
# PostgreSQL.
CRAWL_LIMIT = {"office": 600, "admin": 250, "leader": 250}
CRAWL_LIMIT_OTHERS = 90
# The addresses crawled: the pages and their files, the photos and problem attachments.
FOLLOWED = (f"/{YEAR}/", "/photos/", "/problem-attachments/")
KEPT_PARAMETERS = ("as_of", "approved")
SKIPPED_SUFFIXES = (".pdf",)  # WeasyPrint: slow, and its bytes carry the time they were made
# The pages read at every quarter and approved-only, each with its workbook and CSV.
FIGURE_PAGES = re.compile(rf"^/{YEAR}/(?:(?:areas|cities|corridors|tasks)/[^/?]+/)?$")
VARIANTS = [f"as_of={YEAR}Q{quarter}" for quarter in range(1, 5)] + ["approved=1"]
SEEDS = [
    f"/{YEAR}/",
    f"/{YEAR}/bulletin/?as_of={YEAR}Q3",
    f"/{YEAR}/bulletin/bulletin.docx?as_of={YEAR}Q3",
    f"/{YEAR}/template.xlsx?city=kaifeng&quarter=3",
]
ENGLISH = [
    f"/{YEAR}/",
    f"/{YEAR}/export.xlsx",
    f"/{YEAR}/cities/kaifeng/",
    f"/{YEAR}/bulletin/?as_of={YEAR}Q3",
    f"/{YEAR}/bulletin/bulletin.docx?as_of={YEAR}Q3",
]
# Addresses the office found that every other visitor tries too, whether linked for her or
# not: who may read a problem, a photo or an attachment must not change.
PROBED = re.compile(rf"^/(?:{YEAR}/problems/\d+/|photos/\d+/|problem-attachments/\d+/)$")
CSRF = re.compile(r"(csrfmiddlewaretoken\"? value=\")[^\"]*|(csrftoken=)[^;\s]*")


def today_patterns() -> re.Pattern:
    """Today's date (local and UTC) as the site writes it, with a time after it if any."""
    days = {timezone.localdate(), datetime.now(UTC).date()}
    forms = set()
    for day in days:
        month = day.strftime("%B")
        forms |= {
            day.isoformat(),
            day.strftime("%Y/%m/%d"),
            f"{day.year}年{day.month}月{day.day}日",
            f"{day.year}年{day.month:02}月{day.day:02}日",
            f"{month} {day.day}, {day.year}",
            f"{month[:3]}. {day.day}, {day.year}",
            f"{month[:3]} {day.day}, {day.year}",
            f"{day.day} {month} {day.year}",
        }
    dates = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    clock = (
        r"(?:[ T日]*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?(?: ?[ap]\.?m\.?)?)?"
    )
    return re.compile(f"(?:{dates}){clock}")


TODAY = today_patterns()


def without_csrf(text: str) -> str:
    return CSRF.sub(lambda match: (match.group(1) or match.group(2)) + "<csrf>", text)


def masked(text: str) -> str:
    return TODAY.sub("<today>", without_csrf(text))


class VisibleText(HTMLParser):
    """The text of <main> (or of <body> when a page has no <main>), one entry per text run,
    whitespace collapsed; and the addresses it links to."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.main, self.body, self.links = [], [], []
        self.in_main = self.in_body = self.hidden = 0

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if tag == "main":
            self.in_main += 1
        elif tag == "body":
            self.in_body += 1
        elif tag in self.HIDDEN:
            self.hidden += 1
        for name in ("href", "src"):
            if attributes.get(name) and tag in ("a", "img", "link", "area"):
                self.links.append(attributes[name])

    def handle_endtag(self, tag) -> None:
        if tag == "main":
            self.in_main = max(0, self.in_main - 1)
        elif tag == "body":
            self.in_body = max(0, self.in_body - 1)
        elif tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data) -> None:
        if self.hidden:
            return
        text = " ".join(data.split())
        if not text:
            return
        if self.in_main:
            self.main.append(text)
        if self.in_body:
            self.body.append(text)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def workbook(content: bytes) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(content), data_only=True, read_only=True)
    sheets = {}
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows(values_only=True):
            cells = [masked(cell_text(value)) for value in row]
            while cells and cells[-1] == "":
                cells.pop()
            rows.append(cells)
        while rows and not rows[-1]:
            rows.pop()
        sheets[sheet.title] = rows
    book.close()
    return {"sheets": list(sheets), "cells": sheets}


def word(content: bytes) -> dict:
    document = docx.Document(io.BytesIO(content))
    return {
        "paragraphs": [masked(p.text) for p in document.paragraphs if p.text.strip()],
        "tables": [
            [[masked(cell.text) for cell in row.cells] for row in table.rows]
            for table in document.tables
        ],
    }


def body_of(response) -> tuple[dict, list[str]]:
    """The response's normalised body and, for a page, the addresses it links to."""
    kind = response.get("Content-Type", "").split(";")[0].strip()
    content = response.getvalue() if response.streaming else response.content
    if response.status_code >= 500:
        return {"kind": kind}, []
    if kind == "text/html":
        parser = VisibleText()
        parser.feed(without_csrf(content.decode("utf-8", "replace")))
        text = parser.main or parser.body
        return {"kind": kind, "text": [masked(t) for t in text]}, parser.links
    if kind.endswith("spreadsheetml.sheet"):
        return {"kind": "xlsx", **workbook(content)}, []
    if kind.endswith("wordprocessingml.document"):
        return {"kind": "docx", **word(content)}, []
    if kind in ("text/csv", "text/plain", "application/json"):
        text = content.decode("utf-8-sig", "replace")
        return {"kind": kind, "lines": masked(text).splitlines()}, []
    return {"kind": kind, "sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}, []


def followed(href: str) -> str | None:
    """The address to crawl for a link, or None: the site's own pages and files only, without
    fragments, keeping only the as_of and approved parameters."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith(FOLLOWED):
        return None
    if parts.path.endswith(SKIPPED_SUFFIXES):
        return None
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k in KEPT_PARAMETERS
    ]
    return parts.path + (f"?{urlencode(query)}" if query else "")


def derived(url: str) -> list[str]:
    """A figures page's other quarters, approved-only view, workbook and CSV."""
    path = urlsplit(url).path
    if urlsplit(url).query or not FIGURE_PAGES.match(path):
        return []
    return [f"{path}?{variant}" for variant in VARIANTS] + [
        f"{path}export.xlsx",
        f"{path}reports.csv",
    ]


def fetch(client: Client, url: str) -> tuple[dict, list[str]]:
    response = client.get(url)
    body, links = body_of(response)
    record = {"status": response.status_code, **body}
    if response.has_header("Location"):
        record["location"] = response["Location"]
    if response.has_header("Content-Disposition"):
        record["disposition"] = masked(response["Content-Disposition"])
    return record, links


def crawl(client: Client, limit: int, probed: list[str]) -> tuple[dict, list[str]]:
    """Breadth first from the seeds: pages first, then every figures page's variants and
    files; at most `limit` addresses, plus the probed ones."""
    pages, found = {}, []
    queue, later, queued = deque(SEEDS), deque(), set(SEEDS)
    while (queue or later) and len(pages) < limit:
        url = queue.popleft() if queue else later.popleft()
        pages[url], links = fetch(client, url)
        found.append(url)
        for link in links:
            target = followed(link)
            if target and target not in queued:
                queued.add(target)
                queue.append(target)
        for variant in derived(url):
            if variant not in queued:
                queued.add(variant)
                later.append(variant)
    for url in probed:
        if url not in pages:
            pages[url], _links = fetch(client, url)
    return pages, found


def english(client: Client) -> dict:
    client.cookies[LANGUAGE_COOKIE] = "en"
    try:
        return {url: fetch(client, url)[0] for url in ENGLISH}
    finally:
        del client.cookies[LANGUAGE_COOKIE]


def visitors() -> list[tuple[str, object, bool]]:
    """(name, user or None, DASHBOARD_PUBLIC) for each demo account and the anonymous ones."""
    users = get_user_model().objects
    names = ["admin", "office", "leader", "unit-contact"]
    names += sorted(
        users.filter(username__startswith="reporter-").values_list("username", flat=True)
    )
    found = [
        (name, users.get(username=name), False)
        for name in names
        if users.filter(username=name).exists()
    ]
    return [*found, ("anonymous", None, False), ("anonymous-public", None, True)]


def pages() -> tuple[dict, dict]:
    # One database connection for the whole crawl, not one a request (CONN_MAX_AGE 0).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    seen, timings = {}, {}
    probed: list[str] = []
    for name, user, public in visitors():
        started = time.perf_counter()
        client = Client(HTTP_HOST=HOST, raise_request_exception=False)
        client.cookies[LANGUAGE_COOKIE] = "zh-hans"
        if user is not None:
            client.force_login(user)
        limit = CRAWL_LIMIT.get(name, CRAWL_LIMIT_OTHERS)
        # DEBUG off: a 404 is the site's own page, not Django's list of the URL patterns
        # (which names how the URLconf is split into apps).
        with override_settings(DEBUG=False, DASHBOARD_PUBLIC=public):
            chinese, found = crawl(client, limit, probed)
            if name == "office":
                probed = sorted(url for url in found if PROBED.match(url))
            seen[name] = {"zh-hans": chinese, "en": english(client)}
        timings[name] = (len(chinese) + len(ENGLISH), round(time.perf_counter() - started, 1))
    return seen, timings


def plain(value):
    """A database value as JSON: dates and times as ISO text, decimals as text."""
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID | timedelta):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def history() -> dict:
    tables = sorted(t for t in connection.introspection.table_names() if "historical" in t)
    found = {}
    with connection.cursor() as cursor:
        for table in tables:
            name = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT * FROM {name} ORDER BY {connection.ops.quote_name('history_id')}"
            )
            columns = [column[0] for column in cursor.description]
            found[table] = [
                {column: plain(value) for column, value in sorted(zip(columns, row, strict=True))}
                for row in cursor.fetchall()
            ]
    return found


def counts() -> dict:
    # django-axes logs each of the snapshot's own sign-ins: its tables are left out.
    tables = sorted(
        t
        for t in connection.introspection.table_names()
        if not t.startswith(("django_", "auth_", "axes_"))
    )
    found = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            found[table] = cursor.fetchone()[0]
    return found


def groups() -> dict:
    return {
        group.name: sorted(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.order_by("name")
    }


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.split("\n\n")[1])
        return 2
    started = time.perf_counter()
    try:
        # The database first: the crawl's sign-ins touch only tables left out of it.
        snapshot = {"history": history(), "counts": counts(), "groups": groups()}
        snapshot["pages"], timings = pages()
    finally:
        shutil.rmtree(CACHE_FOLDER, ignore_errors=True)
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(snapshot, out, ensure_ascii=False, indent=1, sort_keys=True)
    read = sum(count for count, _seconds in timings.values())
    rows = sum(len(rows) for rows in snapshot["history"].values())
    print(
        f"snapshot: {read} addresses read, {rows} history rows, {len(snapshot['counts'])} tables "
        f"in {time.perf_counter() - started:.0f} s ("
        + ", ".join(f"{name} {count} in {seconds} s" for name, (count, seconds) in timings.items())
        + ")"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
