"""Completed against a target, and against the pace the plan expects by then: the value
every page, workbook, ranking and bulletin states its figures in."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

WAN = Decimal("0.0001")


def wan(value: Decimal) -> Decimal:
    """To 万元 precision: SQLite's sums can come back with more places than were stored."""
    return value.quantize(WAN)


class Pace(models.TextChoices):
    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    BEHIND = "behind", _("behind")
    NO_TARGET = "no_target", _("no stated target")


@dataclass(frozen=True)
class Progress:
    """Completed against a target at an as-of quarter, and against the pace expected by then."""

    target: Decimal | None
    completed: Decimal
    expected_share: Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.target:
            return None
        return (self.completed / self.target * 100).quantize(Decimal("0.1"))

    @property
    def expected(self) -> Decimal | None:
        return None if self.target is None else wan(self.target * self.expected_share)

    @property
    def gap(self) -> Decimal | None:
        """Percentage points ahead of (+) or behind (−) the expected pace; None without a target."""
        if self.percent is None:
            return None
        return self.percent - (self.expected_share * 100).quantize(Decimal("0.1"))

    @property
    def pace(self) -> Pace:
        if not self.target:
            return Pace.NO_TARGET
        if not self.expected:
            return Pace.ON_TRACK
        ratio = self.completed / self.expected
        if ratio >= settings.PACE_ON_TRACK:
            return Pace.ON_TRACK
        return Pace.AT_RISK if ratio >= settings.PACE_AT_RISK else Pace.BEHIND
