"""The problem list (问题清单) in the admin, the unit's contact: she answers her unit's problems
with photos and sees nothing else; the attachments' address; the pages' queries; the unit
contacts' own admin, where the office binds them (the world: conftest.py)."""

from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localdate

from people.models import UnitContact
from people.roles import REPORTER, UNIT_CONTACT
from problems.models import Problem, ProblemAttachment
from tests.builders import make_member, raise_problem

from .helpers import (
    PROBLEMS,
    Status,
    jpeg,
    raise_data,
    refused,
    signed_in,
    step_url,
    stored_files,
    unchanged,
)


def test_the_units_contact_answers_with_photos_and_the_thread_shows_them(zg, office, assigned):
    data = {
        "text": "已协调两市征迁安置方案",
        "photos": [jpeg(), jpeg("二.jpg")],
        "seen_version": assigned.version,
    }
    response = zg.post(step_url(assigned, "answer"), data, follow=True)
    assert "已答复，待都市圈办公室核实。" in response.content.decode()
    assigned.refresh_from_db()
    assert assigned.status == Status.ANSWERED
    answer = assigned.entries.get(kind="answered")
    assert (answer.author.username, answer.text, answer.attachments.count()) == (
        "zg",
        "已协调两市征迁安置方案",
        2,
    )
    page = office.get(f"{PROBLEMS}{assigned.pk}/change/").content.decode()
    thread = page[page.index('id="problem-thread"') :]
    assert thread.index("站房用地未落实") < thread.index("已协调两市征迁安置方案")
    for attachment in answer.attachments.all():
        assert f'href="/problem-attachments/{attachment.pk}/"' in thread
    assert f'action="{step_url(assigned, "close")}"' in page


def test_an_attachment_is_served_to_who_may_see_its_problem(
    zg, fg, kf, office, assigned, zhengzhou, leader, client
):
    data = {"text": "已办理", "photos": [jpeg()], "seen_version": assigned.version}
    zg.post(step_url(assigned, "answer"), data)
    url = f"/problem-attachments/{ProblemAttachment.objects.get().pk}/"
    zz = signed_in(make_member("zz", REPORTER, city=zhengzhou))
    for who, status in [
        (zg, 200),
        (office, 200),
        (kf, 200),
        (signed_in(leader), 200),
        (fg, 404),
        (zz, 404),
    ]:
        response = who.get(url)
        assert response.status_code == status
    response = zg.get(url)
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == (
        "image/jpeg",
        "nosniff",
    )
    assert client.get(url).status_code == 302  # Signed out: to the sign-in page.


def test_a_contact_of_another_unit_can_neither_see_nor_answer(fg, assigned):
    assert fg.get(f"{PROBLEMS}{assigned.pk}/change/").status_code == 404
    data = {"text": "已办理", "seen_version": assigned.version}
    assert fg.post(step_url(assigned, "answer"), data).status_code == 404
    unchanged(assigned)


def test_answering_a_closed_problem_is_refused(zg, assigned):
    assigned.status, assigned.closed_on = Status.CLOSED, localdate()
    assigned.save()
    page = zg.get(f"{PROBLEMS}{assigned.pk}/change/").content.decode()
    assert 'id="problem-steps"' not in page
    data = {"text": "补充办理情况", "seen_version": assigned.version}
    html = refused(zg.post(step_url(assigned, "answer"), data))
    assert "状态：该问题“已销号”，不能答复。" in html
    unchanged(assigned)


def test_an_empty_answer_is_refused(zg, assigned):
    html = refused(
        zg.post(step_url(assigned, "answer"), {"text": " ", "seen_version": assigned.version})
    )
    assert "答复：请说明办理情况。" in html
    unchanged(assigned)


def test_an_answer_with_a_document_for_a_photo_is_refused_and_nothing_stored(zg, assigned, media):
    pdf = SimpleUploadedFile("批复.jpg", b"%PDF-1.4 ...", content_type="image/jpeg")
    data = {"text": "已办理", "photos": [jpeg(), pdf], "seen_version": assigned.version}
    html = refused(zg.post(step_url(assigned, "answer"), data))
    assert (
        "照片：该文件是 PDF 文档，不是照片，修改扩展名不会改变其格式。"
        "请上传 JPEG 或 PNG 格式的照片。（文件：批复.jpg）"
    ) in html
    unchanged(assigned)
    assert stored_files(media) == []


def test_an_answer_with_seven_photos_is_refused(zg, assigned, media):
    data = {
        "text": "已办理",
        "photos": [jpeg() for _ in range(7)],
        "seen_version": assigned.version,
    }
    html = refused(zg.post(step_url(assigned, "answer"), data))
    assert "照片：每条答复最多 6 张照片，本次选择了 7 张。" in html
    unchanged(assigned)
    assert stored_files(media) == []


