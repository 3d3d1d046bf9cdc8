"""The problem list and a problem's page: what each reader sees, the colours, the filters; and
the problem figures on the overview, city, task, project and unit pages, with the warnings."""

import json
import re
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils.timezone import make_aware

from people.models import Reporter, UnitContact
from people.roles import REPORTER, UNIT_CONTACT
from plan.models import City, Unit
from problems.models import Problem, ProblemAttachment, ProblemEntry
from tasks.models import Project
from tests.builders import make_problem, make_project, make_world

Status, Kind = Problem.Status, Problem.Kind
TODAY = date(2021, 9, 30)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Every page is read on 30 September 2021, the third quarter's last day, the quarter
    the pages show by default."""
    from investment.coverage import Chosen, DefaultQuarter

    monkeypatch.setattr("plan.models.localdate", lambda: TODAY)
    monkeypatch.setattr("dashboard.views.localdate", lambda: TODAY)
    third = DefaultQuarter(3, Chosen.CLOSED)
    monkeypatch.setattr("investment.coverage.default_as_of", lambda plan: third)


@pytest.fixture
def world(zhengzhou, kaifeng):
    """Seven problems, all raised on 1 July, as they stand on 30 September:

    red      征迁补偿未到位  Zhengzhou 1.1, 资规局, assigned, deadline 8-01 (60 days late)
    orange   拆迁协调        Kaifeng 1.1, 发改委, closed 8-11 after its deadline 8-01
    orange   站房用地未落实  Zhengzhou 1.1 on 郑开城际, 资规局, answered, deadline 9-20
    yellow   环评批复滞后    Kaifeng 2.1, 发改委, assigned, deadline 10-05
    normal   审批手续办结    Zhengzhou 1.1, 资规局, closed 8-20 before its deadline 8-31
    normal   资金拨付不到位  Kaifeng 1.1, 发改委, assigned, deadline 11-30
    normal   跨市审批衔接    Zhengzhou 1.2, not yet assigned
    """
    world = make_world(zhengzhou, kaifeng)
    a = Unit.objects.create(name="郑州市自然资源和规划局", short_name="郑州资规局", kind="other")
    b = Unit.objects.create(name="开封市发展和改革委员会", short_name="开封发改委", kind="other")
    project = make_project(world.rail, "郑开城际延长线", Project.Goal.START, [zhengzhou])
    july = date(2021, 7, 1)
    rail, industry, policy = world.rail, world.industry, world.policy

    def raise_(task, city, title, kind, status, unit=None, deadline=None, closed=None, **more):
        return make_problem(task, city, july, status, unit, deadline, closed, title, kind, **more)

    problems = {
        "red": raise_(rail, zhengzhou, "征迁补偿未到位", Kind.RELOCATION, Status.ASSIGNED, a,
                      date(2021, 8, 1)),
        "late": raise_(rail, kaifeng, "拆迁协调", Kind.RELOCATION, Status.CLOSED, b,
                       date(2021, 8, 1), date(2021, 8, 11)),
        "orange": raise_(rail, zhengzhou, "站房用地未落实", Kind.LAND, Status.ANSWERED, a,
                         date(2021, 9, 20), project=project),
        "yellow": raise_(industry, kaifeng, "环评批复滞后", Kind.ENVIRONMENT, Status.ASSIGNED, b,
                         date(2021, 10, 5)),
        "closed": raise_(rail, zhengzhou, "审批手续办结", Kind.APPROVAL, Status.CLOSED, a,
                         date(2021, 8, 31), date(2021, 8, 20)),
        "normal": raise_(rail, kaifeng, "资金拨付不到位", Kind.FUNDING, Status.ASSIGNED, b,
                         date(2021, 11, 30)),
        "raised": raise_(policy, zhengzhou, "跨市审批衔接", Kind.CROSS_CITY, Status.RAISED),
    }  # fmt: skip
    return SimpleNamespace(plan=world.plan, units=(a, b), project=project, **problems)


# Those open on the day first, by colour, then deadline; then those closed by then.
LISTED = ["征迁补偿未到位", "站房用地未落实", "环评批复滞后", "资金拨付不到位", "跨市审批衔接"]
LISTED += ["拆迁协调", "审批手续办结"]


@pytest.fixture
def signed_in(client, office):
    client.force_login(office)
    return client


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def listed(page: str) -> list[str]:
    return re.findall(
        r'<th scope="row"><a href="/2021/problems/\d+/\?as_of=2021Q3" lang="zh-Hans">(.*?)</a>',
        page,
    )


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip()


def kpis(page: str) -> dict[str, str]:
    """The problem figures' cards: label (without its note) -> value."""
    section = page[page.index('aria-label="问题"') :]
    section = section[: section.index("</section>")]
    cards = re.findall(
        r'<span class="kpi-label">(.*?)(?:<small>.*?</small>)?</span>\s*'
        r'<span class="kpi-value">(.*?)</span>',
        section,
    )
    return {text(label): text(value) for label, value in cards}


