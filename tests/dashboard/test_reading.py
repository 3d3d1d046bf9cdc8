"""The pages read well on a phone and in English: every cell names its column for the phone's
cards, the plan's own texts have English, one wording of the unit, the cumulative line stops at
the as-of quarter, the city page lists what the city still owes, cities link to their pages and
a column of zeros is left out."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from figures.rollups import Figures
from investment.coverage import Cell
from investment.models import ProgressReport
from plan.models import FocusArea
from tasks.models import Milestone, Task
from tests.builders import make_allocation, make_report, make_world

Status = ProgressReport.Status


@pytest.fixture(autouse=True)
def signed_in(client, leader):
    client.force_login(leader)


@pytest.fixture
def world(zhengzhou, kaifeng):
    """make_world, with on 1.1 轨道 Zhengzhou 10 in Q1 (approved) and 20 in Q2, Kaifeng 12 in
    Q1 and a Q2 draft; Kaifeng's 2.1 产业 has nothing yet."""
    world = make_world(zhengzhou, kaifeng)
    make_report(world.rail, zhengzhou, 1, "10", Status.APPROVED)
    make_report(world.rail, zhengzhou, 2, "20")
    make_report(world.rail, kaifeng, 1, "12", Status.APPROVED)
    make_report(world.rail, kaifeng, 2, "5", Status.DRAFT)
    return world


def html(client, url: str, language: str = "zh-hans") -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def chart_data(page: str) -> dict:
    return json.loads(re.search(r'id="chart-data" type="application/json">(.*?)</script>', page)[1])


def test_every_figure_cell_names_its_column_for_the_phone_cards(client, world):
    page = html(client, "/2021/areas/1/?as_of=2021Q2")
    assert '<td data-label="编号">1.1</td>' in page
    assert '<td class="num" data-label="目标(亿元)">100</td>' in page
    assert '<td class="num" data-label="已完成(亿元)">30</td>' in page
    assert '<td class="num" data-label="分配金额(亿元)">60</td>' in page
    english = html(client, "/2021/areas/1/?as_of=2021Q2", "en")
    assert '<td class="num" data-label="Completed (100 million yuan)">30</td>' in english
    assert '<td data-label="Pace"><span class="pace pace-' in english
    task = html(client, "/2021/tasks/1.1/?as_of=2021Q2", "en")
    assert '<td class="num" data-label="Q2">20</td>' in task


def test_the_phone_turns_every_table_into_cards_by_the_stylesheet():
    css = (Path(settings.BASE_DIR) / "static/css/site.css").read_text()
    phone = css[css.index("@media (max-width: 40rem)") :]
    assert "content: attr(data-label); float: left;" in phone
    # Nothing forces a table wider than the phone any more.
    assert "min-width: 52rem" not in css and "min-width: 64rem" not in css


def test_area_subtitles_and_source_notes_are_in_english_in_english(client, sample_world):
    page = html(client, "/2021/areas/2/", "en")
    assert (
        "<small>Advance transport, water networks and new infrastructure, so that the cities "
        "of the area connect faster</small>" in page
    )
    assert (
        "<span>The beginning of this paragraph is missing from the source, leaving only "
        "“express network.”; the full task title is not stated" in page
    )
    chinese = html(client, "/2021/areas/2/")
    assert '<small lang="zh-Hans">推动交通、水网和新基建 让圈内城市加速互联互通</small>' in chinese
    task = html(client, "/2021/tasks/3.4/", "en")
    assert "<span>The source breaks off this paragraph at “speed up the Kaifeng" in task


def test_the_plan_file_gives_every_summary_and_source_note_in_english(plan_2021):
    areas = FocusArea.objects.filter(plan=plan_2021)
    assert [bool(area.summary_en) for area in areas] == [bool(area.summary) for area in areas]
    tasks = Task.objects.of_plan(plan_2021).exclude(source_note="")
    assert tasks.count() == 6
    assert not tasks.filter(source_note_en="").exists()
    # A translation, not new plan data: every figure of the Chinese note is in the English.
    for task in tasks:
        assert set(re.findall(r"\d+", task.source_note)) <= set(
            re.findall(r"\d+", task.source_note_en)
        )


def test_an_english_page_marks_the_chinese_it_keeps(client, sample_world):
    page = html(client, "/2021/tasks/2.2/", "en")
    assert '<th scope="row" lang="zh-Hans">编制出台郑州都市圈轨道交通线网规划</th>' in page
    assert 'lang="zh-Hans">郑州南站主体工程</a>' in page


def test_the_change_history_names_and_links_cities_in_the_pages_language(client, world):
    milestone = Milestone.objects.create(task=world.rail, name="开工建设", kind="start")
    english = html(client, "/2021/tasks/1.1/", "en")
    link = '<a href="/2021/cities/zhengzhou/">Zhengzhou</a>'
    assert f"progress report {link} <span>2021Q2</span>" in english
    assert f'milestone <span lang="zh-Hans">{milestone.name}</span>' in english
    chinese = html(client, "/2021/tasks/1.1/")
    assert '季度填报 <a href="/2021/cities/zhengzhou/">郑州</a> <span>2021Q2</span>' in chinese


