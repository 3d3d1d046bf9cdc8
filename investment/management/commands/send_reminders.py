"""Email each city reporter whose city still owes figures for the open quarter.

Safe to run daily from cron: it only reads and sends, and says nothing to a city that is done.
The open quarter is the latest one that has ended and that the office has not closed.
"""

from datetime import date

from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from investment.coverage import ReportingCoverage, open_quarter, reporting_coverage
from plan.models import Plan, Reporter
from plan.roles import REPORTER


class Command(BaseCommand):
    help = "Remind city reporters of missing, draft and returned reports for the open quarter."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, help="The plan year (default: the latest).")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])

    def handle(self, *args, year: int | None, quarter: int | None, **options) -> None:
        plans = Plan.objects.filter(year=year) if year else Plan.objects.all()
        if not plans:
            raise CommandError(_("There is no plan for that year."))
        # Every plan with an open quarter: a new year's plan does not end the old one's Q4.
        due = [(plan, quarter or open_quarter(plan, date.today())) for plan in plans]
        due = [(plan, q) for plan, q in due if q is not None]
        if not due:
            self.stdout.write(_("No open quarter: nothing to remind."))
            return
        sent = sum(self.remind(plan, q) for plan, q in due)
        self.stdout.write(_("%(count)d reminders sent.") % {"count": sent})

    def remind(self, plan: Plan, quarter: int) -> int:
        reporters = Reporter.objects.filter(
            user__is_active=True, user__groups__name=REPORTER
        ).select_related("user", "city")
        coverage = reporting_coverage(plan, quarter)
        sent = 0
        for reporter in reporters:
            pending = coverage.pending(reporter.city)
            if not pending:
                continue
            if not reporter.user.email:
                self.stdout.write(
                    self.style.WARNING(
                        _("%(user)s has no email address; not reminded.") % {"user": reporter.user}
                    )
                )
                continue
            send_mail(
                _("Quarterly figures due: %(city)s, %(year)s Q%(quarter)s")
                % {"city": reporter.city.name, "year": plan.year, "quarter": quarter},
                self.body(reporter, pending, coverage),
                None,
                [reporter.user.email],
            )
            sent += 1
        return sent

    def body(self, reporter: Reporter, pending: list, coverage: ReportingCoverage) -> str:
        lines = [f"  {task.code} {task.title}" for task in pending]
        return "\n".join(
            [
                _("%(city)s still has these tasks missing, in draft or returned:")
                % {"city": reporter.city.name},
                *lines,
                "",
                _("Due by %(deadline)s.") % {"deadline": coverage.deadline.isoformat()},
            ]
        )
