"""Petitions (群众意见): the ledger and its history (the handling units and categories are in
`petitions.ledger.units`, the attachments in `petitions.ledger.files`).

A petition is scoped by four keys the ledger filters on without joins:
`area_code` (the jurisdiction code of its place, matched by prefix for the
committee office), `station`, the representatives who received or follow it
(`PetitionRepresentative`) and the lead department. Every change writes one
`PetitionEvent` row.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from petitions.ledger.querysets import PetitionQuerySet, ScopedByPetitionQuerySet
from petitions.ledger.units import Category, Department
from stations.network.models import mobile_validator

# Crockford's base32 without I, L, O, U: nothing a resident can misread.
TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_RANDOM_LENGTH = 8  # 40 bits


def new_tracking_number(when=None) -> str:
    """`YYMM-XXXXXXXX`: the month it arrived, then 40 random bits."""
    when = timezone.localtime(when) if when else timezone.localtime()
    tail = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_RANDOM_LENGTH))
    return f"{when:%y%m}-{tail}"


class Channel(models.TextChoices):
    ON_SITE = "on_site", _("In person")
    QR = "qr", _("QR code")
    PHONE = "phone", _("Telephone")
    WECHAT = "wechat", _("WeChat")
    HOME_VISIT = "home_visit", _("Home visit")
    FORUM = "forum", _("Forum")
    LETTER = "letter", _("Letter")
    API = "api", _("City platform / 12345")


# Items that arrive without a person at the desk: a representative owes a first
# reply within the hours that apply at the item's place (liaison.office_settings).
ONLINE_CHANNELS = frozenset({Channel.QR, Channel.WECHAT})


def first_reply_hours(registered_at, due_at) -> int | None:
    """The hours an online item was promised its first reply in: fixed when it was registered
    (its deadline less its registration), whatever its office sets later."""
    if registered_at is None or due_at is None:
        return None
    return round((due_at - registered_at).total_seconds() / 3600)


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")


class Status(models.TextChoices):
    """Every state of a petition's life; the handling issue owns the moves between them."""

    REGISTERED = "registered", pgettext_lazy("petition status", "Registered")
    TRIAGED = "triaged", pgettext_lazy("petition status", "Triaged")
    ASSIGNED = "assigned", pgettext_lazy("petition status", "Assigned")
    ACCEPTED = "accepted", pgettext_lazy("petition status", "Accepted")
    IN_PROGRESS = "in_progress", pgettext_lazy("petition status", "In progress")
    REPLIED = "replied", pgettext_lazy("petition status", "Replied")
    FED_BACK = "fed_back", pgettext_lazy("petition status", "Fed back")
    RATED = "rated", pgettext_lazy("petition status", "Rated")
    CLOSED = "closed", pgettext_lazy("petition status", "Closed")
    CONSULTED = "consulted", pgettext_lazy("petition status", "Answered as a consultation")
    ON_THE_SPOT = "on_the_spot", pgettext_lazy("petition status", "Handled on the spot")
    SUGGESTION = "suggestion", pgettext_lazy("petition status", "Turned into a suggestion")
    ESCALATED = "escalated", pgettext_lazy("petition status", "Escalated")
    CANNOT_HANDLE = "cannot_handle", pgettext_lazy("petition status", "Cannot be handled")
    LINKED = "linked", pgettext_lazy("petition status", "Linked to another item")
    SUSPENDED = "suspended", pgettext_lazy("petition status", "Suspended")


# The groups of statuses ("open", "in hand", "awaiting reply"...) are named once, beside the table of
# moves: petitions.handling.workflow.


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Route(models.TextChoices):
    """How the office routes an item at triage (DOMAIN.md, "A petition's life")."""

    DIRECT = "direct", _("Assign to a department")
    CONSULTATION = "consultation", _("Answer as a consultation")
    ON_THE_SPOT = "on_the_spot", _("Hand over on the spot")
    SUGGESTION = "suggestion", _("Turn into a representative suggestion")
    ESCALATE = "escalate", _("Refer to a higher level")


class Outcome(models.TextChoices):
    """A department's reply class (A/B/C/D as the offices file them)."""

    SOLVED = "A", _("A: solved")
    PLANNED = "B", _("B: being solved or planned")
    NOT_NOW = "C", _("C: cannot be solved now")
    REFERENCE = "D", _("D: kept for reference")


class FeedbackMethod(models.TextChoices):
    PHONE = "phone", _("By telephone")
    SMS = "sms", _("By text message")
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("Written letter")


