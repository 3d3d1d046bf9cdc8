"""A key project's national project code (GB/T 40058-2021): written in its five hyphenated parts
and stored so, folded from full-width or small letters; refused with its Chinese message when
malformed or another project's; kept by the project in every year's plan it is carried into.

The codes here are made up in the structure tasks/national_code.py cites; none is the
standard's Appendix A example, whose text was not at hand (nor is a check character tested:
its rule was not either)."""

import pytest
from django.core.exceptions import ValidationError

from tasks.editions import carry_over
from tasks.models import Project
from tasks.national_code import normalise
from tests.builders import make_project, make_world

pytestmark = pytest.mark.django_db

CODE = "2020-410100-48-01-012345"
FORMAT = (
    "项目代码：格式不正确，应为24位，分5段以“-”连接，如 XXXX-XXXXXX-XX-XX-XXXXXX（4位时间代码、"
    "6位地区代码、2位中央业务指导部门代码、2位项目类型代码、5位随机码和1位校验码，均为数字或"
    "大写字母）。"
)


def taken(code: str, name: str, year: int) -> str:
    return (
        f"项目代码：{code} 已是{year}年工作要点中“{name}”的项目代码。一个代码只属于一个项目，"
        "仅该项目结转到其他年度的工作要点时沿用。"
    )


@pytest.fixture
def world(zhengzhou, kaifeng):
    return make_world(zhengzhou, kaifeng)


@pytest.fixture
def project(world, zhengzhou):
    return make_project(world.rail, "郑开城际延长线", "complete", [zhengzhou])


def cleaned(project: Project, typed: str) -> str:
    project.national_code = typed
    project.full_clean()
    project.save()
    project.refresh_from_db()
    return project.national_code


def refused(project: Project, typed: str) -> dict[str, list[str]]:
    project.national_code = typed
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    return error.value.message_dict


def test_a_code_in_its_five_hyphenated_parts_is_stored_as_written(project):
    assert cleaned(project, CODE) == "2020-410100-48-01-012345"


@pytest.mark.parametrize(
    "typed",
    [
        # full-width, as a Chinese input method types it
        "２０２０－４１０１００－４８－０１－０１２３４５",
        "  2020-410100-48-01-012345 \n",  # pasted with the spaces around it
        "2020–410100–48–01–012345",  # en dashes, as Word makes hyphens
    ],
)
def test_a_code_typed_full_width_or_with_dashes_is_stored_in_its_one_form(project, typed):
    assert cleaned(project, typed) == "2020-410100-48-01-012345"


def test_small_letters_are_stored_as_capitals(project):
    assert cleaned(project, "2020-410100-48-01-01234x") == "2020-410100-48-01-01234X"
    assert normalise("ａｂ") == "AB"
    assert normalise("ß") == "ß"  # No code's letter: refused, never turned into SS.


@pytest.mark.parametrize(
    "typed",
    [
        "20204101004801012345",  # the 20 characters without the hyphens the 24 count
        "2020-410100-48-01-01234",  # 23 characters
        "2020-410100-48-01-0123456",  # 25
        "20204-10100-48-01-012345",  # 24, but parts of 5 and 5
        "2020/410100/48/01/012345",
        "2020-410100-48-01-01234#",
        "2020-410100-48-01-01234号",
        "2020-410100-48-01-012 45",
        "2020-410100-48-01-0123ß",
    ],
)
def test_a_malformed_code_is_refused_naming_the_field(project, typed):
    assert refused(project, typed) == {"national_code": [FORMAT]}
    project.refresh_from_db()
    assert project.national_code == ""


def test_a_control_character_is_refused_in_the_words_every_field_has_for_it(project):
    # A NUL byte PostgreSQL would not take, nor looked up: one message, not two.
    assert refused(project, "2020-410100-48-01-01234\x00") == {
        "national_code": [
            "项目代码含有控制字符（例如 Word 中 Shift+Enter 粘贴的换行符），请删除后重新保存。"
        ]
    }


def test_the_check_character_is_not_judged_without_a_cited_rule(project, world, zhengzhou):
    # §4.7's rule was not at hand: codes differing in the check character alone are both taken.
    other = make_project(world.rail, "郑开城际二期", "start", [zhengzhou])
    assert cleaned(project, "2020-410100-48-01-012345") == "2020-410100-48-01-012345"
    assert cleaned(other, "2020-410100-48-01-01234X") == "2020-410100-48-01-01234X"


