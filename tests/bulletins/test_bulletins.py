"""The quarterly bulletin (调度通报): every number it states is the figures', the office issues a
closed quarter's bulletin once, and an issued bulletin never changes."""

import re
from dataclasses import replace
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import formats, translation
from django.utils.timezone import localtime
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from bulletins import files as bulletin_files
from bulletins.content import content, frozen, load
from bulletins.models import Bulletin
from figures.rankings import Measure
from figures.rollups import Figures
from investment.models import ProgressReport, QuarterClose
from people.roles import OFFICE
from plan.money import yi
from tests.builders import make_member
from tests.worlds import grow

NUMBER = re.compile(r"\d+(?:\.\d+)?")
ADD = "/admin/bulletins/bulletin/add/"


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def one(value: Decimal) -> str:
    return f"{value:.1f}"


@pytest.fixture
def office_staff(db):
    return make_member("bulletin-office", OFFICE)


def draft(client, plan, quarter: int, next_steps: str = "压茬推进重点项目建设。"):
    data = {"plan": plan.pk, "quarter": quarter, "next_steps": next_steps}
    return client.post(ADD, data, follow=True)


def change_data(bulletin: Bulletin, **changes) -> dict:
    """The draft's change form as posted from its page, as read now."""
    data = {
        "plan": bulletin.plan_id,
        "quarter": bulletin.quarter,
        "next_steps": bulletin.next_steps,
        "seen_version": bulletin.version,
    }
    return {**data, **changes}


def issue(client, plan, quarter: int, next_steps: str = "压茬推进重点项目建设。", **extra):
    data = {"plan": plan.pk, "quarter": quarter, "next_steps": next_steps, "_issue": "1", **extra}
    return client.post(ADD, data, follow=True)


def test_each_number_of_the_q3_bulletin_is_one_the_figures_give(sample_world):
    figures = Figures(sample_world, 3)
    found = content(figures)
    total = figures.total().progress
    with translation.override("zh-hans"):
        overall = found.overall.sentences()
        assert overall[0] == (
            f"截至2021年第3季度末，各项任务累计完成投资{yi(total.completed)}亿元，"
            f"占年度目标{yi(total.target)}亿元的{one(total.percent)}%，"
            f"落后时间进度{one(-total.gap)}个百分点。"
        )
        tasks = figures.tasks()
        pace = {value: sum(row.progress.pace == value for row in tasks) for value in
                ("on_track", "at_risk", "behind", "no_target")}  # fmt: skip
        assert numbers(overall[-1]) == [str(len(tasks)), *map(str, pace.values())]

        ranked = figures.rankings()
        for line in found.cities:
            row = next(r for r in ranked.rows if r.city.slug == line.slug)
            progress, projects, problems = row.progress, row.projects, row.problems
            expected = [yi(progress.completed), yi(progress.target), one(progress.percent)]
            expected += [one(abs(progress.gap)), str(row.completion.rank)]
            if row.completion.change:
                expected.append(str(abs(row.completion.change)))
            expected += [str(projects.to_start), str(projects.started)]
            expected += [str(projects.to_complete), str(projects.completed)]
            if problems.raised:
                expected += [str(problems.raised), str(problems.open), str(problems.overdue)]
            assert numbers(line.sentence(3)) == expected, line.slug
        # Ranked by completion, the best first.
        assert [line.slug for line in found.cities] == [
            row.city.slug for row in ranked.ordered(Measure.COMPLETION)
        ]

        for line, row in zip(found.areas, figures.areas(), strict=True):
            if row.progress.target is None:
                assert numbers(line.sentence()) == [yi(row.progress.completed)]
            else:
                progress = row.progress
                assert numbers(line.sentence()) == [
                    yi(progress.completed), yi(progress.target), one(progress.percent),
                    one(abs(progress.gap)),
                ]  # fmt: skip

        counts = figures.projects()
        assert numbers(found.projects.sentence()) == [
            str(figures.project_set().count()),
            str(counts.to_start), str(counts.started), one(counts.start_rate),
            str(counts.to_complete), str(counts.completed), one(counts.complete_rate),
        ]  # fmt: skip

        problems = figures.problems()
        day = formats.date_format(problems.day, "DATE_FORMAT")
        assert found.problems.sentence() == (
            f"截至{day}，各地共反映问题{problems.raised}个，已办结{problems.closed}个，"
            f"按期办结率{one(problems.rate)}%，尚未办结{problems.open}个，"
            f"其中逾期{problems.overdue}个、逾期超过30天{problems.red}个。"
        )
    assert found.overall.amounts.completed == total.completed


