"""An insider's attacks on the quarterly bulletin and the rankings: who reads a draft, every admin
path to an issued bulletin, bad quarters, names Word cannot hold, a bulletin issued in one
language and read in the other, and the words of a world at its edges."""

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from docx import Document

from bulletins.content import content, frozen, load
from bulletins.models import Bulletin
from figures.rollups import Figures
from investment.models import ProgressReport, QuarterClose
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER
from plan.models import Plan
from tasks.models import Project
from tests.builders import (
    make_allocation,
    make_area,
    make_member,
    make_plan,
    make_problem,
    make_project,
    make_report,
    make_task,
    make_world,
)
from tests.worlds import grow

ADD = "/admin/bulletins/bulletin/add/"
REVISED = "本期通报印发后，相关数据已有修订"
APPROVED = ProgressReport.Status.APPROVED


@pytest.fixture
def world(zhengzhou, kaifeng):
    """make_world with 1.1 reported: Q1 郑州 30 of 60 and 开封 20 of 40 (both 50%, approved),
    Q2 开封 4 more (submitted): Q2 郑州 50.0% and 开封 60.0% against a 50% pace. One problem
    郑州 raised in February, not yet assigned to a unit."""
    found = make_world(zhengzhou, kaifeng)
    make_report(found.rail, zhengzhou, 1, "30", APPROVED)
    make_report(found.rail, kaifeng, 1, "20", APPROVED)
    make_report(found.rail, kaifeng, 2, "4")
    make_problem(found.rail, zhengzhou, date(2021, 2, 1))
    return found


@pytest.fixture
def staff(db):
    """The office's client (with its user as .user)."""
    client = Client()
    client.user = make_member("bulletin-office", OFFICE)
    client.force_login(client.user)
    return client


def issue(client, plan, quarter: int, next_steps: str = "加快推进。", **extra):
    data = {"plan": plan.pk, "quarter": quarter, "next_steps": next_steps, "_issue": "1", **extra}
    return client.post(ADD, data, follow=True)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def docx_text(response) -> str:
    document = Document(BytesIO(body(response)))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


# Who reads what


def test_only_the_office_reads_a_draft_its_files_and_its_admin_screens(world, staff, settings):
    draft = Bulletin.objects.create(plan=world.plan, quarter=2, next_steps="草稿：不外传。")
    reporter = make_member("zz", REPORTER, city=world.corridor.cities.first())
    contact = make_member("unit", UNIT_CONTACT)
    leader = make_member("boss", VIEWER)
    nobody = get_user_model().objects.create_user("nobody", password="x", is_staff=True)
    page, files = "/2021/bulletin/?as_of=2021Q2", "/2021/bulletin/bulletin.{}?as_of=2021Q2"
    admin = [ADD, f"/admin/bulletins/bulletin/{draft.pk}/change/", "/admin/bulletins/bulletin/"]
    admin.append(f"/admin/bulletins/bulletin/{draft.pk}/history/")
    for public in (False, True):
        settings.DASHBOARD_PUBLIC = public
        for user, shown in [(None, 302 - 302 * public + 404 * public), (nobody, 403)]:
            client = Client()
            if user:
                client.force_login(user)
            for url in (page, files.format("docx"), files.format("pdf")):
                assert client.get(url).status_code == shown, (public, user, url)
        for user in (reporter, contact, leader):
            client = Client()
            client.force_login(user)
            for url in (page, files.format("docx"), files.format("pdf"), "/2021/bulletins/"):
                response = client.get(url)
                assert response.status_code == (200 if "bulletins" in url else 404), url
                assert "草稿".encode() not in body(response), url
            assert "2021年第2季度" not in client.get("/2021/bulletins/").content.decode()
            for url in admin:
                # Without the bulletins' permissions, 403; the draft itself is not theirs: 404.
                hidden = str(draft.pk) in url
                assert client.get(url).status_code == (404 if hidden else 403), (user, url)
            assert "调度通报" not in client.get("/admin/").content.decode()
    assert "草稿：不外传。" in staff.get(page).content.decode()
    assert "草稿：不外传。" in docx_text(staff.get(files.format("docx")))
    assert "未印发" in staff.get("/2021/bulletins/").content.decode()


# Issuing