def tables(page: str) -> list[list[list[str]]]:
    """Each problem figures table's body rows, as cell texts."""
    found = re.findall(
        r'<table class="figures problem-figures">.*?<tbody>(.*?)</tbody>', page, re.S
    )
    return [
        [[text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
         for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
        for body in found
    ]  # fmt: skip


def user_with(django_user_model, name: str, group: str):
    user = django_user_model.objects.create_user(name)
    user.groups.add(Group.objects.get(name=group))
    return user


def reporter(django_user_model, city: City):
    user = user_with(django_user_model, f"reporter-{city.slug}", REPORTER)
    Reporter.objects.create(user=user, city=city)
    return user


def contact(django_user_model, unit: Unit):
    user = user_with(django_user_model, f"contact-{unit.pk}", UNIT_CONTACT)
    UnitContact.objects.create(user=user, unit=unit)
    return user


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# The list


def test_the_list_shows_every_problem_by_colour_then_deadline(signed_in, world):
    page = html(signed_in, "/2021/problems/")
    assert listed(page) == LISTED
    assert (
        "截至 2021-09-30（季度末，或今天，取较早者）已提出的问题共 7 个，按当日情况列出："
        "未办结的在前，最紧急的在前。"
    ) in page


def test_each_colour_is_a_labelled_badge_with_the_days_late(signed_in, world):
    page = html(signed_in, "/2021/problems/")
    assert '<span class="colour colour-red">红色：严重逾期 · 逾期60天</span>' in page
    assert '<span class="colour colour-orange">橙色：已逾期 · 逾期10天</span>' in page
    assert page.count('<span class="colour colour-orange">橙色：已逾期 · 逾期10天</span>') == 2
    assert '<span class="colour colour-yellow">黄色：临近时限</span>' in page
    assert page.count('<span class="colour colour-normal">正常</span>') == 3


def test_a_row_shows_task_project_city_unit_kind_deadline_and_status(signed_in, world):
    page = html(signed_in, "/2021/problems/")
    row = page[page.index("站房用地未落实") :]
    row = row[: row.index("</tr>")]
    assert f'<a href="/2021/projects/{world.project.pk}/" lang="zh-Hans">郑开城际延长线</a>' in row
    assert '<a href="/2021/tasks/1.1/">1.1</a>' in row
    unit = world.units[0]
    assert f'<a href="/2021/units/{unit.pk}/" lang="zh-Hans">郑州资规局</a>' in row
    city = '<a href="/2021/cities/zhengzhou/">郑州</a>'
    cells = {"提出城市": city, "类型": "用地", "办理时限": "2021-09-20", "状态": "已答复"}
    for label, cell in cells.items():
        kind = "short date" if label == "办理时限" else "short"
        assert f'<td class="{kind}" data-label="{label}">{cell}</td>' in row
    raised = page[page.index("跨市审批衔接") :]
    assert '<span class="not-stated">待交办</span>' in raised[: raised.index("</tr>")]


def test_the_list_is_in_english_too(signed_in, world):
    signed_in.cookies["django_language"] = "en"
    page = html(signed_in, "/2021/problems/")
    assert "<h1>Problem list</h1>" in page
    assert '<span class="colour colour-red">red: long overdue · 60 days late</span>' in page
    assert (
        "7 problems raised by 2021-09-30, as they stood that day (the end of the quarter, or "
        "today if earlier): those still open first, the most urgent first."
    ) in page


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("task=1.1", ["征迁补偿未到位", "站房用地未落实", "资金拨付不到位", "拆迁协调",
                      "审批手续办结"]),
        ("project={project}", ["站房用地未落实"]),
        ("city=kaifeng", ["环评批复滞后", "资金拨付不到位", "拆迁协调"]),
        ("unit={unit}", ["征迁补偿未到位", "站房用地未落实", "审批手续办结"]),
        ("kind=relocation", ["征迁补偿未到位", "拆迁协调"]),
        ("status=closed", ["拆迁协调", "审批手续办结"]),
        ("colour=orange", ["站房用地未落实", "拆迁协调"]),
        ("state=open", ["征迁补偿未到位", "站房用地未落实", "环评批复滞后", "资金拨付不到位",
                        "跨市审批衔接"]),
        ("state=overdue", ["征迁补偿未到位", "站房用地未落实"]),
        ("city=kaifeng&state=open&kind=funding", ["资金拨付不到位"]),
    ],
)  # fmt: skip
def test_the_filters(signed_in, world, query, titles):
    url = "/2021/problems/?" + query.format(project=world.project.pk, unit=world.units[0].pk)
    assert listed(html(signed_in, url)) == titles


