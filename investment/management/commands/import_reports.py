from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from investment.imports import NEW, PROJECTS, SKIP, UPDATE, FileImport
from investment.tables import read_table
from plan.spreadsheets import FileRefused


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
            table = read_table(path.read_bytes())
        except OSError as error:
            message = _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            raise CommandError(message) from error
        except FileRefused as error:
            raise CommandError(f"{file}: {error}") from error
        if not account.has_perm("investment.add_progressreport"):
            raise CommandError(_("%(user)s may not import reports.") % {"user": user})
        rows = FileImport(table, user=account, file_name=path.name, reason=reason)
        if not rows.run(dry_run=dry_run):
            for error in rows.errors:
                self.stderr.write(error)
            for line in rows.failed:
                said = (
                    _("重点项目 sheet, row %(row)s: %(error)s") if line.sheet == PROJECTS else None
                )
                for error in line.errors:
                    words = {"row": line.number, "error": error}
                    self.stderr.write((said or _("Row %(row)s: %(error)s")) % words)
            count = len(rows.failed) or len(rows.errors)
            raise CommandError(_("%(count)d rows failed; nothing was imported.") % {"count": count})
        counts = rows.counts()
        summary = _("%(new)d new, %(update)d changed, %(skip)d unchanged or empty.") % {
            "new": counts[NEW],
            "update": counts[UPDATE],
            "skip": counts[SKIP],
        }
        prefix = _("Dry run, nothing written: ") if dry_run else _("Imported: ")
        self.stdout.write(prefix + summary)
