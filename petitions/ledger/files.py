"""Models of the files a petition carries: its attachments (`PetitionAttachment`) and the uploads
staged while a form still has errors (`StagedUpload`). `petitions.models` gathers them with the
ledger's other models; migrations name `petitions.models.new_token` and `attachment_path`."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from petitions.ledger.models import Petition
from petitions.ledger.querysets import ScopedByPetitionQuerySet


def new_token() -> str:
    return uuid.uuid4().hex


def attachment_path(instance, filename):
    # Generated names only: the resident's file name never reaches the disk.
    return f"petitions/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class PetitionAttachment(models.Model):
    """A photo or document; images are re-encoded without EXIF/GPS; served only through a scoped view."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Set for files a department sent with its reply.
    reply = models.ForeignKey(
        "petitions.DepartmentReply", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )

    objects = ScopedByPetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class StagedUpload(models.Model):
    """A file checked and stored while its form still has errors, so nobody uploads it twice.

    Bound to the session that uploaded it (`owner_key`); claimed by the petition
    that is finally saved, or purged after a day.
    """

    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    owner_key = models.CharField(max_length=64, db_index=True)
    file = models.FileField(upload_to="staged/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        verbose_name = _("staged upload")
        verbose_name_plural = _("staged uploads")

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