def test_one_wording_of_the_unit_in_english():
    root = Path(settings.BASE_DIR)
    sources = [
        path
        for folder in ("investment", "plan", "tasks", "zzmetro", "templates", "static/js")
        for path in (root / folder).rglob("*")
        if path.suffix in (".py", ".html", ".js")
    ]
    assert [path for path in sources if "hundred million" in path.read_text()] == []


def test_the_overview_says_the_unit_in_english(client, world):
    page = html(client, "/2021/?as_of=2021Q2", "en")
    assert "Not yet allocated to cities: 50 (100 million yuan)." in page


def test_the_cumulative_line_stops_at_the_as_of_quarter(client, world):
    points = Figures(world.plan, 2).quarters()
    assert [point.completed for point in points] == [22, 42, None, None]
    assert [point.expected for point in points] == [37.5, 75, 112.5, 150]
    data = chart_data(html(client, "/2021/?as_of=2021Q2", "en"))
    assert data["quarters"]["completed"] == ["22.0000", "42.0000", None, None]
    assert data["quarters"]["expected"] == ["37.5000", "75.0000", "112.5000", "150.0000"]
    assert data["legend"]["unit"] == "100 million yuan"
    assert chart_data(html(client, "/2021/?as_of=2021Q2"))["legend"]["unit"] == "亿元"
    page = html(client, "/2021/?as_of=2021Q2", "en")
    assert '<td class="num" data-label="Completed, cumulative (100 million yuan)">—</td>' in page


def test_the_city_page_lists_the_reports_the_city_still_owes(client, world, kaifeng):
    assert [(row.task.code, row.quarters) for row in Figures(world.plan, 2).owed(kaifeng)] == [
        # The Q2 draft of 1.1 is its city's and the office's to see: to the page, not reported.
        ("1.1", [(2, Cell.MISSING)]),
        ("2.1", [(1, Cell.MISSING), (2, Cell.MISSING)]),
    ]
    english = html(client, "/2021/cities/kaifeng/?as_of=2021Q2", "en")
    assert (
        '<li><a href="/2021/tasks/1.1/?as_of=2021Q2">1.1 Task 1.1</a>: '
        'Q2 <span class="tag">not reported</span></li>' in english
    )
    assert "draft" not in english.split('id="owed-heading"')[1].split("</section>")[0]
    assert (
        '<li><a href="/2021/tasks/2.1/?as_of=2021Q2">2.1 Task 2.1</a>: Q1 <span class="tag">'
        'not reported</span>, Q2 <span class="tag">not reported</span></li>' in english
    )
    chinese = html(client, "/2021/cities/kaifeng/?as_of=2021Q1")
    assert 'Q1 <span class="tag">未填报</span></li>' in chinese
    assert 'Q1 <span class="tag">草稿</span>' not in chinese  # The Q2 draft is after Q1.


def test_a_task_without_a_target_is_owed_its_note(client, world, zhengzhou):
    make_report(world.policy, zhengzhou, 1, "0")  # submitted, but without the note it owes
    make_report(world.industry, zhengzhou, 1, "3")
    owed = Figures(world.plan, 1).owed(zhengzhou)
    assert [(row.task.code, row.quarters) for row in owed] == [("1.2", [(1, Cell.NOTE_OWED)])]


def test_a_city_that_owes_nothing_is_told_so(client, world, zhengzhou):
    ProgressReport.objects.create(
        task=world.policy,
        city=zhengzhou,
        year=2021,
        quarter=1,
        amount=0,
        note="已完成",
        status="submitted",
    )
    make_report(world.industry, zhengzhou, 1, "3")
    assert Figures(world.plan, 1).owed(zhengzhou) == []
    page = html(client, "/2021/cities/zhengzhou/?as_of=2021Q1", "en")
    assert "<p>Every report up to Q1 is submitted.</p>" in page


def test_city_names_link_to_their_pages(client, world, kaifeng):
    task = html(client, "/2021/tasks/1.1/?as_of=2021Q2", "en")
    assert '<th scope="row"><a href="/2021/cities/kaifeng/?as_of=2021Q2">Kaifeng</a></th>' in task
    corridor = html(client, "/2021/corridors/belt/?as_of=2021Q2")
    assert '<a href="/2021/cities/kaifeng/?as_of=2021Q2">开封</a></small>' in corridor
    overview = html(client, "/2021/?as_of=2021Q2")
    assert '<li><strong><a href="/2021/cities/kaifeng/?as_of=2021Q2">开封</a></strong>:' in overview


def test_a_column_of_zeros_is_left_out(client, world, kaifeng):
    assert "分配之外的完成额" not in html(client, "/2021/?as_of=2021Q2")
    assert "分配之外的完成额" not in html(client, "/2021/areas/2/?as_of=2021Q2")
    make_report(world.industry, kaifeng, 1, "3")  # nothing is allocated on 2.1
    page = html(client, "/2021/?as_of=2021Q2")
    assert '<th scope="col" class="num">分配之外的完成额(亿元)</th>' in page
    assert '<td class="num" data-label="分配之外的完成额(亿元)">3</td>' in page
    make_allocation(world.industry, kaifeng, "10")
    assert "分配之外的完成额" not in html(client, "/2021/?as_of=2021Q2")
