"""Project updates (项目进展) through the admin's real URLs, with the cast of roles.

The cast: the office (都市圈办公室), the Kaifeng reporter "kf" and the Zhengzhou reporter "zz"
(市级填报员), and a leader (领导) with admin access. The world: task 1.1 with two key projects,
郑开城际 (sections in Zhengzhou and Kaifeng) and 郑州南站 (Zhengzhou only).
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from investment.models import ProjectUpdate, QuarterClose
from people.models import Reporter
from people.roles import OFFICE, REPORTER, VIEWER
from tests.builders import make_area, make_city, make_plan, make_project, make_task, make_update

Status = ProjectUpdate.Status
UPDATES = "/admin/investment/projectupdate/"
# The photo inline's management form: no photos.
NO_PHOTOS = {"photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"}
NEEDS_REASON = "修改原因：本季度已锁定，请说明修改的理由。"


def member(django_user_model, username, group, city=None):
    user = django_user_model.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if city:
        Reporter.objects.create(user=user, city=city)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def world(zhengzhou, kaifeng):
    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou, kaifeng], title="轨道")
    return {
        "intercity": make_project(task, "郑开城际", "complete", [zhengzhou, kaifeng]),
        "station": make_project(task, "郑州南站", "complete", [zhengzhou]),
    }


@pytest.fixture
def office(django_user_model):
    return signed_in(member(django_user_model, "office", OFFICE))


@pytest.fixture
def kf(django_user_model, kaifeng):
    return signed_in(member(django_user_model, "kf", REPORTER, kaifeng))


def add_data(project, city, quarter=1, **changes) -> dict:
    data = {
        "project": project.pk,
        "city": city.pk,
        "year": 2021,
        "quarter": quarter,
        "stage": "construction",
        "amount": "2.5",
        "progress": "桥梁架设过半",
        **NO_PHOTOS,
    }
    return {**data, **changes}


def change_data(update, **changes) -> dict:
    data = {
        "stage": update.stage,
        "amount": "" if update.amount is None else str(update.amount),
        "progress": update.progress,
        "seen_version": update.version,
        **NO_PHOTOS,
    }
    return {**data, **changes}


def errors_of(response) -> str:
    assert response.status_code == 200  # The form again, with its errors.
    return response.content.decode()


def test_a_reporter_adds_her_citys_update_and_submits_it(kf, world, kaifeng):
    response = kf.post(f"{UPDATES}add/", add_data(world["intercity"], kaifeng, amount="１．５"))
    assert response.status_code == 302
    update = ProjectUpdate.objects.get()
    assert (update.city, update.stage, update.amount, update.status) == (
        kaifeng,
        "construction",
        Decimal("1.5"),
        Status.DRAFT,
    )
    assert update.created_by.username == "kf"
    kf.post(UPDATES, {"action": "submit_reports", "_selected_action": [update.pk]})
    update.refresh_from_db()
    assert (update.status, update.ever_submitted) == (Status.SUBMITTED, True)


def test_a_reporter_saves_and_submits_an_update_in_one_step(kf, world, kaifeng):
    kf.post(f"{UPDATES}add/", add_data(world["intercity"], kaifeng, _submit="1"))
    assert ProjectUpdate.objects.get().status == Status.SUBMITTED


def test_a_reporter_sees_and_opens_only_her_citys_updates(kf, world, kaifeng, zhengzhou):
    make_update(world["intercity"], kaifeng, 1, "construction", "开封段路基完成")
    other = make_update(world["intercity"], zhengzhou, 1, "construction", "郑州段桥梁架设", "draft")
    html = kf.get(UPDATES).content.decode()
    assert '<td class="field-city nowrap">开封</td>' in html
    assert '<td class="field-city nowrap">郑州</td>' not in html
    for page in ["change/", "history/", "delete/"]:
        assert kf.get(f"{UPDATES}{other.pk}/{page}").status_code == 404
    assert (
        kf.post(f"{UPDATES}{other.pk}/change/", change_data(other, progress="改")).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.progress == "郑州段桥梁架设"


def test_a_reporter_cannot_report_for_another_city_or_its_projects(kf, world, zhengzhou, kaifeng):
    other_city = errors_of(kf.post(f"{UPDATES}add/", add_data(world["intercity"], zhengzhou)))
    assert "城市：您只能填报本市。" in other_city
    other_project = errors_of(kf.post(f"{UPDATES}add/", add_data(world["station"], kaifeng)))
    assert "重点项目：请选择在本市有建设内容的项目。" in other_project
    assert not ProjectUpdate.objects.exists()


def test_a_section_in_a_city_the_project_does_not_run_through_is_refused(office, world, kaifeng):
    html = errors_of(office.post(f"{UPDATES}add/", add_data(world["station"], kaifeng)))
    assert "城市：该项目在本市没有建设内容。" in html
    assert not ProjectUpdate.objects.exists()


BACK = "季度末阶段：第1季度报送为“建成”，阶段不能退回“前期”。如第1季度有误，请联系都市圈办公室。"


def test_a_reporter_cannot_move_a_stage_back(kf, world, kaifeng):
    make_update(world["intercity"], kaifeng, 1, "completed", status="approved")
    html = errors_of(
        kf.post(f"{UPDATES}add/", add_data(world["intercity"], kaifeng, 2, stage="preparation"))
    )
    assert BACK in html
    assert ProjectUpdate.objects.count() == 1


def test_the_office_may_move_a_stage_back(office, world, kaifeng):
    make_update(world["intercity"], kaifeng, 1, "completed", status="approved")
    data = add_data(world["intercity"], kaifeng, 2, stage="preparation")
    assert office.post(f"{UPDATES}add/", data).status_code == 302
    assert ProjectUpdate.objects.get(quarter=2).stage == "preparation"


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-1", "本季度完成投资(亿元)不能为负数。"),
        ("一亿", "本季度完成投资(亿元)必须是数字。"),
        ("1e3x", "本季度完成投资(亿元)必须是数字。"),
    ],
)
def test_a_bad_amount_is_refused_naming_the_field(kf, world, kaifeng, amount, message):
    html = errors_of(
        kf.post(f"{UPDATES}add/", add_data(world["intercity"], kaifeng, amount=amount))
    )
    assert message in html
    assert not ProjectUpdate.objects.exists()


def test_an_amount_may_be_left_empty(kf, world, kaifeng):
    kf.post(f"{UPDATES}add/", add_data(world["intercity"], kaifeng, amount=""))
    assert ProjectUpdate.objects.get().amount is None


def close_q1(world, office) -> QuarterClose:
    return QuarterClose.close(world["intercity"].task.area.plan, 1, office.user)


def test_a_reporter_cannot_change_or_add_an_update_of_a_closed_quarter(kf, office, world, kaifeng):
    draft = make_update(world["intercity"], kaifeng, 1, "construction", status="draft")
    close_q1(world, office)
    refused = kf.post(
        f"{UPDATES}{draft.pk}/change/", change_data(draft, progress="改"), follow=True
    )
    assert "本季度已锁定，只有都市圈办公室可以修改。" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.progress == "路基施工中"
    added = errors_of(kf.post(f"{UPDATES}add/", add_data(world["intercity"], kaifeng, 1)))
    assert "季度：都市圈办公室已锁定本季度。" in added
    assert ProjectUpdate.objects.count() == 1


def test_the_office_corrects_a_closed_quarter_only_with_a_reason(office, world, kaifeng):
    update = make_update(world["intercity"], kaifeng, 1, "construction", amount=Decimal("3"))
    close_q1(world, office)
    url = f"{UPDATES}{update.pk}/change/"
    refused = errors_of(office.post(url, change_data(update, amount="3.5")))
    assert NEEDS_REASON in refused
    update.refresh_from_db()
    assert update.amount == Decimal("3")
    accepted = office.post(url, change_data(update, amount="3.5", correction_reason="台账更正"))
    assert accepted.status_code == 302
    update.refresh_from_db()
    assert (update.amount, update.at_close("amount")) == (Decimal("3.5"), Decimal("3"))
    assert update.history.first().history_change_reason == "台账更正"
    assert (
        "<td>\n          台账更正\n        </td>"
        in office.get(f"{url[:-7]}history/").content.decode()
    )


def test_the_office_adds_to_a_closed_quarter_only_with_a_reason(office, world, kaifeng):
    close_q1(world, office)
    data = add_data(world["intercity"], kaifeng, 1)
    assert NEEDS_REASON in errors_of(office.post(f"{UPDATES}add/", data))
    assert not ProjectUpdate.objects.exists()
    office.post(f"{UPDATES}add/", {**data, "correction_reason": "补报"})
    assert ProjectUpdate.objects.get().history.first().history_change_reason == "补报"


def test_the_office_deletes_a_closed_quarters_update_only_with_a_reason(office, world, kaifeng):
    update = make_update(world["intercity"], kaifeng, 1, "construction")
    close_q1(world, office)
    url = f"{UPDATES}{update.pk}/delete/"
    assert "修改原因（已锁定的季度）" in office.get(url).content.decode()
    refused = office.post(url, {"post": "yes", "reason": ""}, follow=True)
    assert NEEDS_REASON in refused.content.decode()
    assert ProjectUpdate.objects.exists()
    office.post(url, {"post": "yes", "reason": "重复填报"})
    assert not ProjectUpdate.objects.exists()
    assert ProjectUpdate.history.first().history_change_reason == "重复填报"


def test_a_stale_save_is_refused_and_changes_nothing(kf, office, world, kaifeng):
    update = make_update(world["intercity"], kaifeng, 1, "construction", status="draft")
    seen_by_both = change_data(update)
    url = f"{UPDATES}{update.pk}/change/"
    assert kf.post(url, {**seen_by_both, "progress": "主体完工"}).status_code == 302
    html = errors_of(office.post(url, {**seen_by_both, "progress": "桩基施工"}))
    assert "kf 在您编辑期间修改了这条项目进展" in html
    assert "形象进度“主体完工”" in html
    update.refresh_from_db()
    assert (update.progress, update.version) == ("主体完工", 2)


def test_the_office_approves_submitted_updates(office, world, kaifeng, zhengzhou):
    updates = [
        make_update(world["intercity"], city, 1, "construction") for city in (kaifeng, zhengzhou)
    ]
    response = office.post(
        UPDATES,
        {"action": "approve_reports", "_selected_action": [u.pk for u in updates]},
        follow=True,
    )
    assert "已审核通过 2 条填报。" in response.content.decode()
    assert set(ProjectUpdate.objects.values_list("status", flat=True)) == {Status.APPROVED}


def test_the_office_returns_an_update_with_a_reason_kept_in_its_history(office, world, kaifeng):
    update = make_update(world["intercity"], kaifeng, 1, "construction")
    data = {"action": "return_reports", "_selected_action": [update.pk], "_back": update.pk}
    ask = office.post(UPDATES, data).content.decode()
    assert "以下填报将退回所属城市，并附上您的理由：" in ask
    assert "郑开城际 · 开封 · 2021Q1 (已报送)" in ask
    refused = office.post(UPDATES, {**data, "apply": "1", "reason": ""})
    assert "退回原因：请说明退回的理由。" in refused.content.decode()
    done = office.post(UPDATES, {**data, "apply": "1", "reason": "缺少现场照片"})
    assert done.url == "/admin/#review-queue"  # Nothing else awaits review.
    update.refresh_from_db()
    assert (update.status, update.return_reason) == (Status.RETURNED, "缺少现场照片")
    assert update.history.first().history_change_reason == "缺少现场照片"


def test_a_reporter_can_neither_approve_nor_see_the_review_buttons(kf, world, kaifeng):
    update = make_update(world["intercity"], kaifeng, 1, "construction")
    kf.post(UPDATES, {"action": "approve_reports", "_selected_action": [update.pk]})
    update.refresh_from_db()
    assert update.status == Status.SUBMITTED
    assert "审核通过" not in kf.get(f"{UPDATES}{update.pk}/change/").content.decode()


def test_the_office_reviews_from_an_updates_page(office, world, kaifeng):
    update = make_update(world["intercity"], kaifeng, 1, "construction", "开封段架梁")
    html = office.get(f"{UPDATES}{update.pk}/change/").content.decode()
    assert f'<form method="post" action="{UPDATES}">' in html
    assert '<input type="submit" class="default" value="审核通过">' in html
    assert "开封段架梁" in html


def test_a_leader_with_admin_access_reads_no_drafts(django_user_model, world, kaifeng):
    leader = signed_in(member(django_user_model, "leader", VIEWER))
    make_update(world["intercity"], kaifeng, 1, "construction", "已报送的进展")
    draft = make_update(world["intercity"], kaifeng, 2, "construction", "草稿进展", "draft")
    html = leader.get(UPDATES).content.decode()
    assert '<td class="field-quarter">1</td>' in html
    assert '<td class="field-quarter">2</td>' not in html
    assert "审核通过所选填报" not in html
    assert leader.get(f"{UPDATES}{draft.pk}/change/").status_code == 404


def test_the_review_queue_counts_submitted_updates_per_city(office, world, kaifeng, zhengzhou):
    make_update(world["intercity"], kaifeng, 1, "construction")
    make_update(world["intercity"], kaifeng, 2, "construction")
    make_update(world["intercity"], zhengzhou, 1, "construction", status="approved")
    html = office.get("/admin/").content.decode()
    assert (
        f'<a href="{UPDATES}?city__id__exact={kaifeng.pk}&amp;status__exact=submitted'
        '&amp;year__exact=2021">2 条项目进展待审核</a>'
    ) in html
    assert '<span class="quiet">无待审核的项目进展</span>' in html  # Zhengzhou's
    listed = office.get(f"{UPDATES}?city__id__exact={kaifeng.pk}&status__exact=submitted")
    assert listed.content.decode().count('<td class="field-city nowrap">开封</td>') == 2


def test_closing_a_quarter_counts_the_updates_awaiting_review(office, world, kaifeng):
    make_update(world["intercity"], kaifeng, 1, "construction")
    close = "/admin/investment/progressreport/close/"
    page = office.get(f"{close}?year=2021&quarter=1").content.decode()
    assert "1 条项目进展" in page
    assert "<div><strong>开封</strong>: 1</div>" in page
    refused = office.post(close, {"year": 2021, "quarter": 1, "reason": ""}).content.decode()
    assert (
        "原因：仍有 0 条进度填报和 1 条项目进展待审核，0 条为草稿或已退回；"
        "请先处理，或说明现在锁定的理由。"
    ) in refused
    assert not QuarterClose.objects.exists()


def build(updates: int, year: int) -> None:
    """`updates` project sections, each in its own city, with a Q1 update."""
    task = make_task(make_area(make_plan(year=year)), 1, "100")
    for number in range(updates):
        city = make_city(f"city-{year}-{number}", f"城市{year}-{number}", number)
        project = make_project(task, f"项目{year}-{number}", "start", [city])
        make_update(project, city, 1, "construction", amount=Decimal("1"))


def queries(client, url: str) -> int:
    client.get(url)  # Warms the per-process caches (content types) that a server keeps.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_update_list_queries_do_not_grow_with_updates(office):
    build(2, 2021)
    few = queries(office, UPDATES)
    build(20, 2022)
    assert queries(office, UPDATES) == few


def test_a_reporters_project_search_offers_only_her_citys_projects(kf, world):
    url = "/admin/autocomplete/?app_label=investment&model_name=projectupdate&field_name=project"
    names = [row["text"] for row in kf.get(url).json()["results"]]
    assert names == ["郑开城际"]