def test_the_chosen_filters_stay_selected(signed_in, world):
    page = html(signed_in, "/2021/problems/?colour=red&state=overdue&city=zhengzhou")
    assert '<option value="red" selected>红色：严重逾期</option>' in page
    assert '<option value="overdue" selected>未办结且逾期</option>' in page
    assert '<option value="zhengzhou" selected>郑州</option>' in page


def test_the_filters_offer_the_tasks_projects_and_units_with_problems(signed_in, world):
    page = html(signed_in, "/2021/problems/")
    assert '<option value="1.1">' in page and '<option value="2.1">' in page
    project = f'<option value="{world.project.pk}" lang="zh-Hans">郑开城际延长线</option>'
    assert project in page
    for unit in world.units:
        assert f'<option value="{unit.pk}" lang="zh-Hans">{unit}</option>' in page


@pytest.mark.parametrize(
    "query",
    [
        "task=9.9",
        "task=x",
        "project=abc",
        "project=999999",
        "project=1234567890123",
        "city=nowhere",
        "city=%00",
        "unit=-1",
        "unit=999999",
        "kind=weather",
        "status=lost",
        "colour=purple",
        "state=closed",
    ],
)
def test_an_unknown_filter_value_is_a_404(signed_in, world, query):
    assert signed_in.get(f"/2021/problems/?{query}").status_code == 404


def test_the_list_is_paginated(signed_in, world, monkeypatch):
    monkeypatch.setattr("problems.views.PROBLEMS_PER_PAGE", 3)
    first, third = html(signed_in, "/2021/problems/"), html(signed_in, "/2021/problems/?page=3")
    assert listed(first) == LISTED[:3] and listed(third) == LISTED[6:]
    assert "<span>第 1 页，共 3 页</span>" in first
    assert listed(html(signed_in, "/2021/problems/?state=open&page=2")) == [
        "资金拨付不到位",
        "跨市审批衔接",
    ]


# Who sees what


def test_a_reporter_sees_only_her_city_s_problems(django_user_model, world, kaifeng):
    client = as_user(reporter(django_user_model, kaifeng))
    assert listed(html(client, "/2021/problems/")) == ["环评批复滞后", "资金拨付不到位", "拆迁协调"]
    assert client.get(f"/2021/problems/{world.red.pk}/").status_code == 404
    assert client.get(f"/2021/problems/{world.yellow.pk}/").status_code == 200


