"""The city rankings: completion, pace, 开工率, 竣工率 and 办结率, with the change since the
quarter before, against a world computed by hand."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from figures.projects import ProjectCounts, ProjectFigures
from figures.rankings import Measure, Rank, competition_ranks
from figures.rollups import Figures
from plan.models import Unit
from problems.models import Problem
from tasks.models import Project
from tests.builders import (
    make_allocation,
    make_area,
    make_city,
    make_plan,
    make_problem,
    make_project,
    make_report,
    make_task,
    make_update,
)

Status = Problem.Status
END_OF_YEAR = date(2021, 12, 31)


@pytest.fixture
def world(zhengzhou, kaifeng, xuchang):
    """One task, target 400, 100 allocated to each of 郑州, 开封, 新乡, 焦作 and none to 许昌.

    Reports, Q1 then Q2: 郑州 30, 10; 开封 20, 40; 新乡 10, 30.04; 焦作 20, 5; 许昌 5 in Q2
    (outside any allocation). So Q1 30%, 20%, 10%, 20% (pace 25%) and Q2 40%, 60%, 40.04% shown
    as 40.0%, 25% (pace 50%).

    Projects: A to start (郑州 在建 Q1, 开封 在建 Q2); B to start (郑州 在建 Q2, 新乡 nothing);
    C to complete (开封 建成 Q2, 焦作 在建 Q1); D to start, 焦作, started 2021-05-10.

    Problems raised: 郑州 one closed on time in Q2 and one closed late in Q2, both raised in
    Q1 with deadlines in Q2; 开封 one closed on time in Q1; 新乡 one overdue since Q1 and one
    closed on time in Q2; 焦作 none; 许昌 one refused.
    """
    xinxiang = make_city("xinxiang", "新乡", 3)
    jiaozuo = make_city("jiaozuo", "焦作", 4)
    cities = [zhengzhou, kaifeng, xinxiang, jiaozuo]
    plan = make_plan(areas=1, tasks=1)
    task = make_task(make_area(plan), 1, "400", [*cities, xuchang])
    for city in cities:
        make_allocation(task, city, "100")
    for city, q1, q2 in [
        (zhengzhou, "30", "10"),
        (kaifeng, "20", "40"),
        (xinxiang, "10", "30.04"),
        (jiaozuo, "20", "5"),
    ]:
        make_report(task, city, 1, q1)
        make_report(task, city, 2, q2)
    make_report(task, xuchang, 2, "5")

    Goal, Stage = Project.Goal, Project.Stage
    a = make_project(task, "甲", Goal.START, [zhengzhou, kaifeng])
    make_update(a, zhengzhou, 1, Stage.CONSTRUCTION)
    make_update(a, kaifeng, 2, Stage.CONSTRUCTION)
    b = make_project(task, "乙", Goal.START, [zhengzhou, xinxiang])
    make_update(b, zhengzhou, 2, Stage.CONSTRUCTION, amount=Decimal(2))
    c = make_project(task, "丙", Goal.COMPLETE, [kaifeng, jiaozuo])
    make_update(c, kaifeng, 2, Stage.COMPLETED, amount=Decimal(3))
    make_update(c, jiaozuo, 1, Stage.CONSTRUCTION)
    make_project(task, "丁", Goal.START, [jiaozuo], actual_start=date(2021, 5, 10))

    unit = Unit.objects.create(name="市发展和改革委员会", short_name="发改委", kind="other")

    def raise_(city, on, status, deadline, closed_on=None):
        make_problem(task, city, on, status, unit, deadline, closed_on)

    raise_(zhengzhou, date(2021, 3, 1), Status.CLOSED, date(2021, 4, 30), date(2021, 4, 10))
    raise_(zhengzhou, date(2021, 3, 1), Status.CLOSED, date(2021, 5, 15), date(2021, 6, 1))
    raise_(kaifeng, date(2021, 2, 1), Status.CLOSED, date(2021, 3, 15), date(2021, 3, 10))
    raise_(xinxiang, date(2021, 2, 1), Status.ASSIGNED, date(2021, 3, 1))
    raise_(xinxiang, date(2021, 4, 1), Status.CLOSED, date(2021, 5, 1), date(2021, 4, 20))
    raise_(xuchang, date(2021, 4, 1), Status.REFUSED, None, date(2021, 4, 5))
    return plan


def table(rankings) -> list[tuple]:
    """Each row as (city, then value, rank and change on each measure)."""
    return [
        (row.city.slug, *[tuple(vars(row.rank(measure)).values()) for measure in Measure])
        for row in rankings.rows
    ]


D = Decimal


def test_the_first_quarter_ranks_every_city_with_a_value_and_shows_no_change(world):
    found = Figures(world, 1).rankings(today=END_OF_YEAR)
    assert found.as_of == 1
    assert table(found) == [
        # completion, pace, start, finish, closure
        ("zhengzhou", (D("30.0"), 1, None), (D("5.0"), 1, None), (D("50.0"), 1, None),
         (None, None, None), (None, None, None)),
        ("kaifeng", (D("20.0"), 2, None), (D("-5.0"), 2, None), (D("0.0"), 2, None),
         (D("0.0"), 1, None), (D("100.0"), 1, None)),
        ("xinxiang", (D("10.0"), 4, None), (D("-15.0"), 4, None), (D("0.0"), 2, None),
         (None, None, None), (D("0.0"), 2, None)),
        ("jiaozuo", (D("20.0"), 2, None), (D("-5.0"), 2, None), (D("0.0"), 2, None),
         (D("0.0"), 1, None), (None, None, None)),
        ("xuchang", (None, None, None), (None, None, None), (None, None, None),
         (None, None, None), (None, None, None)),
    ]  # fmt: skip


def test_the_second_quarter_ranks_on_the_shown_values_with_the_change_since_the_first(world):
    found = Figures(world, 2).rankings(today=END_OF_YEAR)
    assert table(found) == [
        ("zhengzhou", (D("40.0"), 2, -1), (D("-10.0"), 2, -1), (D("100.0"), 1, 0),
         (None, None, None), (D("50.0"), 2, None)),
        ("kaifeng", (D("60.0"), 1, 1), (D("10.0"), 1, 1), (D("100.0"), 1, 1),
         (D("100.0"), 1, 0), (D("100.0"), 1, 0)),
        # 40.04% is shown as 40.0%: level with Zhengzhou, so both are second and none third.
        ("xinxiang", (D("40.0"), 2, 2), (D("-10.0"), 2, 2), (D("0.0"), 4, -2),
         (None, None, None), (D("50.0"), 2, 0)),
        ("jiaozuo", (D("25.0"), 4, -2), (D("-25.0"), 4, -2), (D("100.0"), 1, 1),
         (D("0.0"), 2, -1), (None, None, None)),
        ("xuchang", (None, None, None), (None, None, None), (None, None, None),
         (None, None, None), (None, None, None)),
    ]  # fmt: skip


def test_a_ranking_row_carries_the_city_s_figures(world, kaifeng, xuchang):
    rows = {row.city.slug: row for row in Figures(world, 2).rankings(today=END_OF_YEAR).rows}
    kaifeng_row = rows["kaifeng"]
    assert kaifeng_row.progress.target == D(100)
    assert kaifeng_row.progress.completed == D(60)
    assert kaifeng_row.projects == ProjectCounts(1, 1, 1, 1, investment=D(3))
    assert (kaifeng_row.problems.closed, kaifeng_row.problems.closed_on_time) == (1, 1)
    assert rows["xuchang"].progress.target is None
    assert rows["xuchang"].problems.refused == 1
    assert rows["jiaozuo"].problems.raised == 0


def test_the_grouped_project_counts_equal_each_city_s_own(world):
    figures = Figures(world, 2)
    grouped = ProjectFigures(figures).city_counts(figures.project_set())
    for row in figures.cities():
        own = figures.projects(city=row.city)
        assert grouped.get(row.city.pk, ProjectCounts(0, 0, 0, 0)) == own, row.city.slug


def test_ordered_puts_ranks_first_ties_in_city_order_and_the_unranked_last(world):
    found = Figures(world, 2).rankings(today=END_OF_YEAR)
    order = [(row.city.slug, row.completion.rank) for row in found.ordered(Measure.COMPLETION)]
    assert order == [
        ("kaifeng", 1),
        ("zhengzhou", 2),
        ("xinxiang", 2),
        ("jiaozuo", 4),
        ("xuchang", None),
    ]
    assert [row.city.slug for row in found.ordered("finish")] == [
        "kaifeng",
        "jiaozuo",
        "zhengzhou",
        "xinxiang",
        "xuchang",
    ]


def test_problems_are_taken_on_today_when_it_comes_before_the_quarter_s_end(world):
    # On 2021-05-20 Zhengzhou's second problem (deadline 5-15) is open and overdue.
    found = Figures(world, 2).rankings(today=date(2021, 5, 20))
    zhengzhou = found.rows[0]
    assert zhengzhou.problems.day == date(2021, 5, 20)
    assert zhengzhou.closure == Rank(D("50.0"), 2, None)


def test_the_approved_switch_ranks_only_approved_reports(world):
    # Nothing is approved: every city with an allocation is at 0.0%, all first, in both quarters.
    found = Figures(world, 2, approved_only=True).rankings(today=END_OF_YEAR)
    assert [row.completion for row in found.rows] == [Rank(D("0.0"), 1, 0)] * 4 + [
        Rank(None, None, None)
    ]


def test_ties_share_a_rank_and_the_next_rank_skips():
    assert competition_ranks([D("1.0"), D("3.0"), None, D("3.0"), D("2.0")]) == [4, 1, None, 1, 3]
    assert competition_ranks([None, None]) == [None, None]


@pytest.mark.parametrize("change, marker", [(2, "↑2"), (-1, "↓1"), (0, "—"), (None, "")])
def test_the_change_marker(change, marker):
    assert Rank(D(1), 1, change).marker == marker


def test_the_ranking_runs_five_queries_a_quarter(world):
    # Each quarter: the cities' allocations and amounts (2), the project sections (1), the
    # problems by raising city and those cities (2); in Q1, one more to find last year's plan
    # (none here) to compare with. tests/investment/test_page_queries.py shows the page's
    # count does not grow with the world.
    with CaptureQueriesContext(connection) as captured:
        Figures(world, 2).rankings(today=END_OF_YEAR)
    assert len(captured) == 10
    with CaptureQueriesContext(connection) as captured:
        Figures(world, 1).rankings(today=END_OF_YEAR)
    assert len(captured) == 6


def page(client, url: str, language: str = "zh-hans") -> str:
    """The page's HTML with its whitespace runs made single spaces."""
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(response.content.decode().split())


