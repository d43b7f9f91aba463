"""Who sees a petitioner's identity, and how much of it.

The rule, as the QR form's notice (templates/public/petition_form.html) tells residents:
- Station staff (`petitions.view_petitioner`) see names, phones and addresses in
  full: they call residents back.
- Representatives and the committee office see them masked (张*, 138****5678)
  and may reveal one value at a time (`petitions.reveal_petitioner`), saying why
  (`RevealPurpose`), at most `LIAISON_REVEALS_PER_HOUR` a hour; each reveal is
  a `revealed` event with its purpose.
- Departments see them masked and never reveal them; they never see a
  confidential or anonymous petitioner at all.
- The public tracking page never shows identity at all.
ID numbers are stored masked (first 4 and last 4 digits) and shown only so.
"""

import enum
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REVEALABLE = ("petitioner_name", "petitioner_phone", "petitioner_address")


class Access(enum.Enum):
    FULL = "full"
    MASKED = "masked"
    HIDDEN = "hidden"


def access(user, petition) -> Access:
    """How much of this petition's petitioner `user` may see (the petition is in their scope)."""
    protected = petition.is_confidential or petition.is_anonymous
    if protected and not user.has_perm("petitions.view_protected_petitioner"):
        return Access.HIDDEN
    if user.has_perm("petitions.view_petitioner"):
        return Access.FULL
    if user.has_perm("petitions.view_petition"):
        return Access.MASKED
    return Access.HIDDEN


def may_reveal(user, petition) -> bool:
    """Whether `user` may see a value of this petitioner in full (the petition is in their scope)."""
    level = access(user, petition)
    return level is Access.FULL or (level is Access.MASKED and user.has_perm("petitions.reveal_petitioner"))


class RevealPurpose(models.TextChoices):
    """Why someone needs a petitioner's full name, phone or address; stored with the reveal."""

    CONTACT = "contact", gettext_lazy("To contact the resident about this item")
    VERIFY = "verify", gettext_lazy("To check who sent it (a duplicate or linked item)")
    FEEDBACK = "feedback", gettext_lazy("To give the resident the answer")
    OTHER = "other", gettext_lazy("Another reason (write it)")


def reveals_in_the_last_hour(user) -> int:
    """How many values `user` revealed in the past 60 minutes (their `revealed` events)."""
    from petitions.ledger.events import PetitionEventKind
    from petitions.models import PetitionEvent

    since = timezone.now() - timedelta(hours=1)
    return PetitionEvent.objects.filter(actor=user, kind=PetitionEventKind.REVEALED, at__gte=since).count()


def reveal_limit() -> int:
    return settings.LIAISON_REVEALS_PER_HOUR


def mask_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, min(len(name) - 1, 3))


def mask_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "****" + phone[-4:]


def mask_address(address: str) -> str:
    address = (address or "").strip()
    if len(address) <= 6:
        return address[:2] + "***" if address else ""
    return address[:6] + "***"


def mask_id_number(raw: str) -> str:
    """18-digit ID → 1101**********123X; anything shorter keeps only its last 4."""
    raw = (raw or "").strip().upper()
    if len(raw) <= 8:
        return "*" * max(0, len(raw) - 4) + raw[-4:]
    return raw[:4] + "*" * (len(raw) - 8) + raw[-4:]


_MASKERS = {
    "petitioner_name": mask_name,
    "petitioner_phone": mask_phone,
    "petitioner_address": mask_address,
    "id_number_masked": lambda v: v,
}


def mask_for_history(field: str, value: str) -> str:
    return _MASKERS.get(field, lambda v: v)(value)


class Petitioner:
    """The petitioner as one user may see them: `name`, `phone`, `address`, `id_number`.

    `hidden_label` replaces everything for departments of confidential items and
    for anonymous ones; `can_reveal` says whether the reveal action applies.
    """

    def __init__(self, user, petition, level: Access | None = None):
        self.level = level or access(user, petition)
        self.user = user
        self.petition = petition
        self.is_anonymous = petition.is_anonymous

    def _value(self, field):
        raw = getattr(self.petition, field) or ""
        if self.level is Access.FULL:
            return raw
        if self.level is Access.MASKED:
            return _MASKERS[field](raw)
        return ""

    @property
    def name(self) -> str:
        if self.level is Access.HIDDEN:
            return _("Anonymous") if self.is_anonymous else _("Confidential")
        if self.is_anonymous and not self.petition.petitioner_name:
            return _("Anonymous")
        return self._value("petitioner_name")

    @property
    def phone(self) -> str:
        return self._value("petitioner_phone")

    @property
    def address(self) -> str:
        return self._value("petitioner_address")

    @property
    def id_number(self) -> str:
        return self.petition.id_number_masked if self.level is not Access.HIDDEN else ""

    @property
    def can_reveal(self) -> bool:
        return self.level is Access.MASKED and bool(self.user) and self.user.has_perm("petitions.reveal_petitioner")

    @property
    def is_hidden(self) -> bool:
        return self.level is Access.HIDDEN
