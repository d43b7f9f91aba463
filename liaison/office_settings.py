"""Settings an office sets for its jurisdiction, inherited downward: every rule about them, in one place.

The settings (`SETTINGS`): the reception days a year expected of a representative of each level
(the quotas), how many working days before a reception day the rostered representatives are told,
how many days before a department-head visit the station's representatives are told, within how
many hours an item sent online gets its first reply, and the signature in front of every text
message (【延庆区人大常委会】).

- Where they come from: an office's own values (`OfficeSettings`, one row per office, an empty
  field inherits). The value that applies at a place is the one of the nearest office at or above
  the place that sets it (the same way as the deadline rules), else the deployment default, the
  environment setting of `liaison/settings/base.py` (`effective`; `Effective.office` says which
  office, None for the default).
- Which place: a representative's quota by where they were elected (`Representative.jurisdiction`);
  a reception or visit notice by the event's station; an online item's first-reply hours by the
  item's place (fixed on the item when it is registered, `Petition.first_reply_due_at`); a text
  message by the place it is about (`liaison.outbox.outbox_rows` signs every one).
- Many places at once: `Book.load()` reads the rows once and answers any place without a query
  (a ranking, a reminders run, the hourly notices); `quota_case` puts the quotas into SQL for the
  attendance report and a plan's review.
- Who sets them: an office its own (`liaison.change_officesettings`), the system administrator any
  office's (`may_change`, `office_for_settings`); every change is one audit line with the values
  before and after (`office_settings_save`). The page is `liaison/views/office_settings.py`.

This module queries lazily (`liaison.models` imports the model from here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from liaison.jurisdictions import codes_above, codes_above_any, under_q

if TYPE_CHECKING:
    from liaison.models import Office, User

# Representative levels, as `stations.network.models.Level` (the keys of LIAISON_RECEPTION_QUOTAS).
LEVELS: dict[str, str] = {
    "national": _("National"),
    "provincial": _("Provincial"),
    "city": _("City"),
    "county": _("District or county"),
    "township": _("Township"),
}
QUOTA_MAX = 50
NOTICE_DAYS_MAX = 30
REPLY_HOURS_MAX = 168
SIGN_MIN, SIGN_MAX = 2, 20


def quota_field(level: str) -> str:
    return f"quota_{level}"


class OfficeSettings(models.Model):
    """An office's own settings for its jurisdiction; an empty field follows the office above
    (see the module). One row per office, made on its first change."""

    office = models.OneToOneField(
        "liaison.Office", verbose_name=_("committee office"), on_delete=models.PROTECT, related_name="own_settings"
    )
    quota_national = models.PositiveSmallIntegerField(_("quota: national representatives"), null=True, blank=True)
    quota_provincial = models.PositiveSmallIntegerField(_("quota: provincial representatives"), null=True, blank=True)
    quota_city = models.PositiveSmallIntegerField(_("quota: city representatives"), null=True, blank=True)
    quota_county = models.PositiveSmallIntegerField(_("quota: county representatives"), null=True, blank=True)
    quota_township = models.PositiveSmallIntegerField(_("quota: township representatives"), null=True, blank=True)
    reception_notice_working_days = models.PositiveSmallIntegerField(
        _("reception-day notice (working days ahead)"), null=True, blank=True
    )
    visit_notice_days = models.PositiveSmallIntegerField(
        _("department-head visit notice (days ahead)"), null=True, blank=True
    )
    online_reply_hours = models.PositiveSmallIntegerField(
        _("first reply to online items (hours)"), null=True, blank=True
    )
    sms_sign_name = models.CharField(
        _("SMS signature"), max_length=SIGN_MAX, blank=True, help_text=_("Without the brackets 【】.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "liaison"
        verbose_name = _("office settings")
        verbose_name_plural = _("office settings")
        constraints = [
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{quota_field(level)}__isnull": True})
                    | Q(**{f"{quota_field(level)}__lte": QUOTA_MAX}),
                    name=f"office_settings_{quota_field(level)}_range",
                )
                for level in LEVELS
            ],
            models.CheckConstraint(
                condition=Q(reception_notice_working_days__isnull=True)
                | Q(reception_notice_working_days__gte=1, reception_notice_working_days__lte=NOTICE_DAYS_MAX),
                name="office_settings_reception_notice_range",
            ),
            models.CheckConstraint(
                condition=Q(visit_notice_days__isnull=True)
                | Q(visit_notice_days__gte=1, visit_notice_days__lte=NOTICE_DAYS_MAX),
                name="office_settings_visit_notice_range",
            ),
            models.CheckConstraint(
                condition=Q(online_reply_hours__isnull=True)
                | Q(online_reply_hours__gte=1, online_reply_hours__lte=REPLY_HOURS_MAX),
                name="office_settings_reply_hours_range",
            ),
        ]

    def __str__(self):
        return str(self.office)


# -- the settings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    field: str  # the field of OfficeSettings
    label: str
    unit: str
    default: Callable[[], object]  # the deployment default (the environment, liaison/settings/base.py)
    low: int | None = None
    high: int | None = None


def _quota_default(level: str) -> Callable[[], int]:
    return lambda: settings.LIAISON_RECEPTION_QUOTAS.get(level, 0)


SETTINGS: tuple[Setting, ...] = (
    *[
        Setting(quota_field(level), label, _("reception days a year"), _quota_default(level), 0, QUOTA_MAX)
        for level, label in LEVELS.items()
    ],
    Setting(
        "reception_notice_working_days",
        _("Reception-day notice to the rostered representatives"),
        _("working days ahead"),
        lambda: settings.LIAISON_RECEPTION_NOTICE_WORKING_DAYS,
        1,
        NOTICE_DAYS_MAX,
    ),
    Setting(
        "visit_notice_days",
        _("Department-head visit notice to the station's representatives"),
        _("days ahead"),
        lambda: settings.LIAISON_VISIT_NOTICE_DAYS,
        1,
        NOTICE_DAYS_MAX,
    ),
    Setting(
        "online_reply_hours",
        _("First reply to an item sent online"),
        _("hours"),
        lambda: settings.LIAISON_ONLINE_REPLY_HOURS,
        1,
        REPLY_HOURS_MAX,
    ),
    Setting("sms_sign_name", _("SMS signature"), "", lambda: settings.LIAISON_SMS_SIGN_NAME),
)
BY_FIELD: dict[str, Setting] = {s.field: s for s in SETTINGS}
FIELDS: tuple[str, ...] = tuple(BY_FIELD)


def _is_set(value) -> bool:
    return value is not None and value != ""


@dataclass(frozen=True)
class Effective:
    """The value that applies at a place, and the office it comes from (None: the deployment default)."""

    value: object
    office: Office | None = None

    @property
    def source(self) -> str:
        return self.office.name if self.office is not None else str(_("deployment default"))


class Book:
    """The settings rows of some offices, loaded in one query; answers a place without a query."""

    def __init__(self, rows: Iterable[OfficeSettings]):
        # The jurisdiction's code → the office's row (each office has one jurisdiction).
        self.by_code: dict[str, OfficeSettings] = {row.office.jurisdiction.code: row for row in rows}

    @classmethod
    def load(cls, places: Iterable[str] | None = None) -> Book:
        """Every office's row, or only those of the offices at or above `places` (12-digit codes)."""
        rows = OfficeSettings.objects.select_related("office__jurisdiction")
        if places is not None:
            codes = codes_above_any(p for p in places if p)
            rows = rows.filter(office__jurisdiction__code__in=sorted(codes))
        return cls(rows)

    def effective(self, field: str, place: str) -> Effective:
        """The value of `field` at the place `place`: the nearest office at or above it that sets it,
        else the deployment default. An empty place gets the default."""
        for code in reversed(codes_above(place or "")):
            row = self.by_code.get(code)
            if row is not None and _is_set(value := getattr(row, field)):
                return Effective(value, row.office)
        return Effective(BY_FIELD[field].default(), None)

    def value(self, field: str, place: str):
        return self.effective(field, place).value

    def quota(self, level: str, place: str) -> int:
        """Reception days a year expected of a representative of `level` elected at `place`."""
        return self.value(quota_field(level), place) if level in LEVELS else 0

    def quotas(self, place: str) -> dict[str, int]:
        return {level: self.quota(level, place) for level in LEVELS}

    def sms_sign(self, place: str) -> str:
        return self.value("sms_sign_name", place)

    def signed(self, text: str, place: str) -> str:
        """A text message as the phone shows it: the signature of the place, then the text."""
        return f"【{self.sms_sign(place)}】{text}"


