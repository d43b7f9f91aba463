"""Reception days (接待日): recurring rules, the annual plan, events, rosters and the day's record."""

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from stations.network.querysets import (
    CampaignQuerySet,
    EventPhotoQuerySet,
    ReceptionEventQuerySet,
    ReceptionPlanQuerySet,
    ReceptionRuleQuerySet,
)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class EventKind(models.TextChoices):
    RECEPTION = "reception", _("Reception day")
    DEPARTMENT_VISIT = "department_visit", _("Department-head visit")
    VOTER_MEETING = "voter_meeting", _("Voter meeting")
    CAMPAIGN = "campaign", _("Campaign activity")


class ReceptionRule(models.Model):
    """How a station's reception days recur: the 15th, the second Friday, or every Friday morning."""

    class Pattern(models.TextChoices):
        MONTHLY_DAY = "monthly_day", _("A day of the month")
        NTH_WEEKDAY = "nth_weekday", _("A weekday of the month")
        WEEKLY = "weekly", _("Every week")

    class NonWorkingDay(models.TextChoices):
        NEXT_WORKING_DAY = "next", _("Move to the next working day")
        KEEP = "keep", _("Keep the date")

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.CASCADE, related_name="reception_rules"
    )
    pattern = models.CharField(_("recurs"), max_length=16, choices=Pattern.choices, default=Pattern.MONTHLY_DAY)
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("For a month without this day (the 31st in June), the month's last day."),
    )
    week_of_month = models.SmallIntegerField(
        _("week of the month"),
        null=True,
        blank=True,
        choices=[(1, _("first")), (2, _("second")), (3, _("third")), (4, _("fourth")), (-1, _("last"))],
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True, choices=Weekday.choices)
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("Leave empty to use the station's address.")
    )
    on_non_working_day = models.CharField(
        _("when the date is not a working day"),
        max_length=8,
        choices=NonWorkingDay.choices,
        default=NonWorkingDay.NEXT_WORKING_DAY,
    )
    representatives_per_event = models.PositiveSmallIntegerField(
        _("representatives per event"), default=2, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = ReceptionRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("reception rule")
        verbose_name_plural = _("reception rules")
        ordering = ["station", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="rule_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(pattern="monthly_day") | models.Q(day_of_month__isnull=False),
                name="rule_monthly_has_day",
            ),
            models.CheckConstraint(
                condition=~models.Q(pattern="nth_weekday")
                | models.Q(week_of_month__isnull=False, weekday__isnull=False),
                name="rule_nth_weekday_complete",
            ),
            models.CheckConstraint(
                condition=~models.Q(pattern="weekly") | models.Q(weekday__isnull=False), name="rule_weekly_has_weekday"
            ),
        ]

    def __str__(self):
        return f"{self.station}: {self.describe()}"

    def describe(self) -> str:
        from django.utils.translation import gettext

        times = f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"
        if self.pattern == self.Pattern.MONTHLY_DAY:
            when = gettext("Every month on day %(day)s") % {"day": self.day_of_month}
        elif self.pattern == self.Pattern.NTH_WEEKDAY:
            when = gettext("The %(nth)s %(weekday)s of every month") % {
                "nth": self.get_week_of_month_display(),
                "weekday": self.get_weekday_display(),
            }
        else:
            when = gettext("Every %(weekday)s") % {"weekday": self.get_weekday_display()}
        return f"{when} {times}"

    def clean(self):
        super().clean()
        errors = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The end time must be after the start time.")
        if self.pattern == self.Pattern.MONTHLY_DAY and not self.day_of_month:
            errors["day_of_month"] = _("Choose the day of the month.")
        if self.pattern == self.Pattern.NTH_WEEKDAY:
            if not self.week_of_month:
                errors["week_of_month"] = _("Choose which week of the month.")
            if self.weekday is None:
                errors["weekday"] = _("Choose the weekday.")
        if self.pattern == self.Pattern.WEEKLY and self.weekday is None:
            errors["weekday"] = _("Choose the weekday.")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The rule cannot end before it starts.")
        if errors:
            raise ValidationError(errors)


class Campaign(models.Model):
    """A campaign such as 集中联系选民月 (11-06 to 12-06): events grouped over a date range."""

    name = models.CharField(_("name"), max_length=100)
    jurisdiction = models.ForeignKey(
        "liaison.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="campaigns"
    )
    start_date = models.DateField(_("starts on"))
    end_date = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="campaign_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The campaign cannot end before it starts.")})