def cells(value: str, rank: str, marker: str = "", label: str = "", at: tuple = ()) -> str:
    """A rank's three cells; `at` (city, measure) in the full table, where each names its
    headers."""
    change = ""
    if marker:
        up_down = " rank-up" if marker[0] == "↑" else " rank-down" if marker[0] == "↓" else ""
        change = (
            f'<span class="rank-change{up_down}" aria-hidden="true">{marker}</span>'
            f'<span class="visually-hidden">{label}</span>'
        )
    if rank == "-":
        rank = '<span class="not-stated">not ranked</span>'
    texts = {"value": value, "rank": rank, "change": change}
    if at:
        city, measure = at
        return " ".join(
            f'<td class="num" headers="rank-city-{city} rank-{measure} rank-{measure}-{kind}">'
            f"{text}</td>"
            for kind, text in texts.items()
        )
    return " ".join(f'<td class="num">{text}</td>' for text in texts.values())


MEASURES = ["completion", "pace", "start", "finish", "closure"]


def full_row(city: str, *each: tuple) -> str:
    """A city's cells in the full table, measure by measure."""
    return " ".join(cells(*args, at=(city, m)) for m, args in zip(MEASURES, each, strict=True))


UP1, DOWN1 = "up 1 place since last quarter", "down 1 place since last quarter"
SAME = "unchanged since last quarter"


