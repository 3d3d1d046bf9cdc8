"""Email each city reporter whose city still owes figures for the open quarter; each unit's
contacts the problems awaiting their answer that are due soon or overdue; and the office a
weekly digest of the red problems.

Safe to run daily from cron: it reads, sends and records only what it sent, and says nothing
to a city or unit with nothing due. The open quarter is the latest one that has ended and that
the office has not closed.
"""

from collections import defaultdict
from datetime import date

from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from investment.coverage import ReportingCoverage, open_quarter, reporting_coverage
from people.access import active_contacts, active_reporters, office_members, reach
from plan.models import City, Plan
from problems.models import Problem, ProblemDigest, ProblemReminder
from problems.reminders import (
    due_for_units,
    last_digest,
    office_digest,
    red_problems,
    unit_reminder,
)


class Command(BaseCommand):
    help = (
        "Remind city reporters of missing, draft and returned reports for the open quarter; "
        "remind each unit's contacts of the problems awaiting their answer that are due within "
        "PROBLEM_WARNING_DAYS or overdue (each problem at most once a day); and send the office "
        "a digest of the red problems, at most once in seven days: on the first run a week or "
        "more after the last digest sent (whatever the weekday), so run it daily."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, help="The plan year (default: the latest).")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])

    def handle(self, *args, year: int | None, quarter: int | None, **options) -> None:
        # Issued plans whose year is not closed: a draft, or a year long done, reminds no one.
        plans = Plan.objects.filter(status=Plan.Status.ISSUED)
        plans = plans.filter(year=year) if year else plans
        if not plans:
            raise CommandError(_("There is no issued plan for that year whose year is open."))
        # Every plan with an open quarter: a new year's plan does not end the old one's Q4.
        due = [(plan, quarter or open_quarter(plan, localdate())) for plan in plans]
        due = [(plan, q) for plan, q in due if q is not None]
        if due:
            sent = sum(self.remind(plan, q) for plan, q in due)
            self.stdout.write(_("%(count)d reminders sent.") % {"count": sent})
        else:
            self.stdout.write(_("No open quarter: nothing to remind."))
        today = localdate()
        problems = Problem.objects.filter(task__area__plan__in=plans)
        self.remind_units(problems, today)
        self.send_digest(problems, today)

    def remind(self, plan: Plan, quarter: int) -> int:
        reporters = active_reporters()
        coverage = reporting_coverage(plan, quarter)
        sent = 0
        for reporter in reporters:
            # Each place of hers the plan holds (none: she has nothing to report in it).
            for place in reach(reporter.user).places_in(plan):
                sent += self.remind_one(reporter, place, plan, quarter, coverage)
        return sent

    def remind_one(self, reporter, place: City, plan: Plan, quarter: int, coverage) -> int:
        """One email to `reporter` of what `place` still owes; how many were sent."""
        pending = coverage.pending(place)
        if not pending:
            return 0
        if not reporter.user.email:
            self.no_email(reporter.user)
            return 0
        send_mail(
            _("Quarterly figures due: %(city)s, %(year)s Q%(quarter)s")
            % {"city": place.name, "year": plan.year, "quarter": quarter},
            self.body(place, pending, coverage),
            None,
            [reporter.user.email],
        )
        return 1

    def body(self, place: City, pending: list, coverage: ReportingCoverage) -> str:
        lines = [f"  {task.code} {task.title}" for task in pending]
        return "\n".join(
            [
                _("%(city)s still has these tasks missing, in draft or returned:")
                % {"city": place.name},
                *lines,
                "",
                _("Due by %(deadline)s.") % {"deadline": coverage.deadline.isoformat()},
            ]
        )

    def no_email(self, user) -> None:
        self.stdout.write(
            self.style.WARNING(_("%(user)s has no email address; not reminded.") % {"user": user})
        )

    def remind_units(self, problems, today: date) -> None:
        """One email to each contact of a unit with problems due, listing them all."""
        by_unit = defaultdict(list)
        for problem in due_for_units(problems, today):
            by_unit[problem.unit].append(problem)
        contacts = defaultdict(list)
        for contact in active_contacts(list(by_unit)):
            contacts[contact.unit_id].append(contact.user)
        sent = 0
        for unit, due in by_unit.items():
            users = contacts[unit.pk]
            for user in users:
                if not user.email:
                    self.no_email(user)
            addresses = [user.email for user in users if user.email]
            if not addresses:
                self.stdout.write(
                    self.style.WARNING(
                        _(
                            "%(unit)s has no contact with an email address: %(count)d problems "
                            "due not reminded."
                        )
                        % {"unit": unit.name, "count": len(due)}
                    )
                )
                continue
            subject, body = unit_reminder(unit, due, today)
            with transaction.atomic():
                for address in addresses:
                    send_mail(subject, body, None, [address])
                ProblemReminder.objects.bulk_create(
                    [
                        ProblemReminder(problem=problem, sent_on=today, recipients=len(addresses))
                        for problem in due
                    ],
                    ignore_conflicts=True,
                )
            sent += len(addresses)
        self.stdout.write(_("%(count)d problem reminders sent to unit contacts.") % {"count": sent})

    def send_digest(self, problems, today: date) -> None:
        """The office's digest of red problems, unless one went out in the past week."""
        if last := last_digest(today):
            self.stdout.write(
                _("The office's digest went out on %(day)s; the next is due on %(next)s.")
                % {"day": last.sent_on.isoformat(), "next": last.next_due.isoformat()}
            )
            return
        red = list(red_problems(problems, today))
        if not red:
            self.stdout.write(_("No red problems: no digest for the office."))
            return
        addresses = list(
            office_members().exclude(email="").order_by("pk").values_list("email", flat=True)
        )
        if not addresses:
            self.stdout.write(
                self.style.WARNING(
                    _("No office user has an email address: no digest for the office.")
                )
            )
            return
        subject, body = office_digest(red, today)
        with transaction.atomic():
            for address in addresses:
                send_mail(subject, body, None, [address])
            ProblemDigest.objects.create(
                sent_on=today, problems=len(red), recipients=len(addresses)
            )
        self.stdout.write(
            _("Digest of %(count)d red problems sent to %(recipients)d office users.")
            % {"count": len(red), "recipients": len(addresses)}
        )
