"""Reading an organisation file: CSV (UTF-8, with or without BOM, `;` or `,`) or XLSX, Russian or English headers.

`read_rows(data)` answers a list of (row number, {column: text}) or raises `ImportFileError` with one
clear message: not a CSV/XLSX file, no header row, unknown or missing columns. Row numbers are the
spreadsheet's own: the header is row 1, the first organisation row 2.
"""

import csv
import io
import zipfile

from django.utils.translation import gettext_lazy as _

# The columns: the English header (the organisation form's field name, PRODUCT.md) and the Russian one.
COLUMNS = {
    "legal_form": "Правовая форма",
    "kind": "Вид организации",
    "inn": "ИНН",
    "ogrn": "ОГРН",
    "kpp": "КПП",
    "full_name": "Полное наименование",
    "short_name": "Краткое наименование",
    "region": "Регион",
    "city": "Город",
    "address": "Адрес",
    "website": "Сайт",
    "email": "Эл. почта",
    "phone": "Телефон",
    "size": "Категория",
    "directions": "Направления",
    "okved": "ОКВЭД",
    "description": "Компетенции",
    "associations": "Объединения",
}
REQUIRED = ("legal_form", "inn", "ogrn", "full_name", "short_name", "region", "city", "email")
# Other spellings a person may type in a Russian header.
ALIASES = {
    "огрн/огрнип": "ogrn",
    "огрнип": "ogrn",
    "огрн / огрнип": "ogrn",
    "электронная почта": "email",
    "e-mail": "email",
    "категория предприятия": "size",
    "технологические направления": "directions",
    "оквэд": "okved",
    "вид": "kind",
    "полное название": "full_name",
    "краткое название": "short_name",
    "код региона": "region",
}
# Identifier columns that a spreadsheet may hold as numbers: the width restores leading zeros.
NUMERIC_WIDTHS = {"inn": (10, 12), "kpp": (9,), "region": (2,), "ogrn": (13, 15)}
XLSX_MAGIC = b"PK\x03\x04"


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, for the person who sent it."""


def _key(header: str) -> str:
    return " ".join(str(header or "").replace("\ufeff", "").split()).casefold().replace("ё", "е")


HEADERS = {
    **{_key(name): name for name in COLUMNS},
    **{_key(ru): name for name, ru in COLUMNS.items()},
    **{_key(alias): name for alias, name in ALIASES.items()},
}


def _text(name: str, value) -> str:
    """A cell as text; a number in an identifier column gets its leading zeros back."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and name in NUMERIC_WIDTHS:
        digits = str(value)
        for width in NUMERIC_WIDTHS[name]:
            if len(digits) < width:
                return digits.zfill(width)
            if len(digits) == width:
                return digits
        return digits
    return str(value).strip()


def _columns(header: list) -> list[str | None]:
    names = [HEADERS.get(_key(cell)) for cell in header]
    unknown = [str(cell) for cell, name in zip(header, names) if name is None and _key(cell)]
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(columns)s. Use the template's headers, in Russian or in English.")
            % {"columns": ", ".join(unknown)}
        )
    seen = [n for n in names if n]
    repeated = sorted({n for n in seen if seen.count(n) > 1})
    if repeated:
        raise ImportFileError(_("Columns appear twice: %(columns)s.") % {"columns": ", ".join(repeated)})
    missing = [n for n in REQUIRED if n not in seen]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(COLUMNS[n] for n in missing)}
        )
    return names


def _rows(table, *, header_only: bool = False) -> list[tuple[int, dict]]:
    table = iter(table)
    header = next(table, None)
    if not header or not any(_key(cell) for cell in header):
        raise ImportFileError(_("The file has no header row."))
    names = _columns(list(header))
    rows = []
    if header_only:
        return rows
    for number, cells in enumerate(table, start=2):
        row = {name: _text(name, cell) for name, cell in zip(names, cells) if name}
        if any(row.values()):
            rows.append((number, row))
    return rows


def _xlsx(data: bytes, header_only: bool = False):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from exc
    try:
        return _rows(workbook.worksheets[0].iter_rows(values_only=True), header_only=header_only)
    finally:
        workbook.close()


def _csv(data: bytes, header_only: bool = False):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is neither XLSX nor CSV in UTF-8: save it as “CSV UTF-8”.")) from exc
    if "\x00" in text:
        raise ImportFileError(_("The file is neither XLSX nor CSV in UTF-8: save it as “CSV UTF-8”."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        return _rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), header_only=header_only)
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s.") % {"error": exc}) from exc


def read_rows(data: bytes, *, header_only: bool = False) -> list[tuple[int, dict]]:
    """The rows of an uploaded file, by its content (not its name); `header_only` checks the header alone."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        return _xlsx(data, header_only)
    return _csv(data, header_only)