def test_the_rankings_page_in_english_lists_every_measure_by_completion(world, client, leader):
    client.force_login(leader)
    html = page(client, "/2021/rankings/?as_of=2021Q2", "en")
    assert "<h1>City rankings</h1>" in html
    assert "As of the end of 2021 Q2, by completion" in html
    kaifeng = (
        '<th scope="row" id="rank-city-kaifeng">'
        '<a href="/2021/cities/kaifeng/?as_of=2021Q2">Kaifeng</a></th> '
        + full_row(
            "kaifeng",
            ("60.0%", "1", "↑1", UP1),
            ("+10.0", "1", "↑1", UP1),
            ("100.0%", "1", "↑1", UP1),
            ("100.0%", "1", "—", SAME),
            ("100.0%", "1", "—", SAME),
        )
    )
    assert kaifeng in html
    zhengzhou = full_row(
        "zhengzhou",
        ("40.0%", "2", "↓1", DOWN1),
        ("-10.0", "2", "↓1", DOWN1),
        ("100.0%", "1", "—", SAME),
        ("—", "-"),
        ("50.0%", "2"),
    )
    assert f"Zhengzhou</a></th> {zhengzhou}" in html
    assert f"Xuchang</a></th> {full_row('xuchang', *[('—', '-')] * 5)} </tr>" in html
    order = [html.index(f"{name}</a></th>") for name in ("Kaifeng", "Zhengzhou", "Xinxiang")]
    assert order == sorted(order) and html.index("Jiaozuo</a></th>") < html.index("Xuchang<")
    assert "up 2 places since last quarter" in html  # Xinxiang on completion.
    assert "Completion minus the 50% expected by the end of the quarter" in html
    assert "on 2021-06-30, the share closed on time" in html
    assert "equal values share a rank and the next rank is skipped (1, 1, 3)" in html


