"""The bulletin's Word and PDF files as LibreOffice opens and prints them."""

import pytest

from people.roles import OFFICE
from tests.builders import make_member
from tests.printing.tools import run, to_pdf, tools


@pytest.fixture
def office_staff(db):
    return make_member("bulletin-office", OFFICE)


@pytest.mark.soffice
def test_libreoffice_opens_the_word_and_pdf_bulletins_and_reads_their_text(
    client, sample_world, office_staff, tmp_path
):
    soffice, pdfinfo, pdftotext = tools("soffice", "pdfinfo", "pdftotext")
    client.force_login(office_staff)
    files = {"docx": tmp_path / "word.docx", "pdf": tmp_path / "print.pdf"}
    for kind, path in files.items():
        response = client.get(f"/2021/bulletin/bulletin.{kind}?as_of=2021Q3")
        path.write_bytes(b"".join(response.streaming_content))
    # Writer opens the Word file and Draw the PDF, and each prints it again. A file that needed
    # repair would stop the conversion.
    out = to_pdf(soffice, tmp_path, *files.values())
    for name in ("word", "print"):
        # pdftotext spaces Chinese from digits and breaks lines: compare without whitespace.
        text = "".join(run(pdftotext, str(out / f"{name}.pdf"), "-").split())
        assert "一、总体情况" in text and "六、下步工作" in text, name
        assert "郑州累计完成投资291.34亿元" in text, name
    assert "(A4)" in run(pdfinfo, str(files["pdf"]))