# -- one place at a time (one query each) ---------------------------------------------------------


def effective(field: str, place: str) -> Effective:
    return Book.load([place]).effective(field, place)


def quota(level: str, place: str) -> int:
    return Book.load([place]).quota(level, place)


def quotas(place: str) -> dict[str, int]:
    return Book.load([place]).quotas(place)


def reception_notice_working_days(place: str) -> int:
    return effective("reception_notice_working_days", place).value


def visit_notice_days(place: str) -> int:
    return effective("visit_notice_days", place).value


def online_reply_hours(place: str) -> int:
    return effective("online_reply_hours", place).value


def signed(text: str, place: str) -> str:
    return Book.load([place]).signed(text, place)


def quota_case(*, level_field: str = "level", code_field: str = "jurisdiction__code", book: Book | None = None) -> Case:
    """The quota of each representative row as an SQL expression: by its level (`level_field`) and
    where it was elected (`code_field`, a 12-digit code). The offices that set a quota come first,
    deepest first (CASE takes the first match), then the deployment defaults."""
    book = book or Book.load()
    whens = []
    for row in sorted(book.by_code.values(), key=lambda r: len(r.office.jurisdiction.prefix), reverse=True):
        for level in LEVELS:
            value = getattr(row, quota_field(level))
            if value is not None:
                condition = Q(**{level_field: level}) & under_q(row.office.jurisdiction, code_field)
                whens.append(When(condition, then=Value(value)))
    for level in LEVELS:
        whens.append(When(**{level_field: level}, then=Value(BY_FIELD[quota_field(level)].default())))
    return Case(*whens, default=Value(0), output_field=IntegerField())


