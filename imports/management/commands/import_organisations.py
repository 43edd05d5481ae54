"""`manage.py import_organisations FILE [--dry-run]`: organisations from CSV or XLSX (docs/import.md)."""

import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from imports.reader import ImportFileError, read_rows
from imports.report import report_csv
from imports.services import organisations_import

ISSUES_PRINTED = 30


class ProgressBar:
    """A bar redrawn in place with \\r on a terminal; elsewhere (a log file) a line every 5%."""

    def __init__(self, stream, width: int = 40):
        self.stream = stream
        self.width = width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_step = -1

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1
        if self.tty:
            filled = int(self.width * share)
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {share:4.0%}")
            if done >= total:
                self.stream.write("\n")
        else:
            step = int(share * 20)
            if step == self.last_step:
                return
            self.last_step = step
            self.stream.write(f"{done}/{total} rows ({share:.0%})\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Create or update organisations by INN from a CSV or XLSX file (Russian or English headers); "
        "invalid rows are reported with their row number, column and reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and report without writing")
        parser.add_argument("--report", type=Path, help="write the report of refused rows here (CSV)")
        parser.add_argument("--actor", help="e-mail of the person the audit log names as the author")
        parser.add_argument("--batch-size", type=int, default=settings.IMPORT_BATCH_SIZE)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, file: Path, dry_run: bool, report, actor, batch_size: int, no_progress: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        user = None
        if actor:
            user = get_user_model().objects.filter(email__iexact=actor).first()
            if user is None:
                raise CommandError(f"no user with the e-mail {actor}")
        started = time.monotonic()
        try:
            rows = read_rows(data)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        progress = None if no_progress else ProgressBar(getattr(self.stderr, "_out", sys.stderr))
        result = organisations_import(rows=rows, actor=user, dry_run=dry_run, batch_size=batch_size, progress=progress)
        elapsed = time.monotonic() - started
        summary = result.summary()
        label = "dry run, nothing written: " if dry_run else ""
        self.stdout.write(
            f"{label}{summary['total']} rows: {summary['created']} created, {summary['updated']} updated, "
            f"{summary['unchanged']} unchanged, {summary['invalid']} not imported, "
            f"{summary['memberships']} memberships created ({elapsed:.1f} s)"
        )
        issues = [issue.as_dict() for issue in result.issues]
        for issue in issues[:ISSUES_PRINTED]:
            self.stdout.write(
                f"row {issue['row']} ({issue['inn'] or '—'}) {issue['field'] or 'row'}: {issue['message']}"
            )
        if len(issues) > ISSUES_PRINTED:
            self.stdout.write(f"… and {len(issues) - ISSUES_PRINTED} more (--report FILE writes them all)")
        if report is not None:
            report.write_text(report_csv(issues), encoding="utf-8")
            self.stdout.write(f"report: {report}")
