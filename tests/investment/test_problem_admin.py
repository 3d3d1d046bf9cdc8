"""The problem list (问题清单) through the admin's real URLs: raising, the steps on a problem's
page, the thread, the attachments, and every bad input refused naming its field, nothing saved.

The cast: the office, the Kaifeng reporter "kf" (and the Zhengzhou reporter "zz" where needed),
the contact of 郑州资规局 "zg" and the contact of 开封发改委 "fg", and a leader. The world:
make_world (1.1 轨道 and 2.1 产业 in both cities, 1.2 政策 in Zhengzhou only) with the projects
郑开城际 (1.1, both cities) and 郑州南站 (1.1, Zhengzhou only).
"""

from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localdate, localtime
from PIL import Image

from investment.models import Problem, ProblemAttachment, ProblemEntry
from plan.models import Unit
from plan.roles import OFFICE, REPORTER, UNIT_CONTACT
from tests.builders import make_member, make_problem, make_project, make_world

Status = Problem.Status
PROBLEMS = "/admin/investment/problem/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def jpeg(name: str = "现场.jpg") -> SimpleUploadedFile:
    output = BytesIO()
    Image.new("RGB", (4, 3), "red").save(output, "JPEG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


@pytest.fixture
def world(zhengzhou, kaifeng):
    world = make_world(zhengzhou, kaifeng)
    return {
        "world": world,
        "intercity": make_project(world.rail, "郑开城际", "complete", [zhengzhou, kaifeng]),
        "station": make_project(world.rail, "郑州南站", "complete", [zhengzhou]),
        "ziguiju": Unit.objects.create(
            name="郑州市自然资源和规划局", short_name="郑州资规局", kind="other"
        ),
        "fagaiwei": Unit.objects.create(
            name="开封市发展和改革委员会", short_name="开封发改委", kind="other"
        ),
        "closed_unit": Unit.objects.create(name="撤销的单位", kind="other", is_active=False),
    }


@pytest.fixture
def office(db):
    return signed_in(make_member("office", OFFICE))


@pytest.fixture
def kf(kaifeng):
    return signed_in(make_member("kf", REPORTER, city=kaifeng))


@pytest.fixture
def zg(world):
    return signed_in(make_member("zg", UNIT_CONTACT, unit=world["ziguiju"]))


@pytest.fixture
def fg(world):
    return signed_in(make_member("fg", UNIT_CONTACT, unit=world["fagaiwei"]))


@pytest.fixture
def raised(world, kaifeng):
    """Kaifeng's problem with 1.1 轨道, raised, awaiting assignment."""
    return make_problem(world["world"].rail, kaifeng, "城际站点用地未落实")


@pytest.fixture
def assigned(world, kaifeng):
    """Kaifeng's problem with 1.1 轨道, assigned to 郑州资规局, due in twenty days."""
    return make_problem(
        world["world"].rail,
        kaifeng,
        "跨市征迁协调",
        Status.ASSIGNED,
        world["ziguiju"],
        localdate() + timedelta(days=20),
    )


def raise_data(task, city, **changes) -> dict:
    data = {
        "task": task.pk,
        "project": "",
        "city": city.pk,
        "title": "城际站点用地未落实",
        "description": "开封段站房用地指标尚未落实，影响年内开工。",
        "kind": "land",
        "seen_version": "",
    }
    return {**data, **changes}


def step_url(problem, step: str) -> str:
    return f"{PROBLEMS}{problem.pk}/{step}/"


def assign_data(problem, unit, deadline, **changes) -> dict:
    data = {
        "unit": unit.pk if unit else "",
        "deadline": deadline.isoformat() if deadline else "",
        "leader": "王副市长",
        "text": "请于月底前答复",
        "seen_version": problem.version,
    }
    return {**data, **changes}


def refused(response) -> str:
    """The page of a refused form, its errors on it."""
    assert response.status_code == 200
    return response.content.decode()


def unchanged(problem) -> None:
    """Nothing of a refused step was kept: the problem as it was, its thread one raised entry."""
    version, status = problem.version, problem.status
    problem.refresh_from_db()
    assert (problem.version, problem.status) == (version, status)
    assert list(problem.entries.values_list("kind", flat=True)) == ["raised"]


# Raising -------------------------------------------------------------------------------------


def test_a_reporter_raises_a_problem_for_her_city_and_its_thread_begins(kf, world, kaifeng):
    data = raise_data(world["world"].rail, kaifeng, project=world["intercity"].pk)
    response = kf.post(f"{PROBLEMS}add/", data)
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert (problem.city, problem.project, problem.status, problem.created_by.username) == (
        kaifeng,
        world["intercity"],
        Status.RAISED,
        "kf",
    )
    assert list(problem.entries.values_list("kind", "author__username", "text")) == [
        ("raised", "kf", "开封段站房用地指标尚未落实，影响年内开工。")
    ]
    assert problem.history.get().history_user.username == "kf"


def test_a_reporters_menus_hold_her_citys_tasks_and_their_projects_through_it(kf, world):
    form = kf.get(f"{PROBLEMS}add/").context["adminform"].form
    rail, industry = world["world"].rail, world["world"].industry
    assert list(form.fields["task"].queryset.order_by("pk")) == [rail, industry]
    assert list(form.fields["project"].queryset) == [world["intercity"]]
    assert [city.name for city in form.fields["city"].queryset] == ["开封"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"city": "zhengzhou"}, "提出城市：您只能为本市提出问题。"),
        ({"task": "policy"}, "任务：请选择本市参与的任务。"),
        ({"project": "station"}, "重点项目：请选择本市参与任务中在本市建设的项目。"),
        ({"title": ""}, "问题：请用几句话说明阻碍工作的问题。"),
        ({"description": "   "}, "问题描述：请说明问题是什么、影响哪些工作。"),
        ({"kind": ""}, "类型：请填写。"),
    ],
)
def test_a_bad_problem_is_refused_naming_the_field(kf, world, zhengzhou, kaifeng, changes, message):
    objects = {
        "zhengzhou": zhengzhou.pk,
        "policy": world["world"].policy.pk,
        "station": world["station"].pk,
    }
    changes = {name: objects.get(value, value) for name, value in changes.items()}
    data = {**raise_data(world["world"].rail, kaifeng), **changes}
    html = refused(kf.post(f"{PROBLEMS}add/", data))
    assert message in html
    assert not Problem.objects.exists()
    assert not ProblemEntry.objects.exists()


