"""The plan's workbook as LibreOffice prints it: A4 pages, every figure readable."""

import re

import openpyxl
import pytest

from tests.printing.tools import run, to_pdf, tools

FIVE = "郑州、开封、新乡、焦作、许昌"


@pytest.fixture(autouse=True)
def signed_in(client, leader):
    client.force_login(leader)


@pytest.mark.soffice
def test_the_sample_worlds_workbook_prints_on_at_most_12_pages(client, sample_world, tmp_path):
    soffice, pdfinfo, pdftotext = tools("soffice", "pdfinfo", "pdftotext")
    book = tmp_path / "export.xlsx"
    book.write_bytes(b"".join(client.get("/2021/export.xlsx").streaming_content))
    title = openpyxl.load_workbook(book)["表式"]["A1"].value
    pdf = str(to_pdf(soffice, tmp_path, book) / "export.pdf")
    pages = int(re.search(r"^Pages:\s+(\d+)$", run(pdfinfo, pdf), re.MULTILINE).group(1))
    assert pages <= 12
    text = run(pdftotext, "-layout", pdf, "-")
    assert title.startswith("2021年郑州都市圈一体化发展工作要点推进情况表")
    assert title in text
    assert FIVE in text
