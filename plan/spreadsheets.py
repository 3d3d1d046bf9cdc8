"""What every spreadsheet of the project shares: formula escaping and the admin's export formats.

Notes and titles are typed by people; a cell that starts like a formula must reach Excel as
text, or a note such as =HYPERLINK(...) would run when leadership opens the file.
"""

from import_export.formats.base_formats import CSV, XLSX
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@")


def cell_text(value: str) -> str:
    """A stored text as a cell may hold it: without the control characters openpyxl refuses
    (entry refuses them too, but a writer must never fail on what is already stored)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def escape_text(value: str) -> str:
    """A text a spreadsheet would read as a formula, made plain text (the OWASP way)."""
    value = cell_text(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


class EscapedXLSX(XLSX):
    """xlsx export that escapes formula cells only, so amounts stay numbers Excel can sum.

    IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT would turn every cell into text instead.
    """

    def export_data(self, dataset, **kwargs):
        # Control characters already stored (from before entry refused them) never fail it.
        for index, row in enumerate(dataset):
            dataset[index] = [cell_text(v) if isinstance(v, str) else v for v in row]
        return super().export_data(dataset, escape=True, **kwargs)


class EscapedCSV(CSV):
    """CSV export with a BOM (Excel then reads it as UTF-8) and formula-like texts escaped."""

    def export_data(self, dataset, **kwargs):
        for index, row in enumerate(dataset):
            dataset[index] = [escape_text(v) if isinstance(v, str) else v for v in row]
        return "\ufeff" + super().export_data(dataset, **kwargs)
