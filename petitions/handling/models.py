"""Handling: who an item is assigned to and by when, what they answered, the ratings,
the office's supervision, representative suggestions and the reminder log.

The moves between a petition's states live in `petitions.handling.workflow` (the table) and
`petitions.handling.services` (one service per move).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from petitions.ledger.models import Outcome, Route, Satisfaction, Urgency
from petitions.suggestions.querysets import SuggestionQuerySet
from petitions.supervision.querysets import CommitmentQuerySet, SupervisionNoticeQuerySet


class AssignmentQuerySet(models.QuerySet):
    def open(self):
        """Shares still to be done: awaiting acceptance or in hand."""
        return self.filter(state__in=ACTIVE_ASSIGNMENT_STATES)

    def overdue(self, today):
        """Open shares past their deadline on items whose clock runs (`workflow.share_overdue_q`)."""
        from petitions.handling.workflow import share_overdue_q

        return self.filter(share_overdue_q(today))


class Assignment(models.Model):
    """One department's share of one round of an item: the lead (主办) or a co-handler (协办)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        CO = "co", _("Co-handling")

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("assignment state", "Awaiting acceptance")
        ACCEPTED = "accepted", pgettext_lazy("assignment state", "In hand")
        DONE = "done", pgettext_lazy("assignment state", "Done")
        RETURNED = "returned", pgettext_lazy("assignment state", "Returned")
        LAPSED = "lapsed", pgettext_lazy("assignment state", "No longer needed")

    petition = models.ForeignKey("petitions.Petition", on_delete=models.PROTECT, related_name="assignments")
    department = models.ForeignKey(
        "petitions.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.LEAD)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    due_on = models.DateField(_("deadline"))
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # A co-handler's part, or the lead's reason for returning the item.
    note = models.TextField(_("note"), blank=True, max_length=5000)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["round", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "department", "round"],
                condition=models.Q(state__in=["pending", "accepted"]),
                name="assignment_open_once_per_round",
            ),
            models.UniqueConstraint(
                fields=["petition", "round"],
                condition=models.Q(role="lead", state__in=["pending", "accepted", "done"]),
                name="assignment_one_lead_per_round",
            ),
        ]
        indexes = [
            # The reminder selection: open shares by deadline (a small part of millions of rows).
            models.Index(
                fields=["due_on"], condition=models.Q(state__in=["pending", "accepted"]), name="assignment_due_open"
            ),
            models.Index(fields=["department", "state", "due_on"], name="assignment_by_department"),
        ]

    def __str__(self):
        return f"{self.petition_id} · {self.department_id} ({self.role})"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.PENDING, self.State.ACCEPTED)


# Open shares: the constraints and the partial index `assignment_due_open` spell them out too.
ACTIVE_ASSIGNMENT_STATES = (Assignment.State.PENDING, Assignment.State.ACCEPTED)


class ExtensionRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("extension state", "Awaiting decision")
        APPROVED = "approved", pgettext_lazy("extension state", "Approved")
        REFUSED = "refused", pgettext_lazy("extension state", "Refused")

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="extension_requests")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000)
    current_due_on = models.DateField(_("current deadline"))
    requested_due_on = models.DateField(_("requested deadline"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=models.Q(state="pending"), name="extension_one_pending"
            ),
        ]

    def __str__(self):
        return f"{self.petition_id}: {self.current_due_on} → {self.requested_due_on}"


