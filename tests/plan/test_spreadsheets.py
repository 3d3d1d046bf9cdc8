"""The Sheet writer's shared styles: each made once and copied to its cells, a cell restyled
afterwards changing alone, and a style object never lending its style to another."""

import io
from decimal import Decimal

import openpyxl
from openpyxl import Workbook
from openpyxl.styles import Alignment

from plan.spreadsheets import GRID, WARNING_FILL, WRAP, Sheet


def written(book: Workbook):
    out = io.BytesIO()
    book.save(out)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]


def test_cells_of_one_style_share_it_and_a_cell_restyled_afterwards_changes_alone():
    book = Workbook(write_only=True)
    sheet = Sheet(book, "表", ["甲", "乙"], [10, 10])
    sheet.start_table()
    first, second = (sheet.cell(text, fill=WARNING_FILL) for text in ("一", "二"))
    second.alignment = WRAP
    sheet.append([first, second])
    sheet.append([sheet.cell("三", fill=WARNING_FILL), sheet.amount(Decimal("1.5"))])
    table = written(book)
    fills = [cell.fill.fgColor.rgb for cell in (table["A2"], table["B2"], table["A3"])]
    assert fills == ["00FFF4CE"] * 3
    assert [bool(table[name].alignment.wrap_text) for name in ("A2", "B2", "A3")] == [
        False,
        True,
        False,
    ]
    assert (table["B3"].value, table["B3"].number_format, table["B3"].fill.fill_type) == (
        1.5,
        "0.00",
        None,
    )


def test_a_new_alignment_for_each_cell_gives_each_cell_its_own():
    book = Workbook(write_only=True)
    sheet = Sheet(book, "表", ["甲"], [10])
    sheet.start_table()
    sides = ["left", "center", "right"] * 40
    for side in sides:
        # Made and dropped cell by cell: a style known by an object's identity must not pass
        # to the next object Python makes at the same address.
        sheet.append([sheet.cell(side, alignment=Alignment(horizontal=side))])
    table = written(book)
    assert [row[0].alignment.horizontal for row in table.iter_rows(min_row=2)] == sides


def test_a_framed_tables_cells_are_framed_at_the_top_and_keep_their_own_styles():
    book = Workbook(write_only=True)
    sheet = Sheet(book, "表", ["甲", "乙", "丙"], [10, 10, 10], bordered=True)
    sheet.start_table()
    sheet.append([sheet.wrapped("一"), sheet.amount(None)])
    table = written(book)
    row = [table[name] for name in ("A2", "B2", "C2")]
    assert [cell.border == GRID for cell in row] == [True, True, True]
    assert [cell.alignment.vertical for cell in row] == ["top"] * 3
    assert [cell.alignment.horizontal for cell in row] == [None, "center", None]
    assert [bool(cell.alignment.wrap_text) for cell in row] == [True, False, False]
    assert (row[1].value, row[1].number_format) == ("未公布", "0.00")
