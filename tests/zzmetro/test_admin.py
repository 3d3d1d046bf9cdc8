"""The office's review queue: what awaits review per city, and reviewing from a report's page.

The world: task 1.1 (target 100; Kaifeng allocated 40) in Zhengzhou and Kaifeng. Kaifeng
reported Q1 7.25 (approved) and Q2 3 (submitted); Zhengzhou Q2 4 (submitted).
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User

from investment.models import ProgressReport
from people.models import Reporter
from people.roles import OFFICE, REPORTER
from tests.builders import make_allocation, make_area, make_plan, make_report, make_task

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


def test_the_office_approves_from_a_reports_page_and_comes_back_to_it(office_client, world):
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
    )
    assert response.url == url
    world["kaifeng"].refresh_from_db()
    assert world["kaifeng"].status == Status.APPROVED


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
    assert done.url == f"{REPORTS}{report.pk}/change/"
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
