"""Core models: the jurisdiction tree, committee offices, users with roles, background jobs, the
working-day calendar's entries (defined in `liaison.calendar_models`), the inbox and the outbox."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The calendar's entries live beside (the module stays readable); imported here, as Django and the
# rest of the code expect every model of the app in `liaison.models`.
from liaison.calendar_models import CalendarChange, CalendarDay  # noqa: F401
from liaison.jurisdictions import LEVEL_DIGITS, codes_above, is_under
from liaison.querysets import AuditQuerySet, JobQuerySet, JurisdictionQuerySet, OutboxQuerySet


class Role(models.TextChoices):
    STATION_STAFF = "station_staff", _("Station staff")
    REPRESENTATIVE = "representative", _("Representative")
    DEPARTMENT = "department", _("Department user")
    COMMITTEE_OFFICE = "committee_office", _("Committee office")
    WORKING_BODY = "working_body", _("Working body staff")
    ADMIN = "admin", _("System administrator")


class Jurisdiction(models.Model):
    """One node of the administrative tree, keyed by its official 12-digit code.

    Official codes nest by prefix (2 digits province, 4 city, 6 county, 9
    township, 12 community); every rule about the tree (ancestors, "under this
    code", the nearest rule above a place) lives in `liaison.jurisdictions`.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("District or county")
        TOWNSHIP = "township", _("Street or township")
        COMMUNITY = "community", _("Community or village")

    PREFIX_LENGTH = {level: LEVEL_DIGITS[level] for level in Level}
    PARENT_LEVEL = {
        Level.CITY: Level.PROVINCE,
        Level.COUNTY: Level.CITY,
        Level.TOWNSHIP: Level.COUNTY,
        Level.COMMUNITY: Level.TOWNSHIP,
    }

    code = models.CharField(
        _("administrative code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", _("An administrative code has exactly 12 digits."))],
    )
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=["province", "city", "county", "township", "community"]),
                name="jurisdiction_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(level="province", parent__isnull=True)
                | (~models.Q(level="province") & models.Q(parent__isnull=False)),
                name="jurisdiction_only_provinces_are_roots",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: self.PREFIX_LENGTH[self.level]]

    def ancestor_codes(self) -> list[str]:
        """Codes of the ancestors, root first (derived from the code itself, no query)."""
        return codes_above(self.prefix, include_self=False)

    def path(self) -> list["Jurisdiction"]:
        """This node and its ancestors, root first, in one query."""
        nodes = {j.code: j for j in Jurisdiction.objects.filter(code__in=self.ancestor_codes())}
        return [nodes[c] for c in self.ancestor_codes() if c in nodes] + [self]

    def clean(self):
        super().clean()
        if not self.code or not self.level:
            return
        expected_parent = self.PARENT_LEVEL.get(self.level)
        if expected_parent is None:
            if self.parent_id:
                raise ValidationError({"parent": _("A province has no parent.")})
        elif self.parent is None or self.parent.level != expected_parent:
            raise ValidationError(
                {
                    "parent": _("The parent of this level must be a %(level)s.")
                    % {"level": self.Level(expected_parent).label}
                }
            )
        elif not is_under(self.code, self.parent):
            raise ValidationError(
                {"code": _("The code must begin with the parent's code %(prefix)s.") % {"prefix": self.parent.prefix}}
            )
        if self.code[len(self.prefix) :].strip("0"):
            raise ValidationError(
                {"code": _("Digits after position %(n)s must be 0 at this level.") % {"n": len(self.prefix)}}
            )


