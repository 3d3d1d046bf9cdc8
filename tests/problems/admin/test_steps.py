"""The problem list (问题清单) in the admin, raising and the office's steps, through the admin's
real URLs: every bad input refused naming its field, nothing saved (the world: conftest.py).
"""

from datetime import timedelta

import pytest
from django.utils.timezone import localdate, localtime

from problems.models import Problem, ProblemEntry
from tests.builders import raise_problem

from .helpers import (
    PROBLEMS,
    Status,
    assign_data,
    raise_data,
    refused,
    step_url,
    unchanged,
)

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


def test_a_title_with_a_character_xml_cannot_hold_is_refused_and_nothing_raised(kf, world, kaifeng):
    data = raise_data(world["world"].rail, kaifeng, title="站房用地\ufffe未落实")
    page = kf.post(f"{PROBLEMS}add/", data).content.decode()
    assert "问题含有控制字符（例如 Word 中 Shift+Enter 粘贴的换行符），请删除后重新保存。" in page
    assert not Problem.objects.exists()


def test_the_office_raises_for_a_city_the_task_runs_through_only(office, world, kaifeng):
    html = refused(office.post(f"{PROBLEMS}add/", raise_data(world["world"].policy, kaifeng)))
    assert "提出城市：该市不参与这项任务。" in html
    assert not Problem.objects.exists()


def test_a_reporter_sees_her_citys_problems_only(kf, world, zhengzhou, raised):
    other = raise_problem(world["world"].rail, zhengzhou, "郑州站房拆迁")
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
        f"zg 在您编辑期间修改了这个问题（{when}）：现为“已答复”。"
        "您的修改未保存；请重新打开后再录入。" in html
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


def test_an_edit_of_a_problem_changed_since_the_form_was_read_is_refused(
    office, kf, raised, kaifeng
):
    seen = raised.version
    data = raise_data(raised.task, kaifeng, title="站点用地", seen_version=seen)
    assert kf.post(f"{PROBLEMS}{raised.pk}/change/", data).status_code == 302
    data = {**raise_data(raised.task, kaifeng, title="改"), "seen_version": seen}
    html = refused(office.post(f"{PROBLEMS}{raised.pk}/change/", {**data, "change_reason": "更正"}))
    assert "kf 在您编辑期间修改了这个问题" in html
    raised.refresh_from_db()
    assert (raised.title, raised.version) == ("站点用地", seen + 1)


def test_the_office_cannot_move_a_problem_to_a_deactivated_unit(office, world, assigned, kaifeng):
    data = {
        **raise_data(assigned.task, kaifeng),
        "unit": world["closed_unit"].pk,
        "deadline": assigned.deadline.isoformat(),
        "seen_version": assigned.version,
        "change_reason": "改由其他单位办理",
    }
    html = refused(office.post(f"{PROBLEMS}{assigned.pk}/change/", data))
    assert "责任单位：请选择一个存在且在用的单位。" in html
    unchanged(assigned)
