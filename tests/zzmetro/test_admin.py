"""The office's review queue: what awaits review per city, and reviewing from a report's page.

The world: task 1.1 (target 100; Kaifeng allocated 40) in Zhengzhou and Kaifeng. Kaifeng
reported Q1 7.25 (approved) and Q2 3 (submitted); Zhengzhou Q2 4 (submitted).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.utils.timezone import localdate

from investment.models import ProgressReport, QuarterClose
from people.models import Reporter
from people.roles import OFFICE, REPORTER, UNIT_CONTACT
from plan.models import Unit
from problems.models import Problem
from tests.builders import (
    make_allocation,
    make_area,
    make_member,
    make_plan,
    make_problem,
    make_project,
    make_report,
    make_task,
    make_update,
)

Status = ProgressReport.Status
REPORTS = "/admin/investment/progressreport/"


@pytest.fixture
def world(zhengzhou, kaifeng):
    rail = make_task(make_area(make_plan()), 1, "100", [zhengzhou, kaifeng], title="轨道")
    make_allocation(rail, kaifeng, "40")
    make_report(rail, kaifeng, 1, "7.25", Status.APPROVED)
    return {
        "kaifeng": make_report(rail, kaifeng, 2, "3", Status.SUBMITTED),
        "zhengzhou": make_report(rail, zhengzhou, 2, "4", Status.SUBMITTED),
    }


def signed_in(client, django_user_model, group, city=None):
    user = django_user_model.objects.create_user("someone", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if city:
        Reporter.objects.create(user=user, city=city)
    client.force_login(user)
    return client


@pytest.fixture
def office_client(client, django_user_model):
    return signed_in(client, django_user_model, OFFICE)


def test_the_admin_index_counts_what_awaits_review_per_city(office_client, world, kaifeng):
    world["zhengzhou"].approve(User.objects.get(username="someone"))
    world["zhengzhou"].save()
    html = office_client.get("/admin/").content.decode()
    assert "2021 年待审核填报" in html
    assert (
        f'<a href="{REPORTS}?city__id__exact={kaifeng.pk}&amp;status__exact=submitted'
        '&amp;year__exact=2021">1 条待审核</a>'
    ) in html
    assert '<th scope="row">郑州</th>\n        <td><span class="quiet">无待审核填报</span>' in html


def test_approving_from_the_list_filtered_to_submitted_counts_what_it_approved(
    office_client, world
):
    response = office_client.post(
        f"{REPORTS}?status__exact=submitted",
        {
            "action": "approve_reports",
            "_selected_action": [world["kaifeng"].pk, world["zhengzhou"].pk],
            "index": 0,
        },
        follow=True,
    )
    assert "已审核通过 2 条填报。" in response.content.decode()
    assert ProgressReport.objects.filter(status=Status.APPROVED).count() == 3


def test_a_reports_page_shows_allocation_earlier_quarters_and_cumulative(office_client, world):
    html = office_client.get(f"{REPORTS}{world['kaifeng'].pk}/change/").content.decode()
    assert '<div class="readonly">40</div>' in html
    assert '<div class="readonly"><div>第1季度：7.25（已审核）</div></div>' in html
    assert '<div class="readonly">10.25</div>' in html


def test_the_office_approves_from_a_reports_page_and_goes_on_to_the_next_awaiting_review(
    office_client, world
):
    url = f"{REPORTS}{world['kaifeng'].pk}/change/"
    html = office_client.get(url).content.decode()
    assert '<input type="submit" class="default" value="审核通过">' in html
    response = office_client.post(
        REPORTS,
        {
            "action": "approve_reports",
            "_selected_action": world["kaifeng"].pk,
            "_back": world["kaifeng"].pk,
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"{REPORTS}{world['zhengzhou'].pk}/change/"
    assert "已审核通过 1 条填报。" in html
    assert "下一条待审核：1.1 · 郑州 · 2021Q2。" in html
    world["kaifeng"].refresh_from_db()
    assert world["kaifeng"].status == Status.APPROVED


def test_the_next_awaiting_review_is_the_same_citys_and_quarters_first(
    office_client, world, kaifeng, zhengzhou
):
    rail, water = world["kaifeng"].task, make_task(world["kaifeng"].task.area, 2, "50", [kaifeng])
    make_report(rail, kaifeng, 3, "1", Status.SUBMITTED)  # Another quarter: later.
    same = make_report(water, kaifeng, 2, "1", Status.SUBMITTED)
    response = office_client.post(
        REPORTS,
        {
            "action": "approve_reports",
            "_selected_action": world["kaifeng"].pk,
            "_back": world["kaifeng"].pk,
        },
    )
    assert response.url == f"{REPORTS}{same.pk}/change/"
    # Then that quarter's other cities (Zhengzhou's Q2), before Kaifeng's Q3.
    response = office_client.post(
        REPORTS, {"action": "approve_reports", "_selected_action": same.pk, "_back": same.pk}
    )
    assert response.url == f"{REPORTS}{world['zhengzhou'].pk}/change/"


def test_once_nothing_awaits_review_the_office_lands_on_the_review_queue(office_client, world):
    world["zhengzhou"].delete()
    response = office_client.post(
        REPORTS,
        {
            "action": "approve_reports",
            "_selected_action": world["kaifeng"].pk,
            "_back": world["kaifeng"].pk,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/admin/#review-queue"
    assert "已无其他待审核的填报。" in response.content.decode()


def test_a_refused_approval_stays_on_the_reports_page(office_client, world):
    world["kaifeng"].status = Status.DRAFT
    world["kaifeng"].save()
    url = f"{REPORTS}{world['kaifeng'].pk}/change/"
    response = office_client.post(
        REPORTS,
        {
            "action": "approve_reports",
            "_selected_action": world["kaifeng"].pk,
            "_back": world["kaifeng"].pk,
        },
    )
    assert response.url == url


def test_the_office_returns_from_a_reports_page_with_a_reason(office_client, world):
    report = world["kaifeng"]
    ask = office_client.post(
        REPORTS, {"action": "return_reports", "_selected_action": report.pk, "_back": report.pk}
    )
    assert f'<input type="hidden" name="_back" value="{report.pk}">' in ask.content.decode()
    data = {"action": "return_reports", "_selected_action": report.pk, "_back": report.pk}
    refused = office_client.post(REPORTS, {**data, "apply": "1", "reason": ""})
    assert "退回原因：请说明退回的理由。" in refused.content.decode()
    report.refresh_from_db()
    assert (report.status, report.history.count()) == (Status.SUBMITTED, 1)
    done = office_client.post(REPORTS, {**data, "apply": "1", "reason": "附件缺失"})
    assert done.url == f"{REPORTS}{world['zhengzhou'].pk}/change/"  # The next awaiting review.
    report.refresh_from_db()
    assert (report.status, report.return_reason, report.amount) == (
        Status.RETURNED,
        "附件缺失",
        Decimal("3"),
    )


def test_a_reporter_sees_no_review_buttons_or_queue(client, django_user_model, world, kaifeng):
    client = signed_in(client, django_user_model, REPORTER, kaifeng)
    assert "审核通过" not in client.get(f"{REPORTS}{world['kaifeng'].pk}/change/").content.decode()
    assert "待审核填报" not in client.get("/admin/").content.decode()


def test_the_admin_lists_the_projects_sections_first_the_plan_before_what_builds_on_it(
    client, office
):
    client.force_login(office)
    index = client.get("/admin/")
    labels = [app["app_label"] for app in index.context["app_list"]]
    assert labels[:6] == ["plan", "people", "tasks", "investment", "problems", "bulletins"]
    assert set(labels[6:]) == {"auth", "axes"}


@pytest.mark.parametrize("chosen", ["abc", str(2**64), "-1", "1.5"])
def test_a_bulk_action_on_ids_no_database_holds_is_told_to_choose_again(
    office_client, world, chosen
):
    before = list(ProgressReport.objects.values_list("status", flat=True).order_by("pk"))
    response = office_client.post(
        REPORTS,
        {"action": "approve_reports", "_selected_action": [world["kaifeng"].pk, chosen]},
        follow=True,
    )
    assert "所选记录无效：请重新选择。" in response.content.decode()
    assert list(ProgressReport.objects.values_list("status", flat=True).order_by("pk")) == before


def test_a_related_row_by_an_id_no_database_holds_is_not_a_valid_choice(office_client, world):
    data = {"task": str(2**64), "city": "", "year": 2021, "quarter": 2, "amount": "1"}
    page = office_client.post(f"{REPORTS}add/", data).content.decode()
    assert "选择一个有效的选项" in page
    assert ProgressReport.objects.count() == 3


@pytest.mark.parametrize(
    "query", [f"id__in={2**64}", f"city={2**64}", f"id__range=1,{2**64}", f"task__in=1,{2**64}"]
)
def test_a_list_filtered_by_a_number_no_database_holds_is_shown_unfiltered(
    office_client, world, query
):
    response = office_client.get(f"{REPORTS}?{query}", follow=True)
    assert response.redirect_chain == [(REPORTS, 302)]
    assert "地址中的筛选条件无效，已忽略。" in response.content.decode()


@pytest.mark.parametrize("chosen", ["abc", str(2**64), "²"])
def test_an_autocomplete_choice_that_is_no_id_is_refused_and_the_form_drawn_again(
    office_client, world, chosen
):
    data = {"project": chosen, "city": "", "year": 2021, "quarter": 2, "progress": "x"}
    page = office_client.post("/admin/investment/projectupdate/add/", data).content.decode()
    assert "选择一个有效的选项" in page


def test_a_bulk_action_on_a_superscript_digit_is_told_to_choose_again(office_client, world):
    response = office_client.post(
        REPORTS, {"action": "approve_reports", "_selected_action": "²"}, follow=True
    )
    assert "所选记录无效：请重新选择。" in response.content.decode()


def test_a_closing_reason_holding_what_xml_cannot_is_refused(office_client, world):
    from investment.models import QuarterClose

    page = office_client.post(
        f"{REPORTS}close/", {"year": 2021, "quarter": 1, "reason": "原因\ufffe"}
    ).content.decode()
    assert "原因含有控制字符" in page
    assert not QuarterClose.objects.exists()


def test_a_history_address_in_other_digits_is_a_404(office_client, world):
    report = world["kaifeng"]
    assert office_client.get(f"{REPORTS}{report.pk}/history/²/").status_code == 404
    assert office_client.get(f"{REPORTS}²/history/").status_code == 404


def todo_of(client) -> str:
    html = client.get("/admin/").content.decode()
    start = html.index('<div class="module todo" id="todo">')
    return html[start : html.index("</div>", start)]


def test_a_reporters_home_lists_what_was_returned_her_drafts_and_what_she_owes(
    client, world, kaifeng
):
    rail = world["kaifeng"].task
    returned = world["kaifeng"]
    returned.send_back(make_member("office", OFFICE), "金额与台账不符")
    returned.save()
    make_report(rail, kaifeng, 3, "1", Status.DRAFT)
    project = make_project(rail, "郑开城际", "complete", [kaifeng])
    make_update(project, kaifeng, 3, "construction", "架梁", status="draft")
    client.force_login(make_member("kf", REPORTER, city=kaifeng))
    todo = todo_of(client)
    assert "被都市圈办公室退回：1.1 · 开封 · 2021Q2" in todo
    assert "退回原因: 金额与台账不符" in todo
    assert "?year=2021&amp;quarter=2#row-1.1" in todo
    assert "第3季度：2 条草稿尚未报送" in todo
    # Today the 2021 plan's open quarter is Q4, its deadline ten days after the year's end.
    assert "第4季度：1 项任务尚未填报，截止日期 2022-01-10" in todo


def test_a_closed_quarters_leftovers_are_not_a_reporters_to_do(client, world, kaifeng):
    returned = world["kaifeng"]
    returned.send_back(make_member("office", OFFICE), "金额与台账不符")
    returned.save()
    QuarterClose.close(returned.task.area.plan, 2, User.objects.get(username="office"), "到期")
    client.force_login(make_member("kf", REPORTER, city=kaifeng))
    assert "被都市圈办公室退回" not in todo_of(client)


def test_a_unit_contacts_home_lists_her_problems_to_answer_by_deadline(client, world, kaifeng):
    rail = world["kaifeng"].task
    unit = Unit.objects.create(name="省交通运输厅", kind="province")
    other = Unit.objects.create(name="省自然资源厅", kind="province")
    today = localdate()
    make_problem(
        rail, kaifeng, today, Problem.Status.ASSIGNED, unit, today + timedelta(3), title="用地"
    )
    make_problem(
        rail, kaifeng, today, Problem.Status.ASSIGNED, unit, today - timedelta(5), title="资金"
    )
    make_problem(rail, kaifeng, today, Problem.Status.ANSWERED, unit, today, title="已答复")
    make_problem(rail, kaifeng, today, Problem.Status.ASSIGNED, other, today, title="别家")
    client.force_login(make_member("jtt", UNIT_CONTACT, unit=unit))
    todo = todo_of(client)
    assert todo.index("资金") < todo.index("用地")
    assert "已逾期 5 天（期限" in todo and "还剩 3 天（期限" in todo
    assert "已答复" not in todo and "别家" not in todo


def test_the_offices_home_lists_problems_to_assign_and_verify_and_who_still_owes(
    office_client, world, kaifeng
):
    rail = world["kaifeng"].task
    today = localdate()
    make_problem(rail, kaifeng, today)
    make_problem(rail, kaifeng, today, Problem.Status.ANSWERED, title="已答复")
    todo = todo_of(office_client)
    assert "1 个问题已提出，待交办责任单位" in todo
    assert "1 个问题已答复，待核实销号或退回" in todo
    # The grid's quarter (the latest reported, Q2): both cities' reports are submitted.
    assert "仍未报齐" not in todo
    make_report(rail, kaifeng, 3, "1", Status.DRAFT)
    todo = todo_of(office_client)
    assert "第3季度（截止 2021-10-10）仍未报齐：" in todo
    # Zhengzhou has not reported; Kaifeng's is a draft.
    assert "郑州（1 项）</a>、" in todo and "开封（1 项）</a></li>" in todo


def test_nothing_to_do_is_said(client, world, kaifeng, zhengzhou):
    ProgressReport.objects.update(status=Status.APPROVED)
    client.force_login(make_member("zz", REPORTER, city=zhengzhou))
    assert "2021Q4" not in todo_of(client)


def home_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/admin/")  # Warms the per-process caches (content types) that a server keeps.
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/admin/").status_code == 200
    return len(captured)


def returned_rows(count: int, city, start: int = 0) -> None:
    office = User.objects.filter(username="office").first() or make_member("office", OFFICE)
    area = ProgressReport.objects.first().task.area
    for number in range(start, start + count):
        task = make_task(area, number + 2, "10", [city])
        report = make_report(task, city, 3, "1", Status.SUBMITTED)
        report.send_back(office, "请核对")
        report.save()
        project = make_project(task, f"项目{number}", "complete", [city])
        make_update(project, city, 3, "construction", "架梁", status="returned")


def test_a_reporters_home_runs_as_many_queries_for_ten_returned_rows_as_for_one(
    client, world, kaifeng
):
    client.force_login(make_member("kf", REPORTER, city=kaifeng))
    returned_rows(1, kaifeng)
    few = home_queries(client)
    returned_rows(9, kaifeng, start=1)
    assert "项目9" in todo_of(client)
    assert home_queries(client) == few


def test_a_contacts_and_the_offices_homes_do_not_grow_with_problems(
    client, office_client, world, kaifeng
):
    rail = world["kaifeng"].task
    unit = Unit.objects.create(name="省交通运输厅", kind="province")
    contact = make_member("jtt", UNIT_CONTACT, unit=unit)
    today = localdate()

    def more(count):
        for _ in range(count):
            make_problem(rail, kaifeng, today, Problem.Status.ASSIGNED, unit, today)
            make_problem(rail, kaifeng, today, Problem.Status.ANSWERED, unit, today)

    more(1)
    few = home_queries(office_client), None
    from django.test import Client

    contact_client = Client()
    contact_client.force_login(contact)
    few = (few[0], home_queries(contact_client))
    more(10)
    assert (home_queries(office_client), home_queries(contact_client)) == few


def test_the_review_list_names_a_task_by_its_code_and_the_start_of_its_title(office_client, world):
    task = world["kaifeng"].task
    task.title = "编制郑开同城化发展规划和同城化示范区国土空间规划"
    task.save()
    page = office_client.get(f"{REPORTS}?status__exact=submitted").content.decode()
    assert (
        '<span title="编制郑开同城化发展规划和同城化示范区国土空间规划">'
        "1.1 编制郑开同城化发展规划和同城化…</span>" in page
    )