class Petition(models.Model):
    tracking_number = models.CharField(_("tracking number"), max_length=16, unique=True, editable=False)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    event = models.ForeignKey(
        "stations.ReceptionEvent",
        verbose_name=_("reception day"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
    )
    # The place the problem is in (a community or village, else the station's jurisdiction).
    jurisdiction = models.ForeignKey(
        "liaison.Jurisdiction", verbose_name=_("community"), on_delete=models.PROTECT, related_name="petitions"
    )
    # Copy of jurisdiction.code so the office's prefix scope needs no join.
    area_code = models.CharField(max_length=12, editable=False)
    # Which committee office owns the item (feeds back, closes out) and which one handles it now
    # (its triage list: the owner, or an office above it was escalated to); `liaison.offices`.
    owner_office = models.ForeignKey(
        "liaison.Office",
        verbose_name=_("owning office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_petitions",
        editable=False,
    )
    handling_office = models.ForeignKey(
        "liaison.Office",
        verbose_name=_("handling office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_petitions",
        editable=False,
    )
    # The office it was last escalated to (kept after it comes back down: the dashboard counts
    # what became of escalated items), and when.
    escalated_to = models.ForeignKey(
        "liaison.Office",
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_petitions",
        editable=False,
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True, editable=False)
    address = models.CharField(_("location"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    petitioner_name = models.CharField(_("petitioner's full name"), max_length=64, blank=True)
    petitioner_phone = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[mobile_validator])
    petitioner_address = models.CharField(_("petitioner's address"), max_length=200, blank=True)
    # Only the first 4 and last 4 digits are ever stored: "1101**********123X".
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    is_confidential = models.BooleanField(
        _("confidential"), default=False, help_text=_("The petitioner's identity is hidden from departments.")
    )
    co_petitioners = models.PositiveIntegerField(_("co-petitioners"), default=0, validators=[MaxValueValidator(100000)])

    content = models.TextField(_("content"), max_length=5000)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="petitions"
    )
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    is_hard_problem = models.BooleanField(
        _("long-standing hard problem"), default=False, help_text=_("难愁盼: a hard, long-standing livelihood problem.")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.ON_SITE)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    linked_to = models.ForeignKey(
        "self",
        verbose_name=_("linked to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_items",
    )
    representatives = models.ManyToManyField(
        "stations.Representative",
        through="PetitionRepresentative",
        verbose_name=_("representatives"),
        related_name="petitions",
        blank=True,
    )

    # Handling, filled by the handling workflow; the ledger and its export show them.
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    handling_summary = models.TextField(_("handling"), blank=True)
    feedback_summary = models.TextField(_("feedback"), blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True)
    route = models.CharField(_("route"), max_length=16, choices=Route.choices, blank=True)
    responsible_leader = models.CharField(_("responsible leader"), max_length=64, blank=True)
    # 1, or 2 after a "dissatisfied" rating reopened the item (once).
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    outcome = models.CharField(_("outcome"), max_length=1, choices=Outcome.choices, blank=True)
    feedback_method = models.CharField(_("feedback method"), max_length=16, choices=FeedbackMethod.choices, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    fed_back_at = models.DateTimeField(_("fed back at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Working days from assignment to the department's reply, fixed when the reply arrives
    # (the calendar may change later; the dashboard averages the figure as it stood).
    reply_working_days = models.PositiveSmallIntegerField(
        _("working days to reply"), null=True, blank=True, editable=False
    )
    suggestion = models.ForeignKey(
        "petitions.Suggestion",
        verbose_name=_("representative suggestion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
    )
    # While the office has suspended the item (waiting for a court ruling, a planned project...):
    # when, until which day (then it resumes by itself) and why. Cleared on resuming; the
    # history keeps them.
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    suspend_reason = models.TextField(_("reason for the suspension"), blank=True, max_length=1000)
    # Written by the office at close-out for the station's public page; empty = not shown.
    public_result = models.TextField(_("result shown publicly"), blank=True, max_length=1000)
    # 评价码: six digits the resident receives with the answer (text message, feedback letter);
    # the public tracking page asks for it, since departments and representatives know the number.
    rating_code = models.CharField(max_length=8, blank=True, editable=False)
    # Every move adds one: a form that carries an older version lost a race (petitions.handling.services).
    version = models.PositiveIntegerField(default=0, editable=False)

    # Online items: a representative's first reply is due within the hours of the item's place.
    first_reply_due_at = models.DateTimeField(_("first reply due"), null=True, blank=True)
    first_replied_at = models.DateTimeField(_("first replied"), null=True, blank=True)

    received_on = models.DateField(_("date received"), default=timezone.localdate)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    # The form's idempotency token: a retried POST (a lost answer, a double tap) finds the
    # item it already stored instead of storing a second one (ledger.services.petition_register).
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Bigrams of the Chinese text as a tsvector literal (see petitions.ledger.search); on PostgreSQL
    # a stored column casts it and a GIN index serves the search (migrations 0003 and 0005).
    search_text = models.TextField(blank=True, editable=False)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_on", "-pk"]
        permissions = [
            ("view_petitioner", _("See petitioners' names and phones in lists")),
            ("reveal_petitioner", _("Reveal a petitioner's name and phone (logged)")),
            ("view_protected_petitioner", _("See who sent a confidential or anonymous petition")),
            ("annotate_petition", _("Annotate petitions in one's own ledger")),
            ("reply_online_petition", _("Give the first reply to an online petition")),
            ("export_petition", _("Export the ledger")),
            ("triage_petition", _("Triage, assign and route petitions")),
            ("handle_petition", _("Handle petitions assigned to one's department")),
            ("feed_back_petition", _("Feed replies back to residents")),
            ("rate_petition", _("Rate the handling of petitions")),
            ("close_petition", _("Close petitions out")),
            ("supervise_petition", _("Issue supervision notices and record commitments")),
            ("view_reports", _("See the dashboard and the oversight reports")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(urgency__in=["urgent", "normal"]), name="petition_urgency_valid"),
            models.CheckConstraint(condition=~models.Q(linked_to=models.F("pk")), name="petition_not_linked_to_itself"),
        ]
        indexes = [
            # Keyset pagination of the ledger: (received_on, id) descending, per scope key.
            models.Index(fields=["-received_on", "-id"], name="petition_ledger_order"),
            models.Index(fields=["area_code", "-received_on", "-id"], name="petition_ledger_by_area"),
            models.Index(fields=["station", "-received_on", "-id"], name="petition_ledger_by_station"),
            models.Index(fields=["lead_department", "-received_on", "-id"], name="petition_ledger_by_department"),
            models.Index(fields=["status", "-received_on", "-id"], name="petition_ledger_by_status"),
            models.Index(fields=["due_on", "id"], name="petition_ledger_by_due"),
            # An office's triage list: the items it handles now, by status.
            models.Index(fields=["handling_office", "status", "-received_on", "-id"], name="petition_triage_by_office"),
            # The dashboard's escalations per level.
            models.Index(fields=["escalated_to", "escalated_at"], name="petition_escalations"),
            # The station's public page: its closed items with a public result, newest first.
            models.Index(
                fields=["station", "-closed_at"],
                condition=models.Q(status="closed") & ~models.Q(public_result=""),
                name="petition_public_results",
            ),
            # The Open311 API's GET requests: newest first by registration time, within a window.
            models.Index(fields=["-registered_at", "-id"], name="petition_open311_requested"),
            models.Index(
                fields=["first_reply_due_at"],
                condition=models.Q(first_reply_due_at__isnull=False, first_replied_at__isnull=True),
                name="petition_awaiting_first_reply",
            ),
        ]

    def __str__(self):
        return self.tracking_number

    @property
    def is_online(self) -> bool:
        return self.channel in ONLINE_CHANNELS

    @property
    def first_reply_hours(self) -> int | None:
        return first_reply_hours(self.registered_at, self.first_reply_due_at)

    @property
    def awaits_first_reply(self) -> bool:
        return bool(self.first_reply_due_at and not self.first_replied_at)

    @property
    def is_open(self) -> bool:
        from petitions.handling.workflow import OPEN

        return self.status in OPEN

    def is_overdue(self, today=None) -> bool:
        """`PetitionQuerySet.overdue` for one item already loaded."""
        from petitions.handling.workflow import is_overdue

        return is_overdue(self.status, self.due_on, today or timezone.localdate())


class PetitionRepresentative(models.Model):
    """A representative on an item: who received it, or who follows it; their follow-up mark."""

    class Role(models.TextChoices):
        RECEIVED = "received", _("Received")
        FOLLOWING = "following", _("Following")

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="representative_links")
    representative = models.ForeignKey(
        "stations.Representative", on_delete=models.PROTECT, related_name="petition_links"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.RECEIVED)
    follow_up = models.BooleanField(_("marked for follow-up"), default=False)
    # Copied from the petition so a representative's ledger pages by one index.
    received_on = models.DateField(editable=False)

    objects = ScopedByPetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition representative")
        verbose_name_plural = _("petition representatives")
        constraints = [
            models.UniqueConstraint(fields=["petition", "representative"], name="petition_representative_once"),
        ]
        indexes = [
            models.Index(fields=["representative", "-received_on", "-petition"], name="petition_ledger_by_rep"),
        ]

    def __str__(self):
        return f"{self.representative_id} · {self.petition_id}"


class PetitionEvent(models.Model):
    """One row per change: who, when, what. Public rows appear on the tracking page."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="events")
    # One of `petitions.ledger.events.PetitionEventKind` (no choices here: a new kind needs no migration).
    kind = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Shown instead of a user for residents and the system ("居民", "系统").
    actor_label = models.CharField(max_length=64, blank=True)
    # The actor's display name when the row was written: the history keeps "who" whatever
    # later happens to the account (disabled, renamed, or deleted outside the admin).
    actor_name = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    # {"changes": {field: [old, new]}, ...}; never holds a full phone or ID number.
    data = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=False)
    public_text = models.TextField(blank=True)

    objects = ScopedByPetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["petition", "at"], name="petition_event_timeline"),
            # The Open311 API's servicerequestupdates: the public history by time.
            models.Index(fields=["at", "id"], condition=models.Q(is_public=True), name="petition_event_open311_public"),
        ]

    def __str__(self):
        return f"{self.petition_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class PetitionNote(models.Model):
    """A representative's or staff member's annotation; never shown to departments or residents."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedByPetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:40]


class SavedFilter(models.Model):
    """A named ledger filter a user keeps (the query string of the ledger page)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(_("name"), max_length=64)
    query = models.CharField(_("filter"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_name_unique_per_owner")]

    def __str__(self):
        return self.name