class Office(models.Model):
    """A committee office: the standing committee of a province, city or county congress, a
    township congress presidium or a street 人大工委. It owns the items of the stations it is
    responsible for (`stations.Station.office`, else the nearest office above the station) and
    triages, assigns and closes them; offices above read and supervise (`liaison.offices`).

    Its accounts are the committee-office users of its jurisdiction (`User.jurisdiction`); an
    office comes into being with its first account (`User.save`) or from the seed.
    """

    class Kind(models.TextChoices):
        STANDING_COMMITTEE = "standing_committee", _("People's congress standing committee")
        PRESIDIUM = "presidium", _("Township people's congress presidium")
        WORKING_COMMITTEE = "working_committee", _("Street people's congress working committee")

    jurisdiction = models.OneToOneField(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="office"
    )
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.STANDING_COMMITTEE)

    class Meta:
        verbose_name = _("committee office")
        verbose_name_plural = _("committee offices")
        ordering = ["jurisdiction__code"]

    def __str__(self):
        return self.name

    @property
    def level(self) -> str:
        return self.jurisdiction.level

    @staticmethod
    def default_name(jurisdiction: Jurisdiction) -> tuple[str, str]:
        """The usual name and kind of the office of `jurisdiction` (data, in the offices' own words):
        延庆区 → 延庆区人大常委会; 延庆镇 → 延庆镇人大主席团; 建外街道 → 建外街道人大工委."""
        if jurisdiction.level != Jurisdiction.Level.TOWNSHIP:
            return f"{jurisdiction.name}人大常委会", Office.Kind.STANDING_COMMITTEE
        if jurisdiction.name.endswith("街道"):
            return f"{jurisdiction.name}人大工委", Office.Kind.WORKING_COMMITTEE
        return f"{jurisdiction.name}人大主席团", Office.Kind.PRESIDIUM


class LiaisonUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """An account. What it may see comes from its role and memberships (see liaison.access).

    Station staff are linked through Station.staff, representatives through
    Representative.user, department users through Department.members.
    """

    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(
        _("mobile phone"),
        max_length=11,
        blank=True,
        validators=[RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))],
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.STATION_STAFF)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_(
            "Committee office accounts see everything under this jurisdiction; working-body staff work for its office."
        ),
    )

    objects = LiaisonUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="committee_office") | models.Q(jurisdiction__isnull=False),
                name="user_committee_office_has_jurisdiction",
            ),
            # Working-body staff belong to the office of their jurisdiction (liaison.bodies).
            models.CheckConstraint(
                condition=~models.Q(role="working_body") | models.Q(jurisdiction__isnull=False),
                name="user_working_body_has_jurisdiction",
                violation_error_message=_("Give a working body's staff account the jurisdiction of its office."),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_system_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    def save(self, *args, **kwargs):
        """A committee-office account belongs to the office of its jurisdiction: the first
        account of a jurisdiction brings its office into being (named as offices usually are,
        renamed by the administrator), whichever way the account is made (admin, seed, roster)."""
        super().save(*args, **kwargs)
        if (
            self.role == Role.COMMITTEE_OFFICE
            and self.jurisdiction_id
            and not Office.objects.filter(jurisdiction_id=self.jurisdiction_id).exists()
        ):
            name, kind = Office.default_name(self.jurisdiction)
            Office.objects.get_or_create(jurisdiction_id=self.jurisdiction_id, defaults={"name": name, "kind": kind})


def job_result_path(job, filename):
    return f"jobs/{job.created_at:%Y/%m}/{uuid.uuid4().hex}.xlsx"


class Job(models.Model):
    """Work that takes seconds (imports, exports) run by a Celery worker.

    The page that started it polls `progress_done / progress_total`; the result
    file is downloadable by the owner only until `JOB_RESULT_TTL` passes.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField(_("message"), blank=True)
    errors = models.JSONField(default=list, blank=True)
    upload = models.FileField(upload_to="jobs/uploads/%Y/%m/", blank=True)
    result_file = models.FileField(upload_to=job_result_path, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When it was last handed to the broker; empty while the broker was down (liaison.jobs.job_queue).
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_by_owner_recent")]

    def __str__(self):
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class Notification(models.Model):
    """One message in a user's in-app inbox (written by the outbox's inbox channel)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_by_user")]

    def __str__(self):
        return self.subject


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class OutboxMessage(models.Model):
    """A message to send, written in the same transaction as its cause.

    `key` names the cause and the recipient (e.g. ``reception:41:rep:7:notice``);
    with the channel it is unique, so writing the same notice twice (beat
    firing twice, a task retried) stores it once and sends it once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    key = models.CharField(_("key"), max_length=200)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    topic = models.CharField(
        _("topic"), max_length=64, help_text=_("What caused the message, e.g. a reception notice.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient_name = models.CharField(_("recipient"), max_length=100)
    address = models.CharField(_("address"), max_length=254, blank=True, help_text=_("Email address or mobile number."))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    # Scoping: the station (and so jurisdiction) the message is about, if any.
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel"], name="outbox_once_per_key_channel"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed", "cancelled"]), name="outbox_status_valid"
            ),
        ]
        indexes = [
            # The sender's query: pending rows whose next attempt is due.
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="outbox_pending_due"),
            models.Index(fields=["status", "-created_at"], name="outbox_by_status_recent"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient_name}: {self.subject}"


class AuditEntry(models.Model):
    """One line of the security audit log (等保 2.0): who did what to which object, from where, when.

    Append-only: rows are written by `liaison.audit.record` and never changed or deleted (on
    PostgreSQL a trigger refuses UPDATE and DELETE, see migration 0003); they are kept at least
    `AUDIT_RETENTION_DAYS`. The user's name and the object's label are copied at write time so a
    line still says "who" and "what" when the account or the object changes later.
    `area_code` (the 12-digit code of the object's place, else the actor's) scopes the log for a
    committee office.
    """

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_OUT = "sign_out", _("Signed out")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        LOCKOUT = "lockout", _("Account locked")
        REVEAL = "reveal", _("Personal data revealed")
        EXPORT = "export", _("Export or download")
        ACCOUNT = "account", _("Account or role change")
        NETWORK = "network", _("Network change")
        CALENDAR = "calendar", _("Calendar change")
        STATUS = "status", _("Status change")
        TWOFACTOR_ENROL = "2fa_enrol", _("Second factor switched on")
        TWOFACTOR_DISABLE = "2fa_disable", _("Second factor switched off")
        TWOFACTOR_FAILED = "2fa_failed", _("Wrong second-factor code")
        TWOFACTOR_RECOVERY = "2fa_recovery", _("Recovery code used")
        TWOFACTOR_CODES = "2fa_codes", _("Recovery codes renewed")

    class Result(models.TextChoices):
        SUCCESS = "success", _("Succeeded")
        FAILURE = "failure", _("Failed")

    at = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user_label = models.CharField(_("user name"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_pk = models.CharField(_("object ID"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices, default=Result.SUCCESS)
    area_code = models.CharField(_("area code"), max_length=12, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)
        indexes = [
            # The search page: newest first, within an office's code range.
            models.Index(fields=["-at", "-id"], name="audit_recent"),
            models.Index(fields=["area_code", "-at"], name="audit_by_area_recent"),
            models.Index(fields=["user", "-at"], name="audit_by_user_recent"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.user_label} {self.get_action_display()}"


class TwoFactorDevice(models.Model):
    """A user's authenticator app (TOTP, RFC 6238) and recovery codes; written only by
    `liaison.twofactor`. Switching off keeps the row (`disabled_at`); one active row per user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="twofactor_devices"
    )
    secret = models.CharField(_("secret (sealed)"), max_length=128, editable=False)
    created_at = models.DateTimeField(_("switched on"), default=timezone.now)
    disabled_at = models.DateTimeField(_("switched off"), null=True, blank=True)
    last_step = models.BigIntegerField(default=0, editable=False)  # the last code's time step: no replay
    recovery_codes = models.JSONField(default=list, editable=False)  # [{"hash", "used_at"}]
    failures = models.PositiveSmallIntegerField(default=0)  # wrong codes in a row
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("second factor")
        verbose_name_plural = _("second factors")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(disabled_at__isnull=True), name="twofactor_one_active_per_user"
            ),
        ]

    def __str__(self):
        return str(self.user)


from liaison.bodies.models import WorkingBody  # noqa: E402, F401 - gathered here, as Django looks for models
from liaison.office_settings import OfficeSettings  # noqa: E402, F401  (the model lives beside its rule)
