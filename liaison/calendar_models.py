"""The working-day calendar's entries and their trace (gathered into `liaison.models`).

Who writes which entry is `liaison.calendar_services`; how the entries apply at a place is
`liaison.workdays`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.querysets import CalendarDayQuerySet


class CalendarDay(models.Model):
    """A date entered on the working-day calendar: a holiday or a make-up working day (调休).

    Entries win over the chinesecalendar package, so an office can publish a year the package
    does not know yet, or correct one. An entry without an office is the deployment's (entered by
    the system administrator or the province-level office) and applies everywhere; an entry of an
    office is a local one and applies only inside that office's jurisdiction, where it wins over
    the deployment's and over those of the offices above (`liaison.workdays`). Who writes which:
    `liaison.calendar_services`.
    """

    date = models.DateField(_("date"))
    office = models.ForeignKey(
        "liaison.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_days",
        help_text=_("Empty for the whole deployment; an office's entry applies only inside its jurisdiction."),
    )
    is_working_day = models.BooleanField(
        _("working day"), help_text=_("Tick for a make-up working day; leave empty for a holiday.")
    )
    name = models.CharField(_("name"), max_length=64, blank=True, help_text=_("For example: Spring Festival."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = CalendarDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")
        ordering = ["date"]
        constraints = [
            # One entry per date and office, and one per date for the deployment (NULLs are distinct
            # in a plain unique constraint, so the deployment's needs its own).
            models.UniqueConstraint(fields=["date", "office"], name="calendar_day_one_per_office"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(office__isnull=True), name="calendar_day_one_for_deployment"
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class CalendarChange(models.Model):
    """One change to the calendar's entries, with the entry before and after (append-only).

    Entries are deleted when their owner withdraws them (the date falls back to the entries above
    and the official calendar), so this row is the trace: who changed which date of whose
    calendar (`office`, empty for the deployment's), when, from what.
    """

    class Action(models.TextChoices):
        SET = "set", _("Entered")
        DELETE = "delete", _("Deleted")

    date = models.DateField(_("date"))
    office = models.ForeignKey(
        "liaison.Office", verbose_name=_("office"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("changed by"), max_length=150, blank=True)
    at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar change")
        verbose_name_plural = _("calendar changes")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.action}"
