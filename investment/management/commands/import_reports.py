from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from import_export.results import RowResult

from investment.imports import FileRefused, read_table
from investment.resources import ProgressReportResource


class Command(BaseCommand):
    help = "Import quarterly figures from an .xlsx or .csv file: every row, or none."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="whose import this is (its rights apply)")
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
        parser.add_argument(
            "--reason", default="", help="the office's reason for correcting a closed quarter"
        )

    def handle(
        self, *args, file: str, user: str, dry_run: bool, reason: str = "", **options
    ) -> None:
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(_("There is no user %(user)s.") % {"user": user})
        path = Path(file)
        try:
            dataset = read_table(path.read_bytes())
        except OSError as error:
            message = _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            raise CommandError(message) from error
        except FileRefused as error:
            raise CommandError(f"{file}: {error}") from error
        if not account.has_perm("investment.add_progressreport"):
            raise CommandError(_("%(user)s may not import reports.") % {"user": user})
        resource = ProgressReportResource(user=account, file_name=path.name, reason=reason)
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=account,
            file_name=path.name,
        )
        failed = self.report(result, _("Row %(row)s: %(error)s"))
        if result.projects is not None:
            failed += self.report(result.projects, _("重点项目 sheet, row %(row)s: %(error)s"))
        if failed:
            raise CommandError(
                _("%(count)d rows failed; nothing was imported.") % {"count": failed}
            )
        totals = result.counts()
        summary = _("%(new)d new, %(update)d changed, %(skip)d unchanged or empty.") % {
            "new": totals[RowResult.IMPORT_TYPE_NEW],
            "update": totals[RowResult.IMPORT_TYPE_UPDATE],
            "skip": totals[RowResult.IMPORT_TYPE_SKIP],
        }
        prefix = _("Dry run, nothing written: ") if dry_run else _("Imported: ")
        self.stdout.write(prefix + summary)

    def report(self, result, line: str) -> int:
        """Each failing row with its reasons, as `line` says them; the number of failing rows."""
        for base in result.base_errors:
            self.stderr.write(str(base.error))
        for row in result.invalid_rows:
            for errors in row.error_dict.values():
                for error in errors:
                    self.stderr.write(line % {"row": row.number + 1, "error": error})
        for number, errors in result.row_errors():
            for error in errors:
                self.stderr.write(line % {"row": number + 1, "error": error.error})
        return len(result.invalid_rows) + len(result.row_errors()) + len(result.base_errors)