def test_an_issued_bulletin_is_changed_issued_or_deleted_by_no_admin_path(world, staff):
    QuarterClose.close(world.plan, 1, staff.user)
    issue(staff, world.plan, 1)
    issued = Bulletin.objects.get()
    change = f"/admin/bulletins/bulletin/{issued.pk}/change/"
    crafted = {"next_steps": "改", "_issue": "1", "seen_version": issued.version, "quarter": 2}
    assert staff.post(change, crafted).status_code == 403
    assert (
        staff.post(f"/admin/bulletins/bulletin/{issued.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    selected = {"action": "delete_selected", "_selected_action": [issued.pk], "post": "yes"}
    staff.post("/admin/bulletins/bulletin/", selected)
    history = issued.history.earliest().history_id
    revert = f"/admin/bulletins/bulletin/{issued.pk}/history/{history}/"
    assert staff.post(revert, {"next_steps": "改"}).status_code == 403
    # Reopening the quarter leaves it issued, numbered and frozen.
    QuarterClose.objects.get(plan=world.plan, quarter=1).reopen(staff.user, "更正")
    again = Bulletin.objects.get()
    assert (again.status, again.number, again.next_steps, again.version) == (
        "issued", 1, "加快推进。", issued.version,
    )  # fmt: skip
    assert again.content == issued.content


def test_issue_numbers_follow_one_another_and_a_stale_copy_cannot_issue_twice(world, staff):
    for quarter in (1, 2):
        QuarterClose.close(world.plan, quarter, staff.user)
    first = Bulletin.objects.create(plan=world.plan, quarter=2, next_steps="二季度。")
    stale = Bulletin.objects.get(pk=first.pk)
    first.issue(staff.user, frozen(content(Figures(world.plan, 2))))
    with pytest.raises(ValidationError, match="本季度调度通报已经印发，不能再次印发。"):
        stale.issue(staff.user, frozen(content(Figures(world.plan, 2))))
    issue(staff, world.plan, 1)
    numbers = dict(Bulletin.objects.values_list("quarter", "number"))
    assert numbers == {2: 1, 1: 2}  # In the order issued, each once.


@pytest.mark.parametrize("next_steps", ["", "   ", "\r\n\t\r\n"])
def test_a_bulletin_without_next_steps_is_not_issued(world, staff, next_steps):
    QuarterClose.close(world.plan, 2, staff.user)
    staff.cookies["django_language"] = "en"
    response = issue(staff, world.plan, 2, next_steps)
    assert "Write the next steps before issuing the bulletin" in response.content.decode()
    assert not Bulletin.objects.exists()
    # Nor a saved draft's, from its own screen: it stays a draft.
    draft = Bulletin.objects.create(plan=world.plan, quarter=2)
    change = f"/admin/bulletins/bulletin/{draft.pk}/change/"
    staff.post(change, {"next_steps": next_steps, "seen_version": draft.version, "_issue": "1"})
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", None)


def test_a_bulletin_issued_in_english_reads_in_chinese_unrevised(world, staff):
    """The problems not yet assigned are named in the reader's language, not the issuer's."""
    QuarterClose.close(world.plan, 2, staff.user)
    staff.cookies["django_language"] = "en"
    issue(staff, world.plan, 2)
    bulletin = Bulletin.objects.get()
    assert [unit["name"] for unit in bulletin.content["problems"]["units"]] == [""]
    assert (
        '<th scope="row">not yet assigned</th>'
        in staff.get(bulletin.get_absolute_url()).content.decode()
    )
    staff.cookies["django_language"] = "zh-hans"
    page = staff.get(bulletin.get_absolute_url()).content.decode()
    assert '<th scope="row">待交办</th>' in page
    assert "not yet assigned" not in page and REVISED not in page


def test_an_issued_bulletin_and_its_files_keep_the_figures_after_a_correction(world, staff):
    QuarterClose.close(world.plan, 2, staff.user)
    issue(staff, world.plan, 2)
    ProgressReport.objects.filter(quarter=2).update(amount=Decimal("40"))
    page = staff.get("/2021/bulletin/?as_of=2021Q2").content.decode()
    assert REVISED in page
    assert "累计完成投资54亿元" in page and "累计完成投资90亿元" not in page
    word = staff.get("/2021/bulletin/bulletin.docx?as_of=2021Q2")
    assert word["Content-Disposition"] == 'attachment; filename="zzmetro-2021Q2-bulletin-1.docx"'
    text = docx_text(word)
    assert REVISED in text and "累计完成投资54亿元" in text and "第1期" in text
    staff.cookies["django_language"] = "en"
    english = docx_text(staff.get("/2021/bulletin/bulletin.docx?as_of=2021Q2"))
    assert "The figures have been revised since this bulletin was issued" in english
    assert "Kaifeng completed 24 of its allocation of 40 (100 million yuan), 60.0%" in english
    pdf = staff.get("/2021/bulletin/bulletin.pdf?as_of=2021Q2")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="zzmetro-2021Q2-bulletin-1.pdf"'
    assert body(pdf).startswith(b"%PDF")


# Bad input


@pytest.mark.parametrize(
    "as_of", ["2021Q0", "2021Q5", "2020Q1", "garbage", "2021Q3\x00", "\x00", "2021Q" + "3" * 5000]
)
@pytest.mark.parametrize(
    "path", ["bulletin/", "bulletin/bulletin.docx", "bulletin/bulletin.pdf", "rankings/"]
)
def test_a_quarter_outside_the_plan_is_a_404_that_echoes_no_control_character(
    world, staff, as_of, path
):
    response = staff.get(f"/2021/{path}", {"as_of": as_of})
    assert response.status_code == 404
    page = response.content.decode()
    assert "不是2021年工作要点的季度" in page
    assert "\x00" not in page and "3" * 30 not in page


@pytest.mark.parametrize("character", ["\x0b", "\ufffe", "\uffff"])
def test_the_word_bulletin_drops_control_characters_pasted_into_names(
    world, staff, zhengzhou, character
):
    project = make_project(world.rail, "郑开城际", Project.Goal.COMPLETE, [zhengzhou])
    Project.objects.filter(pk=project.pk).update(name=f"郑开{character}城际")
    Plan.objects.filter(pk=world.plan.pk).update(title="2021年\x0c工作要点")
    response = staff.get("/2021/bulletin/bulletin.docx?as_of=2021Q2")
    assert response.status_code == 200
    text = docx_text(response)
    assert "郑开城际" in text and "2021年工作要点" in text


# What the bulletin says


def test_each_number_of_an_approved_only_preview_is_the_figures_and_its_word_file_says_so(
    world, staff
):
    figures = Figures(world.plan, 2, approved_only=True)
    found = content(figures)
    total = figures.total().progress
    assert (total.completed, total.target, total.percent) == (50, 150, Decimal("33.3"))
    with translation.override("zh-hans"):
        assert found.overall.sentences()[0] == (
            "截至2021年第2季度末，各项任务累计完成投资50亿元，占年度目标150亿元的33.3%，"
            "落后时间进度16.7个百分点。"
        )
        # Tied at 50.0%, both rank first (并列); 开封's 4 in Q2 is only submitted.
        assert [line.sentence(2) for line in found.cities] == [
            "郑州累计完成投资30亿元，占分配任务60亿元的50.0%，与时间进度持平，完成率并列第1位，"
            "与上季度持平，反映问题1个，尚未办结1个，其中逾期0个。",
            "开封累计完成投资20亿元，占分配任务40亿元的50.0%，与时间进度持平，完成率并列第1位，"
            "与上季度持平。",
        ]
    response = staff.get("/2021/bulletin/bulletin.docx?as_of=2021Q2&approved=1")
    assert "仅统计已审核的填报。" in docx_text(response)
    assert (
        "仅统计已审核的填报。"
        in staff.get("/2021/bulletin/?as_of=2021Q2&approved=1").content.decode()
    )


def test_a_city_ahead_of_the_pace_and_the_first_quarter_read_as_an_official_would_write(world):
    with translation.override("zh-hans"):
        q1 = content(Figures(world.plan, 1))
        q2 = content(Figures(world.plan, 2))
        assert [line.sentence(1) for line in q1.cities][1] == (
            "开封累计完成投资20亿元，占分配任务40亿元的50.0%，快于时间进度25.0个百分点，"
            "完成率并列第1位。"
        )
        assert not any("上季度" in line.sentence(1) for line in q1.cities)
        kaifeng, zhengzhou = q2.cities
        assert "占分配任务40亿元的60.0%，快于时间进度10.0个百分点，完成率居第1位，与上季度持平" in (
            kaifeng.sentence(2)
        )
        assert "完成率居第2位，较上季度下降1位" in zhengzhou.sentence(2)


def test_a_plan_without_targets_or_allocations_reads_without_none_or_a_bare_dash(
    staff, zhengzhou, kaifeng
):
    plan = make_plan(areas=1, tasks=1)
    task = make_task(make_area(plan), 1, None, [zhengzhou, kaifeng])
    make_report(task, zhengzhou, 1, "5")
    for language, unstated in (("zh-hans", "未分配投资任务"), ("en", "has no allocation")):
        staff.cookies["django_language"] = language
        for quarter in (1, 3):
            page = staff.get(f"/2021/bulletin/?as_of=2021Q{quarter}").content.decode()
            text = re.sub(r"<[^>]+>", " ", page.split("<article", 1)[1])
            assert "None" not in text and not re.search(r"—\s*%", text), (language, quarter)
            assert unstated in text
            assert "None" not in staff.get(f"/2021/rankings/?as_of=2021Q{quarter}").content.decode()


def test_frozen_content_of_every_field_type_reads_back_equal(world):
    make_allocation(world.industry, world.corridor.cities.first(), "0")
    found = content(Figures(world.plan, 1, approved_only=True), "一。\n\n二。")
    read = load(frozen(found))
    assert read == found
    assert read.problems.day == date(2021, 3, 31) and read.approved_only is True
    assert read.overall.amounts.percent == Decimal("33.3")
    assert read.cities[0].closure.value is None and read.cities[0].completion.change is None
    assert read.problems.units[0].name == "" and read.next_steps_paragraphs == ["一。", "二。"]


def test_the_print_page_escapes_a_plan_title_with_markup(world, staff):
    title = '<b class="x">要点</b> & "引号"'
    Plan.objects.filter(pk=world.plan.pk).update(title=title)
    found = content(Figures(Plan.objects.get(), 2))
    html = render_to_string("bulletins/bulletin_print.html", {"content": found})
    assert "&lt;b class=&quot;x&quot;&gt;要点&lt;/b&gt; &amp; &quot;引号&quot;" in html
    assert '<b class="x">' not in html
    assert body(staff.get("/2021/bulletin/bulletin.pdf?as_of=2021Q2")).startswith(b"%PDF")


# Queries


def test_the_rankings_bulletin_and_list_queries_grow_with_neither_world_nor_bulletins(db):
    office = make_member("counting-office", OFFICE)
    leader = make_member("counting-leader", VIEWER)

    def measured(size: int, issued: int) -> list[int]:
        with transaction.atomic():
            grow(size)
            plan = Plan.objects.get()
            for quarter in range(1, issued + 1):
                QuarterClose.close(plan, quarter, office)
                bulletin = Bulletin.objects.create(plan=plan, quarter=quarter, next_steps="推进。")
                bulletin.issue(office, frozen(content(Figures(plan, quarter))))
            counts = []
            for user in (office, leader):
                client = Client()
                client.force_login(user)
                for url in (
                    "/2021/rankings/?as_of=2021Q3",
                    "/2021/bulletins/",
                    "/2021/bulletin/?as_of=2021Q1",
                ):
                    client.get(url)
                    with CaptureQueriesContext(connection) as captured:
                        assert client.get(url).status_code == 200
                    counts.append(len(captured))
            client.force_login(office)
            client.get("/admin/bulletins/bulletin/")
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/admin/bulletins/bulletin/").status_code == 200
            counts.append(len(captured))
            transaction.set_rollback(True)
        return counts

    assert measured(2, 1) == measured(3, 1) == measured(2, 3)


def test_the_pdfs_links_resolve_against_the_sites_address_never_the_requests_host(
    world, staff, settings, monkeypatch
):
    import weasyprint

    settings.ALLOWED_HOSTS, settings.SITE_URL = ["*"], "https://zzmetro.example"
    seen = []

    class Page:
        def __init__(self, string, base_url):
            seen.append(base_url)

        def write_pdf(self, stylesheets, **options):
            return b"%PDF-1.7"

    monkeypatch.setattr(weasyprint, "HTML", Page)
    response = staff.get("/2021/bulletin/bulletin.pdf?as_of=2021Q2", HTTP_HOST="evil.example")
    assert body(response) == b"%PDF-1.7"
    assert seen == ["https://zzmetro.example/"]


def test_renaming_a_place_or_starting_next_year_never_changes_an_issued_bulletin(world, staff):
    from plan.models import City
    from tasks.editions import carry_over

    QuarterClose.close(world.plan, 2, staff.user)
    issue(staff, world.plan, 2)
    before = staff.get("/2021/bulletin/?as_of=2021Q2").content.decode()
    assert "开封" in before
    City.objects.filter(slug="kaifeng").update(name="开封（部分县区）")
    later = carry_over(world.plan, 2022, [world.rail], [])
    later.status = Plan.Status.ISSUED
    later.save()
    after = staff.get("/2021/bulletin/?as_of=2021Q2").content.decode()
    strip = re.compile(
        r'<nav class="year-switcher".*?</nav>|name="csrfmiddlewaretoken" value="[^"]*"', re.S
    )
    # The same page but for the year switcher, which 2022 brings.
    same = [re.sub(r"\s+", " ", strip.sub("", html)) for html in (before, after)]
    assert same[0] == same[1]
