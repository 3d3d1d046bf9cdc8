"""The problem's admin page as a checker reads it: every id once, every field labelled by its
own form, every group of fields named (the world: conftest.py)."""

from collections import Counter

import lxml.html

from tests.problems.admin.helpers import PROBLEMS


def page(client, problem):
    response = client.get(f"{PROBLEMS}{problem.pk}/change/")
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def test_a_raised_problems_page_holds_each_id_once(office, raised):
    ids = Counter(page(office, raised).xpath("//@id"))

    assert [name for name, count in ids.items() if count > 1] == []


def test_the_assign_and_refuse_forms_each_label_their_own_reason(office, raised):
    html = page(office, raised)

    for step in ["assign", "refuse"]:
        form = html.xpath(f"//form[contains(@class, 'step-{step}')]")[0]
        label = form.xpath(".//label[@for]")[-1]
        textarea = form.xpath(".//textarea")[0]
        assert textarea.get("id") == f"id_{step}_text"
        assert label.get("for") == f"id_{step}_text"
        assert form.xpath(".//input[@name='seen_version']/@id") == [f"id_{step}_seen_version"]
    refusal = html.xpath("//label[@for='id_refuse_text']")
    assert [label.text for label in refusal] == ["不予受理原因:"]


def test_the_problems_fields_come_in_named_groups(office, assigned):
    html = page(office, assigned)

    headings = [
        html.get_element_by_id(fieldset.get("aria-labelledby")).text_content()
        for fieldset in html.xpath("//form[@id='problem_form']//fieldset")
    ]
    assert headings == ["问题", "交办", "记录"]
    assert html.xpath("//form[@id='problem_form']//fieldset[not(@aria-labelledby)]") == []


def test_a_step_posted_under_its_own_ids_is_still_read_by_its_names(office, raised, world):
    form = page(office, raised).xpath("//form[contains(@class, 'step-refuse')]")[0]

    names = sorted(form.xpath(".//*[@name]/@name"))
    assert names == ["csrfmiddlewaretoken", "seen_version", "text"]


def test_every_description_a_field_names_is_on_the_page(office, assigned):
    html = page(office, assigned)

    ids = set(html.xpath("//@id"))
    named = [
        ref
        for element in html.xpath("//*[@aria-describedby]")
        for ref in element.get("aria-describedby").split()
    ]
    assert "id_answer_photos_helptext" in named
    assert [ref for ref in named if ref not in ids] == []


def test_the_reassign_form_shows_the_deadline_as_a_date_input_reads_it(office, assigned):
    deadline = page(office, assigned).xpath("//form[contains(@class, 'step-assign')]//input")
    values = [i.get("value") for i in deadline if i.get("name") == "deadline"]

    assert values == [assigned.deadline.isoformat()]  # yyyy-mm-dd, or the browser shows none