def test_the_sample_q3_bulletin_reads_as_the_office_would_write_it(sample_world):
    with translation.override("zh-hans"):
        text = content(Figures(sample_world, 3))
        first_city = text.cities[0].sentence(3)
    assert first_city.startswith("郑州累计完成投资291.34亿元，占分配任务494.46亿元的58.9%，")
    assert "完成率居第1位，较上季度上升1位" in first_city
    assert first_city.endswith("。")
    assert text.projects.not_completed == ["郑济高铁郑州至濮阳段"]
    # The units with open problems, those longest overdue first; not yet assigned ones too.
    units = [(unit.display_name, unit.open, unit.overdue, unit.red) for unit in text.problems.units]
    assert units[0] == ("示例：自然资源部门", 2, 2, 2)
    assert ("待交办", 1, 0, 0) in units


def test_a_frozen_bulletin_reads_back_as_it_was_issued(sample_world):
    found = content(Figures(sample_world, 2), "第一段。\n第二段。")
    assert load(frozen(found)) == found
    assert load(frozen(found)).next_steps_paragraphs == ["第一段。", "第二段。"]


def test_the_office_is_offered_to_write_the_next_steps_until_the_bulletin_is_issued(
    client, sample_world, office_staff, leader
):
    client.force_login(office_staff)
    preview = client.get("/2021/bulletin/?as_of=2021Q3").content.decode()
    assert "填写下步工作并印发" in preview
    assert "/admin/bulletins/bulletin/add/?plan=" in preview
    QuarterClose.close(sample_world, 3, office_staff)
    issue(client, sample_world, 3)
    assert "填写下步工作并印发" not in client.get("/2021/bulletin/?as_of=2021Q3").content.decode()


def test_the_office_issues_a_closed_quarter_once_and_later_corrections_leave_it(
    client, sample_world, office_staff
):
    QuarterClose.close(sample_world, 3, office_staff)
    client.force_login(office_staff)
    response = issue(client, sample_world, 3)
    bulletin = Bulletin.objects.get()
    assert (bulletin.status, bulletin.number) == ("issued", 1)
    assert "2021年第3季度调度通报已印发，为第1期。" in response.content.decode()
    page = client.get("/2021/bulletin/?as_of=2021Q3").content.decode()
    assert "第1期" in page and "压茬推进重点项目建设。" in page
    assert "数据已有修订" not in page

    again = issue(client, sample_world, 3)
    assert "这个季度已有调度通报。" in again.content.decode()
    assert Bulletin.objects.count() == 1
    # Nor can the issued one be changed, its 下步工作 included.
    client.post(f"/admin/bulletins/bulletin/{bulletin.pk}/change/", {"next_steps": "改"})
    bulletin.refresh_from_db()
    assert bulletin.next_steps == "压茬推进重点项目建设。"

    report = ProgressReport.objects.filter(quarter=3).counted().first()
    ProgressReport.objects.filter(pk=report.pk).update(amount=report.amount + 100)
    revised = client.get("/2021/bulletin/?as_of=2021Q3").content.decode()
    assert "本期通报印发后，相关数据已有修订" in revised
    frozen_total = yi(load(bulletin.content).overall.amounts.completed)
    assert f"累计完成投资{frozen_total}亿元" in revised