class DepartmentReply(models.Model):
    """The department's written answer (办复), with its outcome class; files hang on it."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.PROTECT, related_name="department_replies")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="replies")
    department = models.ForeignKey("petitions.Department", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=1, choices=Outcome.choices)
    text = models.TextField(_("reply"), max_length=5000)
    round = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("department reply")
        verbose_name_plural = _("department replies")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.petition_id} {self.outcome}"


class Rating(models.Model):
    """满意 / 基本满意 / 不满意, by a representative on the item or by the resident."""

    class Rater(models.TextChoices):
        REPRESENTATIVE = "representative", _("Representative")
        RESIDENT = "resident", _("Resident")

    petition = models.ForeignKey("petitions.Petition", on_delete=models.PROTECT, related_name="ratings")
    round = models.PositiveSmallIntegerField(default=1)
    rater = models.CharField(_("rated by"), max_length=16, choices=Rater.choices)
    representative = models.ForeignKey(
        "stations.Representative", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    # Staff who wrote down a resident's rating given by phone or in person; None when the resident rated online.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "round", "representative"],
                condition=models.Q(rater="representative"),
                name="rating_once_per_representative_and_round",
            ),
            models.UniqueConstraint(
                fields=["petition", "round"],
                condition=models.Q(rater="resident"),
                name="rating_once_per_resident_and_round",
            ),
        ]

    def __str__(self):
        return f"{self.petition_id} {self.rater} {self.satisfaction}"


class DeadlineRule(models.Model):
    """Working days a department has, by route and urgency. The rows without a jurisdiction are
    the defaults; a committee office may set its own for the items in its jurisdiction, and the
    rule of the nearest jurisdiction above an item's place applies (`petitions.handling.deadlines.deadline_for`)."""

    jurisdiction = models.ForeignKey(
        "liaison.Jurisdiction",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the default for every jurisdiction without its own rule."),
    )
    route = models.CharField(_("route"), max_length=16, choices=Route.choices)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices)
    working_days = models.PositiveSmallIntegerField(
        _("working days for the lead"), validators=[MinValueValidator(1), MaxValueValidator(250)]
    )
    co_working_days = models.PositiveSmallIntegerField(
        _("working days for co-handlers"),
        validators=[MinValueValidator(1), MaxValueValidator(250)],
        help_text=_("Co-handlers give their part to the lead within this many working days."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["jurisdiction__code", "route", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["route", "urgency"],
                condition=models.Q(jurisdiction__isnull=True),
                name="deadline_rule_default_once",
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "route", "urgency"],
                condition=models.Q(jurisdiction__isnull=False),
                name="deadline_rule_once_per_jurisdiction",
            ),
            models.CheckConstraint(
                condition=models.Q(co_working_days__lte=models.F("working_days")), name="deadline_rule_co_not_longer"
            ),
        ]

    def __str__(self):
        return f"{self.get_route_display()} · {self.get_urgency_display()}: {self.working_days}"


class ReplyTemplate(models.Model):
    """A starting text for a department's reply, offered for items of its category."""

    category = models.ForeignKey(
        "petitions.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reply_templates",
        help_text=_("Empty: offered for every category."),
    )
    outcome = models.CharField(_("outcome"), max_length=1, choices=Outcome.choices, blank=True)
    title = models.CharField(_("title"), max_length=64)
    text = models.TextField(_("text"), max_length=5000)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["category_id", "outcome", "title"]

    def __str__(self):
        return self.title