def test_the_office_raises_for_a_city_the_task_runs_through_only(office, world, kaifeng):
    html = refused(office.post(f"{PROBLEMS}add/", raise_data(world["world"].policy, kaifeng)))
    assert "提出城市：该市不参与这项任务。" in html
    assert not Problem.objects.exists()


def test_a_reporter_sees_her_citys_problems_only(kf, world, zhengzhou, raised):
    other = make_problem(world["world"].rail, zhengzhou, "郑州站房拆迁")
    html = kf.get(PROBLEMS).content.decode()
    assert "城际站点用地未落实" in html
    assert "郑州站房拆迁" not in html
    for page in ["change/", "history/", "assign/", "answer/"]:
        assert kf.get(f"{PROBLEMS}{other.pk}/{page}").status_code == 404


def test_a_reporter_edits_her_problem_until_it_is_assigned(kf, raised, assigned, kaifeng):
    data = raise_data(raised.task, kaifeng, title="站点用地", seen_version=raised.version)
    assert kf.post(f"{PROBLEMS}{raised.pk}/change/", data).status_code == 302
    raised.refresh_from_db()
    assert raised.title == "站点用地"
    data = raise_data(assigned.task, kaifeng, title="改", seen_version=assigned.version)
    assert kf.post(f"{PROBLEMS}{assigned.pk}/change/", data).status_code == 403
    assigned.refresh_from_db()
    assert assigned.title == "跨市征迁协调"


# The office's steps ----------------------------------------------------------------------------


def test_the_office_assigns_a_problem_from_its_page(office, world, raised):
    page = office.get(f"{PROBLEMS}{raised.pk}/change/").content.decode()
    assert f'action="{step_url(raised, "assign")}"' in page
    assert f'action="{step_url(raised, "close")}"' not in page  # Not answered yet.
    deadline = localdate() + timedelta(days=30)
    data = assign_data(raised, world["ziguiju"], deadline, supporting_units=[world["fagaiwei"].pk])
    response = office.post(step_url(raised, "assign"), data, follow=True)
    assert response.redirect_chain == [(f"{PROBLEMS}{raised.pk}/change/", 302)]
    assert f"已交办郑州资规局，办理时限 {deadline.isoformat()}。" in response.content.decode()
    raised.refresh_from_db()
    assert (raised.status, raised.unit, raised.deadline, raised.assigned_on, raised.leader) == (
        Status.ASSIGNED,
        world["ziguiju"],
        deadline,
        localdate(),
        "王副市长",
    )
    assert list(raised.supporting_units.all()) == [world["fagaiwei"]]
    assert list(raised.entries.values_list("kind", "author__username", "text")) == [
        ("raised", None, "站房用地未落实"),
        ("assigned", "office", "请于月底前答复"),
    ]
    assert raised.history.first().history_change_reason == "请于月底前答复"


@pytest.mark.parametrize(
    ("unit", "days", "message"),
    [
        ("ziguiju", -1, "办理时限：{yesterday} 早于交办当日（{today}）。"),
        ("ziguiju", None, "办理时限：请填写责任单位须答复的日期。"),
        ("closed_unit", 10, "责任单位：请选择一个存在且在用的单位。"),
        (None, 10, "责任单位：请选择一个存在且在用的单位。"),
    ],
)
def test_a_bad_assignment_is_refused_naming_the_field(office, world, raised, unit, days, message):
    today = localdate()
    deadline = None if days is None else today + timedelta(days=days)
    data = assign_data(raised, world[unit] if unit else None, deadline)
    html = refused(office.post(step_url(raised, "assign"), data))
    words = {"yesterday": (today - timedelta(days=1)).isoformat(), "today": today.isoformat()}
    assert message.format(**words) in html
    assert "未保存任何内容。" in html
    unchanged(raised)
    assert raised.unit is None