def test_a_bulletin_for_a_quarter_not_closed_is_refused_and_nothing_is_saved(
    client, sample_world, office_staff
):
    client.force_login(office_staff)
    response = issue(client, sample_world, 2)
    assert "2021年第2季度尚未锁定：请先锁定该季度，再印发调度通报。" in response.content.decode()
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize(
    ("next_steps", "message"),
    [
        ("加快\x0b推进", "下步工作含有控制字符"),
        ("加快\ufffe推进", "下步工作含有控制字符"),
        ("字" * 5001, "下步工作最多 5000 个字符（现有 5001 个）。"),
        ("一\n" * 201, "下步工作最多 200 行（现有 201 行）。"),
    ],
)
def test_next_steps_with_a_control_character_or_too_long_are_refused(
    client, sample_world, office_staff, next_steps, message
):
    client.force_login(office_staff)
    response = issue(client, sample_world, 3, next_steps)
    assert message in response.content.decode()
    assert not Bulletin.objects.exists()


def test_a_leader_reads_only_issued_bulletins(client, sample_world, leader, office_staff):
    client.force_login(leader)
    response = client.get("/2021/bulletin/?as_of=2021Q3")
    assert response.status_code == 404
    assert "办公室尚未印发本季度的调度通报。" in response.content.decode()
    Bulletin.objects.create(plan=sample_world, quarter=3, next_steps="草稿，不给领导看。")
    assert "草稿" not in client.get("/2021/bulletin/?as_of=2021Q3").content.decode()
    assert "第1期" not in client.get("/2021/bulletins/").content.decode()

    bulletin = Bulletin.objects.get()
    QuarterClose.close(sample_world, 3, office_staff)
    bulletin.issue(office_staff, frozen(content(Figures(sample_world, 3), "草稿，不给领导看。")))
    assert "第1期" in client.get("/2021/bulletins/").content.decode()
    assert "草稿，不给领导看。" in client.get("/2021/bulletin/?as_of=2021Q3").content.decode()


def test_an_as_of_outside_the_plan_is_a_404_that_says_so(client, sample_world, leader):
    client.force_login(leader)
    response = client.get("/2021/bulletin/?as_of=2021Q5")
    assert response.status_code == 404
    assert "“2021Q5”不是2021年工作要点的季度" in response.content.decode()


def test_the_bulletin_is_in_english_for_an_english_reader(client, sample_world, office_staff):
    client.force_login(office_staff)
    client.cookies["django_language"] = "en"
    page = client.get("/2021/bulletin/?as_of=2021Q3").content.decode()
    assert "Preview: not yet issued" in page
    assert "Zhengzhou completed 291.34 of its allocation of 494.46 (100 million yuan)" in page
    assert '<span lang="zh-Hans">郑济高铁郑州至濮阳段</span>' in page


def test_the_word_bulletin_is_a4_in_fangsong_with_the_ranking_table(
    client, sample_world, office_staff
):
    client.force_login(office_staff)
    response = client.get("/2021/bulletin/bulletin.docx?as_of=2021Q3")
    document = Document(BytesIO(b"".join(response.streaming_content)))
    section = document.sections[0]
    # Word keeps twentieths of a point: A4 to within a fraction of a millimetre.
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋"
    ranking = document.tables[0]
    header = [cell.text for cell in ranking.rows[0].cells]
    assert header[:3] == ["位次", "城市", "完成投资（亿元）"]
    cities = [row.cells[1].text for row in ranking.rows[1:]]
    assert cities == ["郑州", "新乡", "开封", "许昌", "焦作"]
    assert "PAGE" in section.footer.paragraphs[0]._p.xml
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "一、总体情况" in text and "六、下步工作" in text


