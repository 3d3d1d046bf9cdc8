import pytest
from django.contrib.auth.models import Group

from people.models import Reporter
from people.roles import REPORTER
from tasks.models import Project
from tests.builders import make_area, make_plan, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(zhengzhou, kaifeng):
    return make_task(make_area(make_plan()), target="100", cities=[zhengzhou, kaifeng])


def post(client, task, **changes) -> dict:
    data = {
        "task": task.pk,
        "name": "测试工程",
        "goal": "start",
        "cities": [task.cities.first().pk],
    }
    return client.post("/admin/tasks/project/add/", {**data, **changes}, follow=True)


def test_the_office_adds_a_project(admin_client, task):
    response = post(admin_client, task, annual_investment="30")
    assert response.status_code == 200
    project = Project.objects.get()
    assert (project.name, project.annual_investment, project.history.count()) == ("测试工程", 30, 1)


def test_an_actual_finish_before_the_start_in_the_admin_saves_nothing(admin_client, task):
    response = post(admin_client, task, actual_start="2021-06-01", actual_finish="2021-05-31")
    assert "实际竣工日期：不能早于实际开工日期。" in response.content.decode()
    assert not Project.objects.exists()


def test_a_negative_amount_in_the_admin_saves_nothing(admin_client, task):
    response = post(admin_client, task, total_investment="-1")
    assert "总投资(亿元)不能为负数。" in response.content.decode()
    assert not Project.objects.exists()


def test_a_city_outside_the_task_in_the_admin_saves_nothing(admin_client, task, xuchang):
    response = post(admin_client, task, cities=[xuchang.pk])
    assert "城市：许昌 不参与该项目所属的任务。" in response.content.decode()
    assert not Project.objects.exists()


def test_planned_investment_over_the_target_is_saved_with_a_warning(admin_client, task):
    Project.objects.create(task=task, name="一期", annual_investment=80)
    response = post(admin_client, task, annual_investment="30")
    assert Project.objects.count() == 2
    assert "任务 1.1 的重点项目年度计划投资合计 110 亿元，超过任务年度目标 100 亿元。" in (
        response.content.decode()
    )


def test_a_reporter_lists_only_projects_in_her_city(client, django_user_model, task, kaifeng):
    zhengzhou = task.cities.get(slug="zhengzhou")
    for name, cities in [("郑州工程", [zhengzhou]), ("郑开工程", [zhengzhou, kaifeng])]:
        Project.objects.create(task=task, name=name).cities.set(cities)
    user = django_user_model.objects.create_user("kf", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=kaifeng)
    client.force_login(user)
    html = client.get("/admin/tasks/project/").content.decode()
    assert "郑开工程" in html
    assert "郑州工程" not in html
