from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from investment.editions import NewEditionForm
from plan.models import Plan
from tasks.editions import carry_over
from tasks.models import Task


class Command(BaseCommand):
    help = (
        "新建下一年度工作要点: a draft plan for YEAR from the plan of --from, with its members, "
        "corridors, pace and deadline; by default the key projects not completed by then and "
        "their tasks carry over (--tasks and --projects choose otherwise)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--from", dest="source", type=int, required=True)
        parser.add_argument(
            "--tasks",
            default="proposed",
            help='task codes such as "1.1,2.3", or "proposed" (default), "all", "none"',
        )
        parser.add_argument(
            "--projects",
            default="proposed",
            help='project ids such as "12,15", or "proposed" (default), "all", "none"',
        )

    def handle(self, *args, year: int, source: int, tasks: str, projects: str, **options):
        plan = Plan.objects.filter(year=source).first()
        if plan is None:
            raise CommandError(_("There is no plan for %(year)d.") % {"year": source})
        form = NewEditionForm(plan, {"year": year})
        if not form.is_valid():
            raise CommandError(" ".join(form.errors["year"]))
        chosen_tasks = self.chosen(form, "tasks", tasks, self.task_codes)
        chosen_projects = self.chosen(form, "projects", projects, self.project_ids)
        try:
            new = carry_over(plan, year, chosen_tasks, chosen_projects)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            _(
                "Draft plan %(year)d made from %(source)d: %(members)d members, %(tasks)d tasks "
                "and %(projects)d key projects carried over. Nobody but the office sees it until "
                "it is issued."
            )
            % {
                "year": year,
                "source": source,
                "members": new.members.count(),
                "tasks": Task.objects.of_plan(new).count(),
                "projects": len(chosen_projects),
            }
        )

    def chosen(self, form: NewEditionForm, name: str, given: str, parse) -> list:
        rows = form.fields[name].queryset
        if given == "proposed":
            return list(rows.filter(pk__in=form.fields[name].initial))
        if given == "all":
            return list(rows)
        if given == "none":
            return []
        return parse(rows, given)

    def task_codes(self, rows, given: str) -> list:
        found = []
        for code in given.split(","):
            task = rows.by_code(code).first()
            if task is None:
                raise CommandError(
                    _("--tasks: %(code)s is not a task of the plan that can carry over.")
                    % {"code": code.strip()}
                )
            found.append(task)
        return found

    def project_ids(self, rows, given: str) -> list:
        ids = [part.strip() for part in given.split(",")]
        if not all(part.isdigit() and len(part) < 10 for part in ids):
            raise CommandError(_("--projects: give project ids such as 12,15."))
        found = list(rows.filter(pk__in=[int(part) for part in ids]))
        if len(found) != len(set(ids)):
            raise CommandError(
                _("--projects: some ids are not key projects of the plan that can carry over.")
            )
        return found