def test_the_word_bulletin_reads_as_an_offices_document(client, sample_world, office_staff):
    client.force_login(office_staff)
    response = client.get("/2021/bulletin/bulletin.docx?as_of=2021Q3")
    document = Document(BytesIO(b"".join(response.streaming_content)))
    texts = [paragraph.text for paragraph in document.paragraphs]
    # The title breaks only between the plan's name and the quarter.
    assert "《2021年郑州都市圈一体化发展工作要点》落实情况\n（2021年第3季度）" in texts
    # Each table has its caption above it, kept with it; no row splits; figures at the right.
    assert "第3季度末各市完成率排名" in texts
    ranking = document.tables[0]
    assert [cell.text for cell in ranking.rows[0].cells][-2:] == ["办结率（%）", "未办结问题（个）"]
    assert all("<w:cantSplit/>" in row._tr.xml for row in ranking.rows)
    assert ranking.rows[1].cells[2].paragraphs[0].alignment == 2  # right
    assert any(text.startswith("注：完成率 = 累计完成投资 ÷ 分配金额") for text in texts)
    assert "办结率 = 按期销号 ÷ 截至季度末到期应办结" in next(
        t for t in texts if t.startswith("注：")
    )
    # 发文机关署名, 成文日期 (still to come on a preview) and the 版记's 印发 line, ruled.
    at = texts.index("郑州都市圈办公室")
    assert texts[at + 1] == "（成文日期于印发时填写）"
    assert texts[-1] == "郑州都市圈办公室\t未印发"
    assert "<w:pBdr>" in document.paragraphs[-1]._p.xml


def test_the_bulletin_says_whom_it_goes_to_as_the_settings_say(
    client, sample_world, office_staff, settings
):
    settings.BULLETIN_ISSUER = "郑州都市圈建设办公室"
    settings.BULLETIN_TO = "各市人民政府"
    settings.BULLETIN_CC = "省发展改革委"
    client.force_login(office_staff)
    page = client.get("/2021/bulletin/?as_of=2021Q3").content.decode()
    assert '<p>主送：<span lang="zh-Hans">各市人民政府</span></p>' in page
    assert '<p>抄送：<span lang="zh-Hans">省发展改革委</span></p>' in page
    assert (
        '<p class="bulletin-printed"><span lang="zh-Hans">郑州都市圈建设办公室</span>'
        "<span>未印发</span></p>"
    ) in page
    assert '<th scope="col">未办结问题（个）</th>' in page


def test_an_issued_bulletin_keeps_the_letterhead_it_was_issued_with(
    client, sample_world, office_staff, settings
):
    settings.BULLETIN_TO = "各市人民政府"
    QuarterClose.close(sample_world, 3, office_staff)
    client.force_login(office_staff)
    issue(client, sample_world, 3)
    settings.BULLETIN_TO = "另一个机关"
    page = client.get("/2021/bulletin/?as_of=2021Q3").content.decode()
    # The day in the site's time zone, as the page gives it (UTC's day differs by evening).
    day = formats.date_format(localtime(Bulletin.objects.get().issued_at), "DATE_FORMAT")
    assert "各市人民政府" in page and "另一个机关" not in page
    assert f"<span>{day}印发</span>" in page
    assert "已修订" not in page  # A new letterhead is no revision of the figures.


def test_the_bulletin_page_queries_do_not_grow_with_the_world(client, office_staff):
    client.force_login(office_staff)

    def measured(size: int) -> tuple[int, int]:
        with transaction.atomic():
            grow(size)
            counts = []
            for url in ("/2021/bulletin/?as_of=2021Q3", "/2021/bulletins/"):
                client.get(url)
                with CaptureQueriesContext(connection) as captured:
                    assert client.get(url).status_code == 200
                counts.append(len(captured))
            transaction.set_rollback(True)
        return tuple(counts)

    assert measured(2) == measured(4)


def test_the_english_bulletin_counts_one_as_one(sample_world):
    figures = Figures(sample_world, 3)
    found = content(figures)
    one = replace(found.cities[0], raised=1, open=1, overdue=0, to_start=1, started=1)
    with translation.override("en"):
        text = one.sentence(3)
    assert "1 of its 1 key project to start has started" in text
    assert "it has raised 1 problem, 1 still open" in text