def test_a_deadline_typed_as_words_is_refused_naming_the_field(office, world, raised):
    data = {**assign_data(raised, world["ziguiju"], None), "deadline": "月底"}
    assert "办理时限：请按 2021-06-30 的格式填写日期。" in refused(
        office.post(step_url(raised, "assign"), data)
    )
    unchanged(raised)


def test_closing_an_unanswered_problem_is_refused(office, assigned):
    data = {"text": "", "seen_version": assigned.version}
    html = refused(office.post(step_url(assigned, "close"), data))
    assert "状态：该问题“已交办”，不能销号。" in html
    unchanged(assigned)


def test_the_office_returns_an_answer_with_a_reason_and_refuses_with_one(office, assigned):
    assigned.status = Status.ANSWERED
    assigned.save()
    html = refused(office.post(step_url(assigned, "return"), {"seen_version": assigned.version}))
    assert "退回原因：请说明退回责任单位的理由。" in html
    unchanged(assigned)
    data = {"text": "未附用地批复", "seen_version": assigned.version}
    assert office.post(step_url(assigned, "return"), data).status_code == 302
    assigned.refresh_from_db()
    assert assigned.status == Status.ASSIGNED
    html = refused(office.post(step_url(assigned, "refuse"), {"seen_version": assigned.version}))
    assert "不予受理原因：请说明不予受理的理由。" in html
    data = {"text": "不属于都市圈事项", "seen_version": assigned.version}
    assert office.post(step_url(assigned, "refuse"), data).status_code == 302
    assigned.refresh_from_db()
    assert (assigned.status, assigned.closed_on) == (Status.REFUSED, localdate())
    assert list(assigned.entries.values_list("kind", "text")) == [
        ("raised", "站房用地未落实"),
        ("returned", "未附用地批复"),
        ("refused", "不属于都市圈事项"),
    ]


def test_a_step_on_a_problem_changed_since_the_page_was_read_is_refused(office, zg, assigned):
    seen = assigned.version
    assert (
        zg.post(step_url(assigned, "answer"), {"text": "已协调", "seen_version": seen}).status_code
        == 302
    )
    current = Problem.objects.get()
    # The office's page still shows it assigned; it refuses it with that page's version.
    html = refused(
        office.post(step_url(assigned, "refuse"), {"text": "重复", "seen_version": seen})
    )
    when = localtime(current.updated_at).strftime("%Y-%m-%d %H:%M")
    assert (
        f"zg 在您处理期间修改了这个问题（{when}）：现为“已答复”。"
        "您的修改未保存；请重新打开该问题后再试。" in html
    )
    current.refresh_from_db()
    assert (current.status, current.version) == (Status.ANSWERED, seen + 1)
    assert not current.entries.filter(kind="refused").exists()


def test_the_office_edits_a_problem_saying_why_and_the_history_shows_it(office, assigned, kaifeng):
    data = {
        **raise_data(assigned.task, kaifeng, title="跨市征迁协调（郑开段）"),
        "unit": assigned.unit_id,
        "deadline": assigned.deadline.isoformat(),
        "leader": "",
        "seen_version": assigned.version,
    }
    html = refused(office.post(f"{PROBLEMS}{assigned.pk}/change/", data))
    assert "修改原因：请说明修改该问题的理由。" in html
    assigned.refresh_from_db()
    assert assigned.title == "跨市征迁协调"
    data["change_reason"] = "按市里来函更正标题"
    assert office.post(f"{PROBLEMS}{assigned.pk}/change/", data).status_code == 302
    assigned.refresh_from_db()
    assert assigned.title == "跨市征迁协调（郑开段）"
    history = office.get(f"{PROBLEMS}{assigned.pk}/history/").content.decode()
    assert "按市里来函更正标题" in history


def test_a_deadline_moved_before_the_day_it_was_assigned_is_refused(office, assigned, kaifeng):
    earlier = assigned.assigned_on - timedelta(days=1)
    data = {
        **raise_data(assigned.task, kaifeng),
        "unit": assigned.unit_id,
        "deadline": earlier.isoformat(),
        "seen_version": assigned.version,
        "change_reason": "延期",
    }
    html = refused(office.post(f"{PROBLEMS}{assigned.pk}/change/", data))
    assert (
        f"办理时限：{earlier.isoformat()} 早于交办日期 {assigned.assigned_on.isoformat()}。" in html
    )
    unchanged(assigned)


# The unit's contact ----------------------------------------------------------------------------


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
    make_problem(
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
            make_problem(
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
