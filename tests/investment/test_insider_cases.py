"""Cases an insider tried against the reporting admin: each is refused cleanly, never a 500,
and never shows a city's draft or the office's remarks to those who should not see them."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from investment.models import ProgressReport, QuarterClose
from people.models import Reporter
from people.roles import OFFICE, REPORTER, VIEWER
from tests.builders import make_allocation, make_area, make_plan, make_report, make_task

Status = ProgressReport.Status
REPORTS = "/admin/investment/progressreport/"
IMPORT = f"{REPORTS}import/"
CONFIRM = f"{REPORTS}process_import/"
HEADER = "任务编号,城市,年度,季度,完成投资(亿元),进展情况\n"
pytestmark = pytest.mark.django_db


@pytest.fixture
def rail(zhengzhou, kaifeng):
    rail = make_task(make_area(make_plan()), 1, "100", [zhengzhou, kaifeng], title="轨道")
    make_allocation(rail, kaifeng, "40")
    return rail


def signed_in(django_user_model, name: str, group: str, city=None) -> Client:
    user = django_user_model.objects.create_user(name, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if city:
        Reporter.objects.create(user=user, city=city)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.user = user
    return client


def preview(client) -> dict:
    content = (HEADER + "1.1,开封,2021,2,12.5,轨道开工\n").encode()
    upload = SimpleUploadedFile("kf.csv", content)
    response = client.post(IMPORT, {"format": 0, "import_file": upload})
    return dict(response.context["confirm_form"].initial)


def test_a_leader_with_admin_access_sees_no_draft_there(rail, zhengzhou, django_user_model):
    draft = make_report(rail, zhengzhou, 1, "7.77", Status.DRAFT)
    counted = make_report(rail, zhengzhou, 2, "8.88", Status.SUBMITTED)
    leader = signed_in(django_user_model, "leader-2", VIEWER)
    listing = leader.get(REPORTS).content.decode()
    assert "8.8800" in listing and "7.7700" not in listing
    assert leader.get(f"{REPORTS}{draft.pk}/change/").status_code == 404
    assert leader.get(f"{REPORTS}{counted.pk}/history/").status_code == 403


def test_the_offices_return_reason_stays_off_the_task_page(
    rail, kaifeng, django_user_model, client, leader
):
    office = signed_in(django_user_model, "clerk", OFFICE)
    report = make_report(rail, kaifeng, 1, "3", Status.SUBMITTED)
    form = {"action": "return_reports", "_selected_action": [report.pk], "reason": "数据存疑-内部"}
    office.post(REPORTS, {**form, "apply": "1"})
    kf = signed_in(django_user_model, "kf", REPORTER, kaifeng)
    report.refresh_from_db()
    changed = {"amount": "3.5", "note": "改了", "seen_version": report.version, "_submit": "1"}
    kf.post(f"{REPORTS}{report.pk}/change/", changed)
    assert ProgressReport.objects.get().status == Status.SUBMITTED
    client.force_login(leader)
    page = client.get("/2021/tasks/1.1/").content.decode()
    assert "内部" not in page
    assert "3.5" in page  # The counted change itself shows.


def test_the_office_adds_to_a_closed_quarter_only_with_a_reason(rail, zhengzhou, django_user_model):
    office = signed_in(django_user_model, "clerk", OFFICE)
    QuarterClose.close(rail.area.plan, 2, office.user)
    form = {"task": rail.pk, "city": zhengzhou.pk, "year": 2021, "quarter": 2, "amount": "5"}
    refused = office.post(f"{REPORTS}add/", {**form, "note": ""}).content.decode()
    assert "修改原因：本季度已锁定，请说明修改的理由。" in refused
    assert not ProgressReport.objects.exists()
    office.post(f"{REPORTS}add/", {**form, "note": "", "correction_reason": "补报遗漏"})
    added = ProgressReport.objects.get()
    assert added.history.first().history_change_reason == "补报遗漏"


def test_confirming_an_import_twice_asks_to_upload_again(rail, kaifeng, django_user_model):
    kf = signed_in(django_user_model, "kf", REPORTER, kaifeng)
    data = preview(kf)
    assert kf.post(CONFIRM, data).status_code == 302
    again = kf.post(CONFIRM, data, follow=True)
    assert "此次导入已确认或已过期：请重新上传文件。" in again.content.decode()
    assert ProgressReport.objects.count() == 1


@pytest.mark.parametrize(
    "forge",
    [
        lambda signed: "x",
        lambda signed: signed[:-1] + ("A" if signed[-1] != "A" else "B"),
        lambda signed: "[" * 5000,
        lambda signed: "",
    ],
)
def test_a_forged_import_confirm_saves_nothing(rail, kaifeng, django_user_model, forge):
    kf = signed_in(django_user_model, "kf", REPORTER, kaifeng)
    data = preview(kf)
    response = kf.post(CONFIRM, {"preview": forge(data["preview"])}, follow=True)
    assert "此次导入已确认或已过期：请重新上传文件。" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_preview_cannot_be_changed_on_its_way_to_the_confirm(rail, kaifeng, django_user_model):
    """The file's name, the reason and the versions the preview saw are signed: a value
    posted beside them is ignored, a changed one refuses the confirm."""
    from django.core import signing

    kf = signed_in(django_user_model, "kf", REPORTER, kaifeng)
    data = preview(kf)
    seen = signing.loads(data["preview"], salt="investment.import.preview")
    forged = signing.dumps({**seen, "reason": "x"}, salt="other")
    assert (
        "此次导入已确认或已过期"
        in kf.post(CONFIRM, {"preview": forged}, follow=True).content.decode()
    )
    kf.post(CONFIRM, {**data, "file_name": "<b>\x0b.csv", "reason": "伪造"})
    record = ProgressReport.objects.get().history.first()
    assert record.history_change_reason == "导入自 kf.csv"


def test_an_upload_is_confirmed_only_by_its_uploader(rail, kaifeng, django_user_model):
    data = preview(signed_in(django_user_model, "kf", REPORTER, kaifeng))
    other = signed_in(django_user_model, "kf-2", REPORTER, kaifeng)
    response = other.post(CONFIRM, data, follow=True)
    assert "此次导入已确认或已过期：请重新上传文件。" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_confirm_is_only_ever_a_post(rail, kaifeng, django_user_model):
    kf = signed_in(django_user_model, "kf", REPORTER, kaifeng)
    assert kf.get(CONFIRM, preview(kf)).status_code == 405
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("page", ["close", "reopen"])
def test_a_year_in_other_digits_is_a_404_on_the_close_pages(rail, django_user_model, page):
    office = signed_in(django_user_model, "clerk", OFFICE)
    assert office.get(f"{REPORTS}{page}/?year=²&quarter=1").status_code == 404


def test_a_reason_with_a_control_character_deletes_nothing(rail, kaifeng, django_user_model):
    report = make_report(rail, kaifeng, 1, "3", Status.SUBMITTED)
    office = signed_in(django_user_model, "clerk", OFFICE)
    QuarterClose.close(rail.area.plan, 1, office.user)
    response = office.post(
        f"{REPORTS}{report.pk}/delete/", {"post": "yes", "reason": "a\x00b"}, follow=True
    )
    assert "修改原因含有控制字符" in response.content.decode()
    assert ProgressReport.objects.filter(pk=report.pk).exists()


def test_the_admin_export_survives_a_stored_control_character(kaifeng, django_user_model):
    task = make_task(make_area(make_plan()), 1, "100", [kaifeng])
    report = make_report(task, kaifeng, 1, "3")
    ProgressReport.objects.filter(pk=report.pk).update(note="第一行\x0b第二行")
    office = signed_in(django_user_model, "clerk", OFFICE)
    fields = ("task", "city", "year", "quarter", "amount", "note")
    form = {"format": "0", "resource": "0"} | {f"reportexport_{f}": "on" for f in fields}
    response = office.post(f"{REPORTS}export/", form)
    assert response["Content-Type"].startswith("application/vnd.openxml")