# -- the page: who, what it shows, the write --------------------------------------------------------


def may_change(user: User, office: Office) -> bool:
    """An office changes its own settings; the system administrator those of any office."""
    from liaison.offices import office_of

    if not user.has_perm("liaison.change_officesettings"):
        return False
    if user.is_system_admin:
        return True
    own = office_of(user)
    return own is not None and own.pk == office.pk


def office_for_settings(user: User, pk: object) -> Office:
    """The office whose settings page `user` opens: any for the administrator, its own for an
    office; Http404 for a missing office and another office alike (the caller checked the
    permission first)."""
    from liaison.models import Office
    from liaison.offices import office_of

    try:
        office = Office.objects.select_related("jurisdiction").get(pk=int(pk))
    except (Office.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if user.is_system_admin:
        return office
    own = office_of(user)
    if own is None or own.pk != office.pk:
        raise Http404
    return office


@dataclass
class Row:
    """One setting on the page: the office's own value ('' or None: inherited) and what applies."""

    setting: Setting
    own: object
    effective: Effective
    inherited: Effective  # what would apply without the office's own value


def rows_for(office: Office) -> list[Row]:
    """Each setting of `office`: its own value, the value that applies in its jurisdiction, and the
    one it would inherit from above (one query)."""
    code = office.jurisdiction.code
    book = Book.load([code])
    own = book.by_code.get(code)
    above = Book([row for c, row in book.by_code.items() if c != code])
    return [
        Row(
            setting=s,
            own=getattr(own, s.field) if own is not None else None,
            effective=book.effective(s.field, code),
            inherited=above.effective(s.field, code),
        )
        for s in SETTINGS
    ]


def office_settings_save(*, office: Office, actor: User, values: dict) -> dict[str, tuple]:
    """Set or clear `office`'s own settings: `values` maps fields to a value, or None / "" to
    follow the office above again. Writes one audit line (NETWORK) with the changed fields'
    values before and after; returns {field: (before, after)} of what changed (nothing written
    when nothing did). PermissionDenied unless `may_change`."""
    from liaison import audit

    if not may_change(actor, office):
        raise PermissionDenied
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"not office settings: {sorted(unknown)}")
    with transaction.atomic():
        own = _locked_row(office)
        changes = {}
        for field, value in values.items():
            before = getattr(own, field)
            after = ("" if field == "sms_sign_name" else None) if value in (None, "") else value
            if before != after:
                changes[field] = (before, after)
                setattr(own, field, after)
        if not changes:
            return {}
        own.updated_by = actor
        own.save()
        audit.record(
            audit.Action.NETWORK,
            actor=actor,
            obj=office,
            detail={
                "change": "changed",
                "before": {f: before for f, (before, _after) in changes.items()},
                "after": {f: after for f, (_before, after) in changes.items()},
            },
        )
    return changes


def _locked_row(office: Office) -> OfficeSettings:
    try:
        with transaction.atomic():
            own, _created = OfficeSettings.objects.select_for_update().get_or_create(office=office)
    except IntegrityError:  # made by a concurrent first change: take that one
        own = OfficeSettings.objects.select_for_update().get(office=office)
    return own
