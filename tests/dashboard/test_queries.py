"""Every page and its workbook run as many queries for a small world as for one four times
its size: more areas, tasks, cities, corridor members, reports, key projects, their updates and
photos, the units that lead them, and the problems the cities raise."""

import pytest
from django.db import transaction

from investment.models import ProgressReport, ProjectUpdate
from plan.models import City, Unit
from tasks.models import Project, Task
from tests.worlds import grow, queries

PAGES = [
    "/2021/",
    "/2021/areas/1/",
    "/2021/cities/city-0/",
    "/2021/tasks/1.1/",
    "/2021/corridors/belt/",
]
# Pages without a workbook of their own; {unit} and {project} are the world's first ones.
PROJECT_PAGES = [
    "/2021/projects/",
    "/2021/projects/?task=1.1&unit={unit}&met=1&as_of=2021Q3",
    "/2021/projects/{project}/",
    "/2021/units/{unit}/",
    "/2021/rankings/",
    "/2021/rankings/?as_of=2021Q3&approved=1",
]


def counts(client) -> dict[str, int]:
    first = {"unit": Unit.objects.get().pk, "project": Project.objects.order_by("pk")[0].pk}
    return (
        {url: queries(client, url) for url in PAGES}
        | {f"{url}export.xlsx": queries(client, f"{url}export.xlsx") for url in PAGES}
        | {f"{url}reports.csv": queries(client, f"{url}reports.csv") for url in PAGES}
        | {url: queries(client, url.format(**first)) for url in PROJECT_PAGES}
    )


def measured(client, size: int) -> dict[str, int]:
    """The query counts in a world of `size`, which is gone afterwards."""
    with transaction.atomic():
        grow(size)
        assert ProgressReport.objects.count() == size * size * (size + 1) * 4
        counts(client)  # The first request of a process reads what Django then keeps.
        found = counts(client)
        transaction.set_rollback(True)
    return found


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_the_world(client, leader):
    client.force_login(leader)
    assert measured(client, 2) == measured(client, 4)


# The pages that list a few of their key projects and count them all.
PROJECT_DIGESTS = ["/2021/cities/city-0/", "/2021/tasks/1.1/"]


def crowd(count: int) -> None:
    """`count` more key projects on task 1.1 through the first city, each reporting a stage."""
    task = Task.objects.by_code("1.1").get()
    city = City.objects.get(slug="city-0")
    projects = Project.objects.bulk_create(
        Project(task=task, name=f"项目{n}", goal=("start", "advance")[n % 2]) for n in range(count)
    )
    Project.cities.through.objects.bulk_create(
        Project.cities.through(project=project, city=city) for project in projects
    )
    ProjectUpdate.objects.bulk_create(
        ProjectUpdate(
            project=project, city=city, year=2021, quarter=1, stage="preparation", status="approved"
        )
        for project in projects
    )


@pytest.mark.django_db
def test_the_city_and_task_pages_query_as_much_for_a_few_projects_as_for_many_more(client, leader):
    client.force_login(leader)

    def measured(count: int) -> tuple[dict[str, int], int]:
        """The pages' query counts with `count` more projects, and the rows the task's shows."""
        with transaction.atomic():
            grow(2)
            crowd(count)
            for url in PROJECT_DIGESTS:
                queries(client, url)  # The first request reads what Django then keeps.
            found = {url: queries(client, url) for url in PROJECT_DIGESTS}
            page = client.get("/2021/tasks/1.1/").content.decode()
            transaction.set_rollback(True)
        return found, page.count('<th scope="row"><a href="/2021/projects/')

    (few, rows_few), (many, rows_many) = measured(3), measured(40)
    # 1.1 has the world's own project and the new ones: all 4 shown, then 20 of 41.
    assert (rows_few, rows_many) == (4, 20)
    assert few == many