class SupervisionNotice(models.Model):
    """督办单: the office presses a department on an item (or a matter) by a date."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("notice state", "Awaiting answer")
        ANSWERED = "answered", pgettext_lazy("notice state", "Answered")

    number = models.CharField(_("number"), max_length=32, unique=True)
    petition = models.ForeignKey(
        "petitions.Petition",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supervision_notices",
    )
    department = models.ForeignKey(
        "petitions.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    # The issuing office's jurisdiction: who else sees the notice.
    jurisdiction = models.ForeignKey("liaison.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("matter"), max_length=200)
    requirement = models.TextField(_("what is required"), max_length=3000)
    due_on = models.DateField(_("answer by"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    response = models.TextField(_("answer"), blank=True, max_length=5000)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = SupervisionNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-pk"]

    def __str__(self):
        return self.number


class Commitment(models.Model):
    """A department head's commitment made at a progress meeting or a visit: tracked to its
    deadline, then checked by a follow-up visit (回访) with the residents' rating."""

    class Source(models.TextChoices):
        MEETING = "meeting", _("Progress meeting")
        VISIT = "visit", _("Department head's visit")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("commitment state", "Open")
        DONE = "done", pgettext_lazy("commitment state", "Kept")
        VISITED = "visited", pgettext_lazy("commitment state", "Follow-up visit made")

    source = models.CharField(_("made at"), max_length=16, choices=Source.choices)
    held_on = models.DateField(_("date"))
    department = models.ForeignKey(
        "petitions.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="commitments"
    )
    head_name = models.CharField(_("head's name"), max_length=64)
    head_title = models.CharField(_("head's title"), max_length=64, blank=True)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    jurisdiction = models.ForeignKey("liaison.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    petition = models.ForeignKey(
        "petitions.Petition",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    text = models.TextField(_("commitment"), max_length=3000)
    due_on = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    progress = models.TextField(_("how it was kept"), blank=True, max_length=3000)
    done_at = models.DateTimeField(null=True, blank=True)
    follow_up_on = models.DateField(_("follow-up visit"), null=True, blank=True)
    follow_up_note = models.TextField(_("what the visit found"), blank=True, max_length=3000)
    follow_up_satisfaction = models.CharField(
        _("residents' rating"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"{self.head_name}: {self.text[:30]}"


class Suggestion(models.Model):
    """代表建议 drawn from related petitions: its own assignment, pre-handling meeting
    (办前沟通), reply and the lead representative's satisfaction form (代表法 art. 51)."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("suggestion status", "Draft")
        ASSIGNED = "assigned", pgettext_lazy("suggestion status", "Assigned")
        REPLIED = "replied", pgettext_lazy("suggestion status", "Replied")
        RATED = "rated", pgettext_lazy("suggestion status", "Rated")
        CLOSED = "closed", pgettext_lazy("suggestion status", "Closed")

    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("reasons and proposals"), max_length=20000)
    jurisdiction = models.ForeignKey(
        "liaison.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    lead_representative = models.ForeignKey(
        "stations.Representative",
        verbose_name=_("lead representative"),
        on_delete=models.PROTECT,
        related_name="led_suggestions",
    )
    co_signers = models.ManyToManyField(
        "stations.Representative", verbose_name=_("co-signers"), blank=True, related_name="cosigned_suggestions"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    department = models.ForeignKey(
        "petitions.Department",
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestions",
    )
    is_complex = models.BooleanField(_("complex (six months, approved)"), default=False)
    complex_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    pre_meeting_on = models.DateField(_("pre-handling meeting"), null=True, blank=True)
    pre_meeting_note = models.TextField(_("what was agreed"), blank=True, max_length=5000)
    outcome = models.CharField(_("outcome"), max_length=1, choices=Outcome.choices, blank=True)
    reply_text = models.TextField(_("reply"), blank=True, max_length=20000)
    replied_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True)
    contacted_before_reply = models.BooleanField(_("the department contacted me before replying"), null=True)
    satisfaction_comment = models.TextField(_("comment"), blank=True, max_length=3000)
    rated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("representative suggestion")
        verbose_name_plural = _("representative suggestions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.number} {self.title}"


class SuggestionEvent(models.Model):
    """Who changed a suggestion, when, what."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.suggestion_id} {self.kind}"


class Reminder(models.Model):
    """One reminder stage of one item on one day; `key` makes it happen once whatever beat
    or the workers do. Department stages are grouped into one daily digest per user."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("Deadline in 3 working days")
        DUE = "due", _("Deadline today")
        OVERDUE = "overdue", _("Overdue")
        OFFICE = "office", _("Overdue 3 working days: office alerted")
        ONLINE = "online", _("Online item unanswered for 24 hours")

    key = models.CharField(max_length=64, unique=True)
    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="reminders")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices)
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="reminder_unsent"),
        ]

    def __str__(self):
        return self.key
