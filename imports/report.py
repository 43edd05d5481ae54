"""The report of an import as CSV (UTF-8 with BOM and `;`, so Excel opens it with Cyrillic intact)."""

import csv
import io

from django.utils.translation import gettext as _

from .reader import COLUMNS


def column_label(name: str) -> str:
    """The column as the template names it: «ИНН (inn)»; the whole row when no column is to blame."""
    return f"{COLUMNS[name]} ({name})" if name in COLUMNS else _("whole row")


def report_csv(issues: list[dict]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Row"), _("INN"), _("Column"), _("Outcome"), _("Reason")])
    for issue in issues:
        outcome = _("imported, this part skipped") if issue.get("skipped") else _("not imported")
        writer.writerow([issue["row"], issue["inn"], column_label(issue["field"]), outcome, issue["message"]])
    return out.getvalue()
