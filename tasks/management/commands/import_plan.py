from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from plan.spreadsheets import FileRefused
from tasks.workbook import PlanWorkbook, summary


class Command(BaseCommand):
    help = (
        "Import a plan workbook: a plan of a new year is made a draft, a plan whose year exists "
        "is updated; every row, or none."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
        parser.add_argument("--user", help="whose import this is, in the history")

    def handle(self, *args, file: str, dry_run: bool, user: str | None, **options) -> None:
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(_("There is no user %(user)s.") % {"user": user})
        path = Path(file)
        try:
            workbook = PlanWorkbook(path.read_bytes(), file_name=path.name)
        except OSError as error:
            message = _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            raise CommandError(message) from error
        except FileRefused as error:
            raise CommandError(f"{file}: {error}") from error
        if not workbook.run(user=account, dry_run=dry_run):
            for error in workbook.errors:
                self.stderr.write(error)
            raise CommandError(
                _("%(count)d problems in the workbook; nothing was imported.")
                % {"count": len(workbook.errors)}
            )
        prefix = _("Dry run, nothing written: ") if dry_run else _("Imported: ")
        first, *others = summary(workbook)
        self.stdout.write(prefix + first)
        for line in others:
            self.stdout.write(line)
