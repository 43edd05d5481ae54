"""Lists taken out as CSV or XLSX, streamed so that 100,000 rows never sit in memory at once.

A list declares its columns once, as `Column`s (a translated header and a function of one row);
its page hands the rows (a `values()` queryset, one query with its joins, read with
`.iterator(chunk_size=2000)`) to
`export_response`, which writes either format:

- **CSV**: UTF-8 with a byte-order mark and `;` between fields, so Excel in a Russian locale opens
  it with Cyrillic intact and in columns; written and sent a few hundred rows at a time.
- **XLSX**: openpyxl in write-only mode, which keeps only the current row in memory and writes the
  sheet to a temporary file; the finished workbook is then sent from that file in chunks (a zip
  file can only be finished once every row is in it, so sending starts after the last row).

Both are attachments named after the list and the day (`projects-2026-12-03.csv`), with
`Cache-Control: private, no-store`. Text that a spreadsheet would run as a formula (starting with
`=`, `+`, `-`, `@`) is kept as text: an apostrophe before it in CSV, a text cell in XLSX.
"""

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any

from django.db.models import Aggregate, CharField, QuerySet
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"
DELIMITER = ";"
CSV_BATCH = 500  # rows written per chunk of the response
FILE_CHUNK = 64 * 1024
ITERATOR_CHUNK = 2000  # rows fetched per round trip (`QuerySet.iterator(chunk_size=...)`)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31  # Excel's limit


@dataclass(frozen=True)
class Column:
    """One column of an export: its header (translated when the file is made) and its cell of a row."""

    header: Any
    value: Callable[[Any], Any]


class JoinedText(Aggregate):
    """The texts of a group joined with "; " (the directions of an organisation in one cell, one query):
    STRING_AGG in alphabetical order on PostgreSQL, GROUP_CONCAT on SQLite (in the order SQLite reads them)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, '; ' ORDER BY %(expressions)s)"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s, '; ')", **extra
        )


def in_language(row, field: str, language: str) -> str:
    """`row[field]` (Russian) or `row[field + "_en"]` in `language`, the other when it is empty — as
    `core.i18n.localized` does, with the language asked once per export instead of once per cell."""
    russian, english = row[field] or "", row[f"{field}_en"] or ""
    return (english or russian) if language == "en" else (russian or english)


def export_format(value: str | None) -> str:
    """The format a URL names, or 404 for any other."""
    if value not in FORMATS:
        raise Http404
    return value


def export_response(*, fmt: str, name: str, columns: list[Column], rows: Iterable) -> StreamingHttpResponse:
    """A streamed attachment of `rows` in `fmt` (CSV or XLSX) with `columns`.

    The headers are translated here, in the request's language; the rows are read only as the
    response is sent.
    """
    headers = [str(column.header) for column in columns]
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=ITERATOR_CHUNK)
    values = [column.value for column in columns]
    zone = timezone.get_current_timezone()  # once: asking for it per cell costs more than the rest of a row
    cells = ([cell_value(value(row), zone) for value in values] for row in rows)
    content = _csv_chunks(headers, cells) if fmt == CSV else _xlsx_chunks(headers, cells, title=name)
    response = StreamingHttpResponse(content, content_type=CONTENT_TYPES[fmt])
    filename = f"{name}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def cell_value(value, zone=None):
    """A value as a spreadsheet cell holds it: local time without a zone, text as text."""
    if type(value) is str:
        return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = value.astimezone(zone or timezone.get_current_timezone())
        return value.replace(tzinfo=None, microsecond=0)
    if value is None:
        return ""
    if isinstance(value, (int, float, date)):
        return value
    return str(value)


class _Line:
    """A file-like object that hands back what `csv.writer` writes to it."""

    def write(self, text: str) -> str:
        return text


def _csv_text(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _csv_chunks(headers: list[str], rows: Iterator[list]) -> Iterator[bytes]:
    writer = csv.writer(_Line(), delimiter=DELIMITER, lineterminator="\r\n")
    yield (BOM + writer.writerow(headers)).encode()
    while batch := list(islice(rows, CSV_BATCH)):
        yield "".join(writer.writerow([_csv_text(v) for v in row]) for row in batch).encode()


def _xlsx_chunks(headers: list[str], rows: Iterator[list], *, title: str) -> Iterator[bytes]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:SHEET_TITLE_MAX])
    sheet.append(headers)
    for row in rows:
        for i, value in enumerate(row):
            if isinstance(value, str) and value.startswith("="):
                # openpyxl would store it as a formula.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                row[i] = cell
        sheet.append(row)
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(FILE_CHUNK):
            yield chunk
