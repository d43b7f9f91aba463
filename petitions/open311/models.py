"""Open311 (GeoReport v2) clients: the 12345 hotlines and city platforms that exchange items with us.

A client is scoped by one jurisdiction: it reads and files only items whose place lies
in it (`area_code` prefix, as for a committee office). Its key is shown once, when it is
made; only its SHA-256 is stored (a 256-bit random key needs no slow hash), with the
first characters kept to tell keys apart in the admin.
"""

import hashlib
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.jurisdictions import is_under, under_q

KEY_PREFIX_LENGTH = 8


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def new_submission_token() -> str:
    return uuid.uuid4().hex


class ApiClient(models.Model):
    name = models.CharField(_("name"), max_length=100)
    jurisdiction = models.ForeignKey(
        "liaison.Jurisdiction",
        verbose_name=_("jurisdiction served"),
        on_delete=models.PROTECT,
        related_name="api_clients",
        help_text=_("The client reads and files items only within this jurisdiction."),
    )
    default_station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("default station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Items the client files go to this station when their place lies in its area."),
    )
    key_prefix = models.CharField(_("key begins with"), max_length=KEY_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.key_hash:
            self.set_new_key()  # made without a key (shell, fixtures): one nobody knows until regenerated
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        station, place = self.default_station, self.jurisdiction if self.jurisdiction_id else None
        if station is not None and place is not None and not is_under(station.jurisdiction.code, place):
            raise ValidationError(
                {"default_station": _("The default station must lie within the jurisdiction served.")}
            )

    def set_new_key(self) -> str:
        """Give the client a new random key and return it: the only time it is ever readable.

        The caller saves the row; the old key stops working then."""
        raw = secrets.token_urlsafe(32)
        self.key_prefix = raw[:KEY_PREFIX_LENGTH]
        self.key_hash = hash_key(raw)
        return raw

    def scope_q(self, field: str = "area_code"):
        """Rows whose place lies in the client's jurisdiction (`field` names the area code)."""
        return under_q(self.jurisdiction, field)

    def petitions(self):
        """Every item whose place lies in the client's jurisdiction: the one scope of the API."""
        from petitions.models import Petition

        return Petition.objects.filter(self.scope_q())


class ApiSubmission(models.Model):
    """An item a client filed: who filed it, the token the spec hands back, the caller's references."""

    petition = models.OneToOneField(
        "petitions.Petition", verbose_name=_("petition"), on_delete=models.CASCADE, related_name="api_submission"
    )
    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.PROTECT, related_name="submissions"
    )
    token = models.CharField(max_length=32, unique=True, default=new_submission_token, editable=False)
    # The caller's own references (GeoReport `account_id`, `device_id`) and its media link.
    account_id = models.CharField(_("account"), max_length=100, blank=True)
    device_id = models.CharField(_("device"), max_length=100, blank=True)
    media_url = models.URLField(_("media link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("item filed by API")
        verbose_name_plural = _("items filed by API")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.token