def test_a_project_without_a_code_is_stored_empty_and_so_are_many(project, world, zhengzhou):
    other = make_project(world.rail, "郑开城际二期", "start", [zhengzhou])
    assert cleaned(project, "") == ""
    assert cleaned(other, "   ") == ""
    assert Project.objects.filter(national_code="").count() == 2


def test_another_projects_code_in_the_same_plan_is_refused(project, world, zhengzhou):
    cleaned(project, CODE)
    other = make_project(world.industry, "郑州南站", "complete", [zhengzhou])
    assert refused(other, "２０２０－４１０１００－４８－０１－０１２３４５") == {
        "national_code": [taken(CODE, "郑开城际延长线", 2021)]
    }
    assert Project.objects.filter(national_code=CODE).get() == project


def test_another_projects_code_of_another_year_is_refused(project, world, zhengzhou):
    cleaned(project, CODE)
    plan = carry_over(world.plan, 2022, [world.industry], [])
    stranger = make_project(plan.areas.get().tasks.get(), "郑州南站", "complete", [zhengzhou])
    assert refused(stranger, CODE) == {"national_code": [taken(CODE, "郑开城际延长线", 2021)]}


def test_the_project_carried_into_next_years_plan_keeps_its_code(project, world):
    cleaned(project, CODE)
    plan = carry_over(world.plan, 2022, [], [project])
    carried = Project.objects.of_plan(plan).get()
    assert (carried.predecessor, carried.national_code) == (project, CODE)
    carried.full_clean()  # Its own code, in another year: no other project's.
    project.full_clean()  # Nor is the carried project another's to the one it continues.


def test_every_later_edition_keeps_the_code_and_none_else_takes_it(project, world, zhengzhou):
    cleaned(project, CODE)
    plan_2022 = carry_over(world.plan, 2022, [], [project])
    edition_2022 = Project.objects.of_plan(plan_2022).get()
    plan_2023 = carry_over(plan_2022, 2023, [], [edition_2022])
    edition_2023 = Project.objects.of_plan(plan_2023).get()
    assert edition_2023.national_code == CODE
    for edition in (project, edition_2022, edition_2023):
        edition.full_clean()  # Two years apart, still one project.
    newcomer = make_project(edition_2023.task, "郑州南站", "complete", [zhengzhou])
    assert refused(newcomer, CODE) == {"national_code": [taken(CODE, "郑开城际延长线", 2021)]}


def test_a_project_newly_linked_to_last_years_keeps_its_code(project, world, zhengzhou):
    # Before it is saved: the predecessor it is given is what counts.
    cleaned(project, CODE)
    plan = carry_over(world.plan, 2022, [world.rail], [])
    later = Project(task=plan.areas.get().tasks.get(), name="郑开城际延长线", goal="advance")
    later.predecessor = project
    later.national_code = CODE
    later.full_clean()
    later.predecessor = None
    assert refused(later, CODE) == {"national_code": [taken(CODE, "郑开城际延长线", 2021)]}


# The admin.


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def post(client, project: Project, code: str):
    data = {
        "task": project.task_id,
        "name": project.name,
        "national_code": code,
        "goal": project.goal,
        "cities": [city.pk for city in project.cities.all()],
    }
    return client.post(f"/admin/tasks/project/{project.pk}/change/", data, follow=True)


def test_the_office_enters_a_code_in_the_admin_and_finds_the_project_by_it(office_client, project):
    # 24 characters once folded, 26 as typed: the form leaves the length to the model.
    response = post(office_client, project, " ２０２０－４１０１００－４８－０１－０１２３４ｘ ")
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.national_code == "2020-410100-48-01-01234X"
    assert project.history.first().national_code == "2020-410100-48-01-01234X"
    make_project(project.task, "郑开城际二期", "start")
    found = office_client.get("/admin/tasks/project/", {"q": "410100-48-01"}).context["cl"]
    assert [row.name for row in found.result_list] == ["郑开城际延长线"]


def test_a_malformed_or_taken_code_in_the_admin_saves_nothing(office_client, project, world):
    page = post(office_client, project, "20204101004801012345").content.decode()
    assert FORMAT in page
    make_project(world.industry, "郑州南站", "complete", national_code=CODE)
    page = post(office_client, project, CODE).content.decode()
    assert "项目代码：2020-410100-48-01-012345 已是2021年工作要点中" in page
    project.refresh_from_db()
    assert project.national_code == ""
