"""Reminders of problems by email (send_reminders): each unit's contacts hear of the problems
awaiting their answer that are due within PROBLEM_WARNING_DAYS or overdue, at most once a day
per problem, and the office gets a digest of the red ones at most once a week.

What was sent is recorded here, apart from the problems themselves: bookkeeping, not a change
of the problem, so it is in no problem's history and never bumps its version.
"""

from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from problems.models import DIGEST_INTERVAL, Colour, Problem, ProblemDigest, ProblemQuerySet


def due_for_units(problems: ProblemQuerySet, today: date) -> ProblemQuerySet:
    """The problems awaiting their unit's answer, due within the warning days or overdue, that
    were not yet reminded today; the most urgent first."""
    soon = today + timedelta(days=settings.PROBLEM_WARNING_DAYS)
    return (
        problems.filter(status=Problem.Status.ASSIGNED, unit__isnull=False, deadline__lte=soon)
        .exclude(reminders__sent_on=today)
        .listed(today)
    )


def red_problems(problems: ProblemQuerySet, today: date) -> ProblemQuerySet:
    """The open problems overdue by more than PROBLEM_RED_DAYS, the longest overdue first."""
    return problems.open().listed(today).filter(colour=Colour.RED)


def last_digest(today: date) -> ProblemDigest | None:
    """The digest sent within the past week, if any: then the next is not due yet."""
    return ProblemDigest.objects.filter(sent_on__gt=today - DIGEST_INTERVAL).first()


def colour_text(problem: Problem, today: date) -> str:
    text = str(Colour(problem.colour).label)
    if late := problem.days_late(today):
        days = ngettext("%(counter)s day late", "%(counter)s days late", late)
        text = f"{text} · {days % {'counter': late}}"
    return text


def subject_text(problem: Problem) -> str:
    task = f"{problem.task.code} {problem.task.display_title}"
    return f"{task} · {problem.project.name}" if problem.project else task


def unit_reminder(unit, problems: list[Problem], today: date) -> tuple[str, str]:
    """The subject and body of the email to each contact of `unit`."""
    subject = _("Problems due: %(unit)s, %(count)d due soon or overdue") % {
        "unit": unit.name,
        "count": len(problems),
    }
    lines = [
        _(
            "%(unit)s has these problems to answer, due within %(days)d days or overdue, as of "
            "%(today)s:"
        )
        % {"unit": unit.name, "days": settings.PROBLEM_WARNING_DAYS, "today": today.isoformat()},
        "",
    ]
    for number, problem in enumerate(problems, 1):
        lines += [
            f"{number}. [{colour_text(problem, today)}] {problem.title}",
            "   "
            + _("Task: %(task)s; raised by %(city)s; deadline %(deadline)s")
            % {
                "task": subject_text(problem),
                "city": problem.city.display_name,
                "deadline": problem.deadline.isoformat(),
            },
        ]
    lines += ["", _("Sign in and answer them under 问题清单 (the problem list).")]
    return subject, "\n".join(lines)


def office_digest(problems: list[Problem], today: date) -> tuple[str, str]:
    """The subject and body of the office's digest of red problems."""
    subject = _("Problem list, weekly: %(count)d long overdue (red)") % {"count": len(problems)}
    lines = [
        _("As of %(today)s, these problems are overdue by more than %(days)d days:")
        % {"today": today.isoformat(), "days": settings.PROBLEM_RED_DAYS},
        "",
    ]
    for number, problem in enumerate(problems, 1):
        lines += [
            f"{number}. [{colour_text(problem, today)}] {problem.title}",
            "   "
            + _(
                "Task: %(task)s; raised by %(city)s; responsible unit %(unit)s; deadline "
                "%(deadline)s; status %(status)s"
            )
            % {
                "task": subject_text(problem),
                "city": problem.city.display_name,
                "unit": problem.unit.name if problem.unit else "—",
                "deadline": problem.deadline.isoformat(),
                "status": problem.get_status_display(),
            },
        ]
    lines += [
        "",
        _("The next digest goes out on %(day)s at the earliest.")
        % {"day": (today + DIGEST_INTERVAL).isoformat()},
    ]
    return subject, "\n".join(lines)
