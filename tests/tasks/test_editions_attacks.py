"""新建下一年度工作要点 against odd input: taken rows, odd years, another plan's rows, two
submits at once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from plan.models import Plan
from tasks.editions import carry_over
from tasks.models import Project, Task
from tests.builders import make_member, make_project, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(zhengzhou, kaifeng):
    world = make_world(zhengzhou, kaifeng)
    project = make_project(world.rail, "郑开城际", "complete", [zhengzhou, kaifeng])
    return world, project


def url(plan) -> str:
    return f"/admin/plan/plan/{plan.pk}/new-edition/"


def test_a_project_whose_task_was_carried_already_is_refused_with_a_message(client, office, world):
    w, project = world
    # 2022 carries the task alone; the project stays behind and is offered again.
    carry_over(w.plan, 2022, [w.rail], [])
    client.force_login(office)
    response = client.post(url(w.plan), {"year": "2023", "projects": [str(project.pk)]})
    assert response.status_code == 200, response.status_code
    assert not Plan.objects.filter(year=2023).exists()


def test_the_command_refuses_the_same_without_a_traceback(world):
    w, project = world
    carry_over(w.plan, 2022, [w.rail], [])
    with pytest.raises(CommandError):
        call_command(
            "new_edition", "2023", "--from", "2021", "--tasks", "none",
            "--projects", str(project.pk), stdout=StringIO(),
        )  # fmt: skip


@pytest.mark.parametrize(
    "year", ["2022abc", "2101", "1999", "2021", "2000", "99999999999999999999999", "-1", " 2022 "]
)
def test_odd_years_are_refused_in_chinese_or_taken(client, office, world, year):
    w, _project = world
    client.force_login(office)
    response = client.post(url(w.plan), {"year": year})
    assert response.status_code in (200, 302), (year, response.status_code)
    if year.strip() == "2022":
        assert Plan.objects.filter(year=2022, status="draft").exists()
    else:
        assert Plan.objects.count() == 1


def test_another_plan_s_task_ids_are_refused(client, office, world, zhengzhou):
    w, _project = world
    other = carry_over(w.plan, 2022, [w.rail], [])
    other_task = Task.objects.of_plan(other).get()
    client.force_login(office)
    response = client.post(url(w.plan), {"year": "2023", "tasks": [str(other_task.pk)]})
    assert response.status_code == 200
    assert not Plan.objects.filter(year=2023).exists()


def test_a_reporter_cannot_open_the_page(client, world, zhengzhou):
    w, _project = world
    client.force_login(make_member("zz", "市级填报员", city=zhengzhou))
    assert client.get(url(w.plan)).status_code == 403
    assert client.post(url(w.plan), {"year": "2022"}).status_code == 403
    assert not Plan.objects.filter(year=2022).exists()


def test_a_second_submit_is_told_the_year_exists(client, office, world):
    w, project = world
    client.force_login(office)
    first = client.post(url(w.plan), {"year": "2022", "projects": [str(project.pk)]})
    assert first.status_code == 302
    second = client.post(url(w.plan), {"year": "2022", "projects": [str(project.pk)]})
    assert second.status_code == 200
    assert Project.objects.count() == 2


def test_two_submits_at_once_give_the_second_a_message_not_a_500(
    client, office, world, monkeypatch
):
    """Two office members submit 2022 at the same moment: both pass year_error before either
    commits. Simulated: the plan is there, the check ran before it was."""
    w, _project = world
    carry_over(w.plan, 2022, [], [])
    monkeypatch.setattr("tasks.editions.year_error", lambda year: None)
    monkeypatch.setattr("investment.editions.year_error", lambda year: None)
    client.force_login(office)
    client.raise_request_exception = False
    response = client.post(url(w.plan), {"year": "2022"})
    assert response.status_code == 200, response.status_code


def test_a_city_held_in_part_does_not_become_whole_when_its_counties_retire(world, zhengzhou):
    from plan.models import Member
    from tests.builders import make_city

    w, _project = world
    zhongmu = make_city("zhongmu", "中牟县", 11, code="410122", parent=zhengzhou, retired_from=2022)
    Member.objects.get(plan=w.plan, place=zhengzhou).counties.set([zhongmu])
    later = carry_over(w.plan, 2022, [], [])
    member = Member.objects.filter(plan=later, place=zhengzhou).first()
    # 2021 held 郑州 only through 中牟; 2022 now holds the whole of 郑州.
    assert member is None or member.counties.exists()


def test_a_plan_id_past_any_id_is_no_plan(client, office):
    client.force_login(office)
    assert client.get(f"/admin/plan/plan/{2**64}/new-edition/").status_code == 404