def test_cities_sharing_a_rank_are_said_to_be_tied(sample_world):
    found = content(Figures(sample_world, 3))
    tied = replace(found.cities[1], tied=True)
    with translation.override("zh-hans"):
        assert "完成率并列第2位" in tied.sentence(3)
        assert "并列" not in found.cities[1].sentence(3)


def test_a_line_break_counts_once_against_the_limit_of_next_steps(
    client, sample_world, office_staff
):
    QuarterClose.close(sample_world, 3, office_staff)
    client.force_login(office_staff)
    issue(client, sample_world, 3, "字" * 2499 + "\r\n" + "字" * 2500)
    assert Bulletin.objects.get().next_steps == "字" * 2499 + "\n" + "字" * 2500


def test_an_issued_bulletin_s_pdf_is_made_once_for_its_readers(
    client, sample_world, office_staff, monkeypatch, settings
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    QuarterClose.close(sample_world, 3, office_staff)
    bulletin = Bulletin.objects.create(plan=sample_world, quarter=3, next_steps="推进。")
    bulletin.issue(office_staff, frozen(content(Figures(sample_world, 3), "推进。")))
    made = []
    monkeypatch.setattr(bulletin_files, "pdf", lambda *args: made.append(args) or b"%PDF-1.7")
    client.force_login(office_staff)
    for _ in range(3):
        response = client.get("/2021/bulletin/bulletin.pdf?as_of=2021Q3")
        assert b"".join(response.streaming_content) == b"%PDF-1.7"
    assert len(made) == 1


@pytest.mark.skipif(not connection.features.has_select_for_update, reason="SQLite locks no row")
def test_adding_a_bulletin_waits_for_another_being_added_to_the_plan(
    client, sample_world, office_staff
):
    client.force_login(office_staff)
    with CaptureQueriesContext(connection) as captured:
        client.post(ADD, {"plan": sample_world.pk, "quarter": 2, "next_steps": "推进。"})
    locks = [q["sql"] for q in captured if "FOR UPDATE" in q["sql"] and "plan_plan" in q["sql"]]
    assert len(locks) == 1
    assert Bulletin.objects.get().quarter == 2


def test_with_countersign_on_a_draft_is_issued_only_once_a_second_office_account_checked_it(
    client, sample_world, office_staff, settings
):
    settings.BULLETIN_COUNTERSIGN = True
    QuarterClose.close(sample_world, 3, office_staff)
    client.force_login(office_staff)
    refused = issue(client, sample_world, 3).content.decode()
    assert "核稿：本期通报须经另一位都市圈办公室人员核稿后方可印发" in refused
    assert not Bulletin.objects.exists()  # A refused issue saves nothing.
    draft(client, sample_world, 3)
    bulletin = Bulletin.objects.get()
    assert not bulletin.is_issued
    countersign = f"/admin/bulletins/bulletin/{bulletin.pk}/countersign/"
    # Its writer cannot check her own draft.
    seen = {"seen_version": bulletin.version}
    page = client.post(countersign, seen, follow=True).content.decode()
    assert "核稿：须由拟稿人以外的另一位办公室人员核稿。" in page
    colleague = make_member("colleague", OFFICE)
    client.force_login(colleague)
    page = client.post(countersign, seen, follow=True).content.decode()
    assert "已核稿：本稿可按现稿印发。" in page
    assert "colleague 已于" in page
    change = f"/admin/bulletins/bulletin/{bulletin.pk}/change/"
    bulletin.refresh_from_db()
    data = change_data(bulletin, _issue="1")
    client.force_login(office_staff)
    issued = client.post(change, data, follow=True).content.decode()
    assert "调度通报已印发，为第1期。" in issued
    assert Bulletin.objects.get().is_issued


def test_a_change_after_the_countersign_asks_for_a_new_one(
    client, sample_world, office_staff, settings
):
    settings.BULLETIN_COUNTERSIGN = True
    QuarterClose.close(sample_world, 3, office_staff)
    client.force_login(office_staff)
    draft(client, sample_world, 3)
    bulletin = Bulletin.objects.get()
    colleague = make_member("colleague", OFFICE)
    bulletin.countersign(colleague, bulletin.version)
    bulletin.refresh_from_db()
    data = change_data(bulletin, next_steps="改过的下步工作。", _issue="1")
    page = client.post(
        f"/admin/bulletins/bulletin/{bulletin.pk}/change/", data, follow=True
    ).content.decode()
    assert "核稿后下步工作有改动" in page
    assert not Bulletin.objects.get().is_issued


def test_countersign_is_a_post_of_the_offices_only(client, sample_world, office_staff):
    from people.roles import REPORTER

    QuarterClose.close(sample_world, 3, office_staff)
    client.force_login(office_staff)
    issue(client, sample_world, 3)
    bulletin = Bulletin.objects.get()
    countersign = f"/admin/bulletins/bulletin/{bulletin.pk}/countersign/"
    assert client.get(countersign).status_code == 404
    city = sample_world.areas.first().tasks.first().cities.first()
    client.force_login(make_member("reporter", REPORTER, city=city))
    client.post(countersign)
    assert Bulletin.objects.get().countersigned_by is None


def test_a_save_that_changes_nothing_does_not_make_its_saver_the_writer(
    client, sample_world, office_staff, settings
):
    settings.BULLETIN_COUNTERSIGN = True
    QuarterClose.close(sample_world, 3, office_staff)
    client.force_login(office_staff)
    draft(client, sample_world, 3)
    bulletin = Bulletin.objects.get()
    colleague = make_member("colleague", OFFICE)
    client.force_login(colleague)
    data = change_data(bulletin)
    client.post(f"/admin/bulletins/bulletin/{bulletin.pk}/change/", data)
    bulletin.refresh_from_db()
    assert bulletin.drafted_by == office_staff
    client.force_login(office_staff)
    countersign = f"/admin/bulletins/bulletin/{bulletin.pk}/countersign/"
    page = client.post(countersign, {"seen_version": bulletin.version}, follow=True)
    assert "核稿：须由拟稿人以外的另一位办公室人员核稿。" in page.content.decode()
    assert Bulletin.objects.get().countersigned_by is None


def test_a_countersign_from_a_page_read_before_a_change_is_refused(
    client, sample_world, office_staff, settings
):
    settings.BULLETIN_COUNTERSIGN = True
    QuarterClose.close(sample_world, 3, office_staff)
    client.force_login(office_staff)
    draft(client, sample_world, 3)
    bulletin = Bulletin.objects.get()
    read = bulletin.version
    data = change_data(bulletin, next_steps="后来改写的下步工作。")
    client.post(f"/admin/bulletins/bulletin/{bulletin.pk}/change/", data)
    client.force_login(make_member("colleague", OFFICE))
    countersign = f"/admin/bulletins/bulletin/{bulletin.pk}/countersign/"
    page = client.post(countersign, {"seen_version": read}, follow=True).content.decode()
    assert "核稿：您阅读期间稿件已被修改，请重新阅读后再核稿。" in page
    assert Bulletin.objects.get().countersigned_by is None


def test_an_issued_bulletin_with_no_issuer_keeps_its_empty_letterhead(
    client, sample_world, office_staff, settings
):
    settings.BULLETIN_ISSUER = settings.BULLETIN_TO = ""
    QuarterClose.close(sample_world, 3, office_staff)
    client.force_login(office_staff)
    issue(client, sample_world, 3)
    settings.BULLETIN_ISSUER, settings.BULLETIN_TO = "新的机关", "新的主送单位"
    page = client.get("/2021/bulletin/?as_of=2021Q3").content.decode()
    assert "新的机关" not in page and "新的主送单位" not in page