def test_a_unit_contact_sees_only_her_unit_s_problems(django_user_model, world):
    client = as_user(contact(django_user_model, world.units[0]))
    assert listed(html(client, "/2021/problems/")) == [
        "征迁补偿未到位",
        "站房用地未落实",
        "审批手续办结",
    ]
    assert client.get(f"/2021/problems/{world.raised.pk}/").status_code == 404
    assert client.get(f"/2021/problems/{world.yellow.pk}/").status_code == 404


def test_the_office_sees_every_problem_and_a_leader_those_assigned(leader, office, world):
    assert listed(html(as_user(office), "/2021/problems/")) == LISTED
    not_assigned = "跨市审批衔接"
    assert listed(html(as_user(leader), "/2021/problems/")) == [
        title for title in LISTED if title != not_assigned
    ]
    assert as_user(leader).get(f"/2021/problems/{world.raised.pk}/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in_even_on_a_public_dashboard(world, settings):
    settings.DASHBOARD_PUBLIC = True
    for url in ("/2021/problems/", f"/2021/problems/{world.red.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_account_in_no_role_is_told_to_ask_the_office(django_user_model, world):
    client = as_user(django_user_model.objects.create_user("newcomer"))
    response = client.get("/2021/problems/")
    assert response.status_code == 403 and "征迁补偿未到位" not in response.content.decode()


# A problem's page


@pytest.fixture
def thread(world, office, django_user_model):
    """The orange problem's thread: assigned by the office, answered by the unit with a photo."""
    answerer = contact(django_user_model, world.units[0])
    answerer.first_name = "王"
    answerer.save()
    at = [make_aware(datetime(2021, 7, 2, 9, 30)), make_aware(datetime(2021, 9, 15, 16, 5))]
    steps = [
        (ProblemEntry.Kind.ASSIGNED, office, "请资规局牵头办理"),
        (ProblemEntry.Kind.ANSWERED, answerer, "已调剂用地指标\n待省厅批复"),
    ]
    entries = []
    for (kind, author, words), when in zip(steps, at, strict=True):
        entry = ProblemEntry.objects.create(
            problem=world.orange, kind=kind, author=author, text=words
        )
        ProblemEntry.objects.filter(pk=entry.pk).update(created_at=when)
        entries.append(entry)
    photo = ProblemAttachment.objects.create(
        entry=entries[1], image="problem-attachments/1/site.jpg", width=400, height=300
    )
    world.orange.leader = "李副市长"
    world.orange.save()
    world.orange.supporting_units.add(world.units[1])
    return SimpleNamespace(problem=world.orange, photo=photo)


def test_a_problem_s_page_shows_its_facts(signed_in, world, thread):
    page = html(signed_in, f"/2021/problems/{thread.problem.pk}/")
    assert '<h1 lang="zh-Hans">站房用地未落实</h1>' in page
    assert '<span class="colour colour-orange">橙色：已逾期 · 逾期10天</span>' in page
    assert '<span class="tag">已答复</span>' in page
    facts = dict(
        (text(dt), text(dd))
        for dt, dd in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", page, re.S)
    )
    assert facts == {
        "任务": "1.1 轨道",
        "重点项目": "郑开城际延长线",
        "类型": "用地",
        "提出": "郑州 · 2021-07-01",
        "责任单位": "郑州资规局",
        "配合单位": "开封发改委",
        "协调领导": "李副市长",
        "交办时间": "—",
        "办理时限": "2021-09-20",
        "销号时间": "—",
    }


def test_a_problem_s_page_shows_its_thread_in_order(signed_in, world, thread):
    page = html(signed_in, f"/2021/problems/{thread.problem.pk}/")
    heads = re.findall(r'<p class="timeline-head">(.*?)</p>', page)
    assert [text(head) for head in heads] == [
        "已交办 · office · 2021-07-02 09:30",
        "已答复 · 王 · 2021-09-15 16:05",
    ]
    assert '<p lang="zh-Hans">已调剂用地指标<br>待省厅批复</p>' in page
    pk = thread.photo.pk
    assert (
        f'<a href="/problem-attachments/{pk}/"><img src="/problem-attachments/{pk}/" '
        'alt="已答复：附件1" width="160" height="120" loading="lazy"></a>'
    ) in page


def test_an_unknown_problem_is_a_404(signed_in, world):
    assert signed_in.get("/2021/problems/999999/").status_code == 404
    assert signed_in.get(f"/2022/problems/{world.red.pk}/").status_code == 404


# The figures on the other pages, as of the third quarter (its last day is today)


def test_the_overview_shows_the_problem_figures(signed_in, world):
    page = html(signed_in, "/2021/?as_of=2021Q3")
    assert kpis(page) == {
        "未办结问题": "5",
        "逾期问题": "2",
        "已销号问题": "2",
        "办结率": "25.0%（1/4）",
    }
    assert "截至2021-09-30（季度末，或今天如更早）提出的问题在当日的情况" in page


def test_the_overview_shows_them_per_city_and_per_unit(signed_in, world):
    by_city, by_unit = tables(html(signed_in, "/2021/?as_of=2021Q3"))
    assert by_city == [
        ["郑州", "3", "2", "1", "1", "0", "33.3%"],
        ["开封", "2", "0", "1", "0", "0", "0.0%"],
    ]
    assert by_unit == [
        ["开封发改委", "2", "0", "1", "0", "0", "0.0%"],
        ["郑州资规局", "2", "2", "1", "1", "0", "33.3%"],
        ["无责任单位", "1", "0", "0", "0", "0", "—"],
    ]


def test_the_overview_charts_the_problems_per_city(signed_in, world):
    page = html(signed_in, "/2021/?as_of=2021Q3")
    data = json.loads(re.search(r'id="chart-data" type="application/json">(.*?)</script>', page)[1])
    assert data["problems"] == {
        "labels": ["郑州", "开封"],
        "not_overdue": [1, 2],
        "overdue": [2, 0],
        "closed": [1, 1],
    }
    assert data["legend"]["overdue"] == "逾期"
    assert '<canvas data-chart="problems" role="img"' in page


def test_earlier_in_the_year_nothing_was_raised_yet(signed_in, world):
    page = html(signed_in, "/2021/?as_of=2021Q2")
    assert kpis(page)["办结率"] == "—" and "尚无应办结的问题。" in page
    assert tables(page) == [[["截至当日没有提出问题。"]]] * 2


def warned(page: str) -> list[str]:
    section = page[page.index('id="warnings-heading"') :]
    section = section[: section.index("</section>")]
    return re.findall(r'<a href="/2021/problems/\d+/" lang="zh-Hans">(.*?)</a>', section)


def test_the_warnings_list_red_problems_first(signed_in, world):
    page = html(signed_in, "/2021/?as_of=2021Q3")
    assert warned(page) == ["征迁补偿未到位", "站房用地未落实", "环评批复滞后"]
    red = f'<a href="/2021/problems/{world.red.pk}/" lang="zh-Hans">征迁补偿未到位</a>'
    assert (
        f'<li><span class="colour colour-red">红色：严重逾期 · 逾期60天</span> {red} · 1.1 · '
        '<a href="/2021/cities/zhengzhou/?as_of=2021Q3">郑州</a> · '
        '<span lang="zh-Hans">郑州资规局</span> (办理时限2021-08-01)</li>'
    ) in page


def test_the_warnings_name_only_the_problems_the_reader_may_see(django_user_model, world, kaifeng):
    page = html(as_user(reporter(django_user_model, kaifeng)), "/2021/?as_of=2021Q3")
    assert warned(page) == ["环评批复滞后"]
    assert kpis(page)["未办结问题"] == "5"  # The figures are everyone's.


def test_a_city_page_counts_the_problems_the_city_raised(signed_in, world):
    page = html(signed_in, "/2021/cities/kaifeng/?as_of=2021Q3")
    assert kpis(page) == {
        "未办结问题": "2",
        "逾期问题": "0",
        "已销号问题": "1",
        "办结率": "0.0%（0/1）",
    }
    assert 'href="/2021/problems/?as_of=2021Q3&amp;city=kaifeng"' in page


def test_a_task_page_counts_its_problems(signed_in, world):
    page = html(signed_in, "/2021/tasks/1.1/?as_of=2021Q3")
    assert kpis(page)["办结率"] == "25.0%（1/4）"
    assert kpis(page)["未办结问题"] == "3"
    assert 'href="/2021/problems/?as_of=2021Q3&amp;task=1.1"' in page


def test_a_project_page_counts_its_problems(signed_in, world):
    page = html(signed_in, f"/2021/projects/{world.project.pk}/?as_of=2021Q3")
    assert kpis(page) == {
        "未办结问题": "1",
        "逾期问题": "1",
        "已销号问题": "0",
        "办结率": "0.0%（0/1）",
    }
    assert f'href="/2021/problems/?as_of=2021Q3&amp;project={world.project.pk}"' in page


def test_a_unit_page_counts_its_problems_by_city_beside_every_unit(signed_in, world):
    a, _b = world.units
    page = html(signed_in, f"/2021/units/{a.pk}/?as_of=2021Q3")
    assert kpis(page)["办结率"] == "33.3%（1/3）"
    by_city, by_unit = tables(page)
    assert by_city == [["郑州", "2", "2", "1", "1", "0", "33.3%"]]
    assert [row[0] for row in by_unit] == ["开封发改委", "郑州资规局", "无责任单位"]
    assert '<tr class="current" aria-current="true">' in page
    assert f'href="/2021/problems/?as_of=2021Q3&amp;unit={a.pk}"' in page


def test_a_refused_problem_is_counted_apart(signed_in, world):
    world.normal.status, world.normal.closed_on = Status.REFUSED, date(2021, 9, 1)
    world.normal.save()
    page = html(signed_in, "/2021/cities/kaifeng/?as_of=2021Q3")
    assert kpis(page)["未办结问题"] == "1" and "另有1个不予受理" in page


def test_the_problem_figures_are_in_english_too(signed_in, world):
    signed_in.cookies["django_language"] = "en"
    page = html(signed_in, "/2021/?as_of=2021Q3")
    assert "Closure rate" in page and "25.0% (1/4)" in page
    assert "Problems raised by 2021-09-30, as they stood that day" in page


def test_a_unit_with_no_problem_says_so(signed_in, world):
    idle = Unit.objects.create(name="许昌市住建局", kind="city_government")
    page = html(signed_in, f"/2021/units/{idle.pk}/?as_of=2021Q3")
    assert '<p class="empty">截至2021-09-30没有交办本单位的问题。</p>' in page
    assert "problem-figures" not in page


# The figures cache


@pytest.fixture
def cached(settings):
    settings.FIGURES_CACHE_SECONDS = 600


def test_a_closed_problem_shows_at_once_though_the_figures_are_cached(
    signed_in, world, cached, django_capture_on_commit_callbacks
):
    url = "/2021/cities/zhengzhou/?as_of=2021Q3"
    assert kpis(html(signed_in, url))["已销号问题"] == "1"
    world.orange.status, world.orange.closed_on = Status.CLOSED, date(2021, 9, 25)
    with django_capture_on_commit_callbacks(execute=True):
        world.orange.save()
    assert kpis(html(signed_in, url))["已销号问题"] == "2"


def test_the_cached_figures_move_on_with_the_day(signed_in, world, cached, monkeypatch):
    url = "/2021/?as_of=2021Q4"
    assert kpis(html(signed_in, url))["逾期问题"] == "2"
    monkeypatch.setattr("dashboard.views.localdate", lambda: date(2021, 10, 6))
    assert kpis(html(signed_in, url))["逾期问题"] == "3"  # 环评批复滞后 was due on 10-05.