class ReceptionPlan(models.Model):
    """The year's plan (年度预安排) of one jurisdiction: generated from the rules, reviewed, then published.

    Events of a draft plan send no notices; publishing makes them scheduled.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft, under review")
        PUBLISHED = "published", _("Published")

    jurisdiction = models.ForeignKey(
        "liaison.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="reception_plans"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    generation_seconds = models.FloatField(null=True, blank=True)

    objects = ReceptionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual reception plan")
        verbose_name_plural = _("annual reception plans")
        ordering = ["-year", "jurisdiction__code"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "year"], name="plan_once_per_jurisdiction_year")]

    def __str__(self):
        return f"{self.jurisdiction} {self.year}"


class ReceptionEvent(models.Model):
    """One reception day, department-head visit, voter meeting or campaign activity at a station."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("In a draft plan")
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices, default=EventKind.RECEPTION)
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Optional; the kind and station are shown when empty.")
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    plan = models.ForeignKey(
        ReceptionPlan,
        verbose_name=_("annual plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    rule = models.ForeignKey(
        ReceptionRule,
        verbose_name=_("generated from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    open_slots = models.PositiveSmallIntegerField(
        _("representatives wanted"),
        default=2,
        validators=[MaxValueValidator(50)],
        help_text=_("Representatives can volunteer while the roster has fewer than this."),
    )
    # Department-head visit (局长进站)
    department = models.ForeignKey(
        "petitions.Department",
        verbose_name=_("visiting department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    department_head = models.CharField(_("visiting head"), max_length=100, blank=True)
    department_duties = models.TextField(_("the department's duties"), blank=True)
    topics = models.TextField(_("topics"), blank=True)
    public_note = models.TextField(_("note for the public"), blank=True)
    # Correction notices: bumped when date, time or place change after notices went out.
    schedule_revision = models.PositiveSmallIntegerField(default=0)
    # The day's record
    residents_received = models.PositiveIntegerField(_("residents received"), null=True, blank=True)
    opinions_collected = models.PositiveIntegerField(_("opinions collected"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReceptionEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("reception event")
        verbose_name_plural = _("reception events")
        permissions = [
            ("record_receptionevent", _("Can record the day: check-in, residents, summary, photos")),
            ("volunteer_receptionevent", _("Can volunteer for open reception slots")),
            ("view_attendance", _("Can see attendance and campaign totals")),
        ]
        ordering = ["date", "start_time", "station__code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "scheduled", "held", "cancelled"]), name="event_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="department_visit") | models.Q(department__isnull=False),
                name="event_visit_has_department",
            ),
            # Generating a plan twice adds nothing.
            models.UniqueConstraint(
                fields=["rule", "date"], condition=models.Q(rule__isnull=False), name="event_once_per_rule_date"
            ),
        ]
        indexes = [
            models.Index(fields=["station", "date"], name="event_by_station_date"),
            # The notice task: scheduled events in a date window.
            models.Index(fields=["date"], condition=models.Q(status="scheduled"), name="event_scheduled_by_date"),
            models.Index(fields=["plan", "date"], name="event_by_plan_date"),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or f"{self.station.name} {self.get_kind_display()}"

    @property
    def is_past(self) -> bool:
        from django.utils import timezone

        return self.date < timezone.localdate()

    def clean(self):
        super().clean()
        errors = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The end time must be after the start time.")
        if self.kind == EventKind.DEPARTMENT_VISIT and not self.department_id:
            errors["department"] = _("Choose the visiting department.")
        if self.campaign_id and self.date and not (self.campaign.start_date <= self.date <= self.campaign.end_date):
            errors["campaign"] = _("The date is outside the campaign (%(start)s to %(end)s).") % {
                "start": self.campaign.start_date,
                "end": self.campaign.end_date,
            }
        if errors:
            raise ValidationError(errors)


class RosterEntry(models.Model):
    """A representative on an event's roster, and whether they came (the day's check-in)."""

    class Source(models.TextChoices):
        PLAN = "plan", _("From the plan")
        ASSIGNED = "assigned", _("Assigned")
        VOLUNTEERED = "volunteered", _("Volunteered")

    event = models.ForeignKey(ReceptionEvent, on_delete=models.PROTECT, related_name="roster")
    representative = models.ForeignKey(
        "stations.Representative",
        verbose_name=_("representative"),
        on_delete=models.PROTECT,
        related_name="roster_entries",
    )
    source = models.CharField(_("how"), max_length=16, choices=Source.choices, default=Source.ASSIGNED)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    attended = models.BooleanField(_("present"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        ordering = ["event", "representative__name"]
        constraints = [models.UniqueConstraint(fields=["event", "representative"], name="roster_once_per_event")]
        indexes = [models.Index(fields=["representative", "event"], name="roster_by_representative")]

    def __str__(self):
        return f"{self.representative} @ {self.event}"


def event_photo_path(instance, filename):
    return f"reception/photos/{date.today():%Y/%m}/{uuid.uuid4().hex}.jpg"


class EventPhoto(models.Model):
    """A photo of the day; re-encoded without EXIF, served only through a scoped view."""

    event = models.ForeignKey(ReceptionEvent, on_delete=models.PROTECT, related_name="photos")
    file = models.ImageField(_("photo"), upload_to=event_photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = EventPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("event photo")
        verbose_name_plural = _("event photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.caption or f"{self.event} #{self.pk}"
