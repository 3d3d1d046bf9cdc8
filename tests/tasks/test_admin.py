import re
from decimal import Decimal

import pytest

from investment.models import ProgressReport
from tasks.models import CityAllocation, Task


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def test_task_list_shows_how_many_tasks_the_source_lists(office_client, plan_2021):
    html = office_client.get("/admin/tasks/task/").content.decode()
    assert "2021 年：资料列出 23 项任务中的 22 项。" in html
    assert "缺少的任务可在此添加。" in html
    assert "打造轨道上的郑州都市圈" in html


def test_plan_list_shows_coverage(office_client, plan_2021):
    html = office_client.get("/admin/plan/plan/").content.decode()
    assert "7 个中的 6 个" in html
    assert "23 项中的 22 项" in html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/admin/plan/city/", "许昌"),
        ("/admin/plan/corridor/", "郑州、开封、许昌"),
        ("/admin/plan/focusarea/", "品质宜居"),
        ("/admin/tasks/milestone/", "新开工建设许昌省级湿地公园"),
        ("/admin/tasks/project/", "贾鲁河综合治理郑州段工程"),
        ("/admin/plan/unit/", "责任单位"),
        ("/admin/tasks/cityallocation/", "城市分配"),
        ("/admin/investment/progressreport/", "季度填报"),
    ],
)
def test_admin_lists_render_in_chinese(office_client, plan_2021, url, expected):
    response = office_client.get(url)
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_task_change_page_shows_allocations_and_milestones_inline(office_client, plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("2.2").get()
    html = office_client.get(f"/admin/tasks/task/{task.pk}/change/").content.decode()
    assert "编制出台郑州都市圈轨道交通线网规划" in html
    assert "郑州南站主体工程" in html
    assert "城市分配" in html


def test_allocation_over_the_target_in_the_admin_changes_nothing(office_client, plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("6.1").get()  # 15 亿元
    zhengzhou = task.cities.get(slug="zhengzhou")
    response = office_client.post(
        "/admin/tasks/cityallocation/add/",
        {"task": task.pk, "city": zhengzhou.pk, "amount": "15.5"},
    )
    assert response.status_code == 200
    assert "各城市分配合计将达 15.5 亿元，超过任务年度目标 15 亿元。" in response.content.decode()
    assert not CityAllocation.objects.exists()


def add_report(client, plan, amount: str):
    task = Task.objects.of_plan(plan).by_code("2.2").get()
    return client.post(
        "/admin/investment/progressreport/add/",
        {
            "task": task.pk,
            "city": task.cities.get(slug="kaifeng").pk,
            "year": 2021,
            "quarter": 1,
            "amount": amount,
            "status": "draft",
        },
    )


def test_report_with_a_negative_amount_in_the_admin_changes_nothing(office_client, plan_2021):
    response = add_report(office_client, plan_2021, "-3")
    assert "本季度完成投资(亿元)不能为负数。" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_report_saved_in_the_admin_records_who(office_client, office, plan_2021):
    response = add_report(office_client, plan_2021, "3.25")
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.amount, report.created_by, report.updated_by) == (
        Decimal("3.25"),
        office,
        office,
    )


def inline_post(task, rows: list[tuple[int, str]]) -> dict:
    """The task change form as the admin posts it, with new allocation rows."""
    data = {
        "area": task.area_id,
        "number": task.number,
        "title": task.title,
        "title_en": task.title_en,
        "target": str(task.target),
        "description": task.description,
        "source_note": task.source_note,
        "cities": [city.pk for city in task.cities.all()],
        "allocations-TOTAL_FORMS": len(rows),
        "allocations-INITIAL_FORMS": 0,
        "milestones-TOTAL_FORMS": 0,
        "milestones-INITIAL_FORMS": 0,
    }
    for index, (city, amount) in enumerate(rows):
        data[f"allocations-{index}-city"] = city
        data[f"allocations-{index}-amount"] = amount
    return data


def test_allocations_added_together_over_the_target_are_refused(office_client, plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("6.4").get()  # 40 亿元, Zhengzhou and Kaifeng
    zhengzhou, kaifeng = task.cities.all()
    response = office_client.post(
        f"/admin/tasks/task/{task.pk}/change/",
        inline_post(task, [(zhengzhou.pk, "25"), (kaifeng.pk, "20")]),
    )
    assert response.status_code == 200
    assert "各城市分配合计将达 45 亿元，超过任务年度目标 40 亿元。" in response.content.decode()
    assert not CityAllocation.objects.exists()


def test_allocations_added_together_within_the_target_are_saved(office_client, plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("6.4").get()
    zhengzhou, kaifeng = task.cities.all()
    response = office_client.post(
        f"/admin/tasks/task/{task.pk}/change/",
        inline_post(task, [(zhengzhou.pk, "25"), (kaifeng.pk, "15")]),
    )
    assert response.status_code == 302
    assert sorted(task.allocations.values_list("amount", flat=True)) == [
        Decimal("15"),
        Decimal("25"),
    ]


def test_a_new_task_is_added_before_its_allocations_and_milestones(office_client, plan_2021):
    html = office_client.get("/admin/tasks/task/add/").content.decode()
    assert 'name="title"' in html
    assert "allocations-TOTAL_FORMS" not in html
    assert "milestones-TOTAL_FORMS" not in html


def change_cities(client, task, cities) -> str:
    data = inline_post(task, [])
    data["cities"] = [city.pk for city in cities]
    data["milestones-INITIAL_FORMS"] = data["milestones-TOTAL_FORMS"] = task.milestones.count()
    for index, milestone in enumerate(task.milestones.all()):
        data[f"milestones-{index}-id"] = milestone.pk
        data[f"milestones-{index}-task"] = task.pk
        data[f"milestones-{index}-name"] = milestone.name
        data[f"milestones-{index}-kind"] = milestone.kind
        data[f"milestones-{index}-status"] = milestone.status
    response = client.post(f"/admin/tasks/task/{task.pk}/change/", data)
    return response


def test_a_city_with_an_allocation_cannot_leave_the_task(office_client, plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("6.4").get()
    zhengzhou, kaifeng = task.cities.all()
    CityAllocation.objects.create(task=task, city=kaifeng, amount=Decimal("10"))
    response = change_cities(office_client, task, [zhengzhou])
    assert "开封 在本任务中仍有城市分配，不能移出本任务。" in response.content.decode()
    assert list(task.cities.all()) == [zhengzhou, kaifeng]


def test_a_city_with_reports_cannot_leave_the_task(office_client, plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("6.4").get()
    zhengzhou, kaifeng = task.cities.all()
    ProgressReport.objects.create(
        task=task, city=kaifeng, year=2021, quarter=1, amount=Decimal("1")
    )
    response = change_cities(office_client, task, [zhengzhou])
    assert "开封 在本任务中仍有季度填报，不能移出本任务。" in response.content.decode()
    assert task.cities.count() == 2


def test_a_city_with_nothing_recorded_can_leave_the_task(office_client, plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("6.4").get()
    zhengzhou, _kaifeng = task.cities.all()
    assert change_cities(office_client, task, [zhengzhou]).status_code == 302
    assert list(task.cities.all()) == [zhengzhou]


def test_sample_allocations_cannot_be_edited(office_client, plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("6.4").get()
    zhengzhou = task.cities.get(slug="zhengzhou")
    sample = CityAllocation.objects.create(
        task=task, city=zhengzhou, amount=Decimal("10"), is_sample=True
    )
    response = office_client.post(
        f"/admin/tasks/cityallocation/{sample.pk}/change/",
        {"task": task.pk, "city": zhengzhou.pk, "amount": "12"},
    )
    assert response.status_code == 403
    sample.refresh_from_db()
    assert sample.amount == Decimal("10")


def test_sample_allocations_cannot_be_edited_inline_either(office_client, plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("6.4").get()
    zhengzhou = task.cities.get(slug="zhengzhou")
    sample = CityAllocation.objects.create(
        task=task, city=zhengzhou, amount=Decimal("10"), is_sample=True
    )
    data = inline_post(task, [(zhengzhou.pk, "12")])
    data["allocations-INITIAL_FORMS"] = 1
    data["allocations-0-id"] = sample.pk
    data["allocations-0-task"] = task.pk
    response = office_client.post(f"/admin/tasks/task/{task.pk}/change/", data)
    assert "示例数据不能修改" in response.content.decode()
    sample.refresh_from_db()
    assert sample.amount == Decimal("10")


def test_cities_cannot_be_deleted(office_client, plan_2021):
    city = task_city = Task.objects.of_plan(plan_2021).by_code("6.4").get().cities.first()
    assert (
        office_client.post(f"/admin/plan/city/{city.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert task_city.tasks.count() == 22


def test_the_year_of_a_plan_with_areas_is_read_only(office_client, plan_2021):
    html = office_client.get(f"/admin/plan/plan/{plan_2021.pk}/change/").content.decode()
    assert 'name="year"' not in html
    assert 'name="title"' in html


def test_the_admin_index_lists_the_projects_sections_before_accounts_and_axes(admin_client):
    html = admin_client.get("/admin/").content.decode()
    captions = re.findall(r"<caption>\s*<a [^>]*>([^<]+)</a>", html)
    assert captions[-2:] == ["Axes", "认证和授权"]
    assert {"工作要点", "投资进展"} <= set(captions[:-2])