def test_the_rankings_page_in_chinese_names_the_measures_and_cities(world, client, leader):
    client.force_login(leader)
    html = page(client, "/2021/rankings/?as_of=2021Q2&approved=1")
    for measure, label in [
        ("completion", "完成率"),
        ("start", "开工率"),
        ("finish", "竣工率"),
        ("closure", "办结率"),
    ]:
        assert f'<th scope="colgroup" colspan="3" id="rank-{measure}">{label}</th>' in html
    assert '<a href="/2021/cities/zhengzhou/?as_of=2021Q2&amp;approved=1">郑州</a>' in html
    assert 'href="/2021/?as_of=2021Q2&amp;approved=1"' in html  # Back to the overview.
    assert 'name="approved" value="1" checked' in html
    assert "0.0%" in html and "60.0%" not in html  # Nothing is approved.


def test_the_overview_shows_the_completion_ranking_and_links_to_the_rest(world, client, leader):
    client.force_login(leader)
    html = page(client, "/2021/?as_of=2021Q2", "en")
    table = html[html.index('class="figures rankings-compact"') : html.index("Full rankings")]
    assert f"Kaifeng</a></th> {cells('60.0%', '1', '↑1', UP1)}" in table
    assert (
        f"Xinxiang</a></th> {cells('40.0%', '2', '↑2', 'up 2 places since last quarter')}" in table
    )
    assert f"Xuchang</a></th> {cells('—', '-')}" in table
    assert table.count("<tr>") == 6  # The header and five cities: completion only.
    assert '<a href="/2021/rankings/?as_of=2021Q2">Full rankings</a>' in html


@pytest.mark.parametrize("query", ["?as_of=2021Q5", "?as_of=2020Q2", "?as_of=Q2"])
def test_a_bad_as_of_on_the_rankings_is_404(world, client, leader, query):
    client.force_login(leader)
    assert client.get(f"/2021/rankings/{query}").status_code == 404


def test_the_rankings_follow_the_dashboard_s_access_rules(
    world, client, settings, django_user_model
):
    response = client.get("/2021/rankings/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/2021/rankings/"
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get("/2021/rankings/").status_code == 403
    client.logout()
    settings.DASHBOARD_PUBLIC = True
    assert client.get("/2021/rankings/").status_code == 200
    assert client.get("/2020/rankings/").status_code == 404