def test_a_contact_sees_her_units_assigned_problems_and_nothing_else(
    zg, world, assigned, raised, kaifeng
):
    raise_problem(
        world["world"].rail, kaifeng, "开封发改委的问题", Status.ASSIGNED, world["fagaiwei"]
    )
    raised.unit = world["ziguiju"]  # Named, but not yet assigned: not hers to see.
    raised.save()
    html = zg.get(PROBLEMS).content.decode()
    assert "跨市征迁协调" in html
    assert "城际站点用地未落实" not in html
    assert "开封发改委的问题" not in html
    index = zg.get("/admin/")
    models = [model["object_name"] for app in index.context["app_list"] for model in app["models"]]
    assert models == ["Problem"]
    for model in admin.site._registry:
        if model is not Problem:
            opts = model._meta
            url = f"/admin/{opts.app_label}/{opts.model_name}/"
            assert zg.get(url).status_code == 403, url
    assert zg.get(f"{PROBLEMS}add/").status_code == 403


def test_a_contact_reads_her_problem_but_cannot_edit_it(zg, assigned, kaifeng):
    page = zg.get(f"{PROBLEMS}{assigned.pk}/change/").content.decode()
    assert 'name="title"' not in page
    assert 'name="_save"' not in page
    assert f'action="{step_url(assigned, "answer")}"' in page
    assert f'action="{step_url(assigned, "assign")}"' not in page
    data = {**raise_data(assigned.task, kaifeng, title="改"), "seen_version": assigned.version}
    assert zg.post(f"{PROBLEMS}{assigned.pk}/change/", data).status_code == 403
    for step in ["assign", "close", "return", "refuse"]:
        assert (
            zg.post(
                step_url(assigned, step), {"text": "x", "seen_version": assigned.version}
            ).status_code
            == 403
        )
    unchanged(assigned)


# Queries ---------------------------------------------------------------------------------------


def test_the_list_and_a_problems_page_read_a_fixed_number_of_queries(office, zg, world, kaifeng):
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert office.get(url).status_code == 200
        return len(queries)

    def more(n: int) -> None:
        for index in range(n):
            raise_problem(
                world["world"].rail, kaifeng, f"问题{index}", Status.ASSIGNED, world["ziguiju"]
            )

    office.get(PROBLEMS)  # The first request saves the session: not counted.
    more(2)
    problem = Problem.objects.first()
    for _ in range(2):
        zg.post(
            step_url(problem, "answer"),
            {"text": "已办理", "photos": [jpeg()], "seen_version": problem.version},
        )
        problem.refresh_from_db()
        problem.status = Status.ASSIGNED
        problem.save()
    small_list, small_page = count(PROBLEMS), count(f"{PROBLEMS}{problem.pk}/change/")
    more(4)
    for _ in range(2):
        zg.post(
            step_url(problem, "answer"),
            {"text": "再办理", "photos": [jpeg(), jpeg()], "seen_version": problem.version},
        )
        problem.refresh_from_db()
        problem.status = Status.ASSIGNED
        problem.save()
    assert count(PROBLEMS) == small_list
    assert count(f"{PROBLEMS}{problem.pk}/change/") == small_page


def test_the_office_binds_a_contact_to_a_unit_and_she_then_sees_its_problems(
    office, kf, world, assigned, django_user_model
):
    user = django_user_model.objects.create_user("new-contact", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=UNIT_CONTACT))
    assert signed_in(user).get(PROBLEMS).context["cl"].result_count == 0
    data = {"user": user.pk, "unit": world["ziguiju"].pk}
    assert kf.post("/admin/people/unitcontact/add/", data).status_code == 403
    assert office.post("/admin/people/unitcontact/add/", data).status_code == 302
    assert UnitContact.objects.get(user=user).unit == world["ziguiju"]
    listed = signed_in(user).get(PROBLEMS).context["cl"].result_list
    assert [problem.title for problem in listed] == ["跨市征迁协调"]


def test_an_answer_whose_second_photo_cannot_be_saved_keeps_no_file(
    zg, assigned, media, monkeypatch
):
    saves = []

    def fails_second(self, *args, **kwargs):
        saves.append(self)
        if len(saves) == 2:
            raise OSError("disk full")
        return real(self, *args, **kwargs)

    real = ProblemAttachment.save
    monkeypatch.setattr(ProblemAttachment, "save", fails_second)
    data = {"text": "已办理", "photos": [jpeg(), jpeg("二.jpg")], "seen_version": assigned.version}
    zg.raise_request_exception = False
    assert zg.post(step_url(assigned, "answer"), data).status_code == 500
    unchanged(assigned)
    assert stored_files(media) == []


def test_more_files_than_a_request_may_carry_are_refused_in_words(zg, assigned, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    data = {
        "text": "已办理",
        "photos": [jpeg() for _ in range(4)],
        "seen_version": assigned.version,
    }
    response = zg.post(step_url(assigned, "answer"), data)
    assert response.status_code == 400
    assert "一次发送的文件过多（最多 3 个）。请返回并少选一些。" in response.content.decode()
    unchanged(assigned)


def test_a_tampered_page_version_says_the_page_is_out_of_date(zg, assigned):
    data = {"text": "已办理", "seen_version": "abc"}
    html = refused(zg.post(step_url(assigned, "answer"), data))
    assert "此页面已过时：请重新打开该问题，再执行此步骤。" in html
    unchanged(assigned)
