"""A committee working body (委室 / 专门委员会): part of a committee office that coordinates a set
of departments (seed 004: 「区人大常委会机关8个委室按照工作职责统筹联系协调进站机关59个」).

Its staff (accounts of role `Role.WORKING_BODY`, of the office's jurisdiction, listed as its
`members`) see the items of its departments, supervise and urge them, read the department
evaluation of those departments, organise the departments' head visits and record the
pre-handling meetings of the suggestions assigned to them (`liaison.access`, `liaison.auth`, the
policies). The office keeps its working bodies on its page (`liaison.bodies.views`); a body is
deactivated, never deleted.

`liaison.models` gathers this model (it imports nothing from there).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkingBodyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The system administrator: every body; a committee office: the bodies of its office;
        working-body staff: the active bodies of their office they belong to (as their scope,
        `liaison.access`); nobody else any."""
        from liaison.access import scope_for
        from liaison.models import Role

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if scope_for(user).everything:
            return self.all()
        if user.role == Role.COMMITTEE_OFFICE and user.jurisdiction_id:
            return self.filter(office__jurisdiction_id=user.jurisdiction_id)
        if user.role == Role.WORKING_BODY:
            return self.filter(members=user, is_active=True, office__jurisdiction_id=user.jurisdiction_id)
        return self.none()

    def active(self):
        return self.filter(is_active=True)


class WorkingBody(models.Model):
    """One working body of one office: its name, the departments it coordinates, its staff."""

    office = models.ForeignKey(
        "liaison.Office", verbose_name=_("Committee office"), on_delete=models.PROTECT, related_name="working_bodies"
    )
    name = models.CharField(_("name"), max_length=64, help_text=_("For example: 城建环保委."))
    departments = models.ManyToManyField(
        "petitions.Department",
        verbose_name=_("departments coordinated"),
        blank=True,
        related_name="working_bodies",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff"), blank=True, related_name="working_bodies"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = WorkingBodyQuerySet.as_manager()

    class Meta:
        app_label = "liaison"
        verbose_name = _("working body")
        verbose_name_plural = _("working bodies")
        ordering = ["office__jurisdiction__code", "name"]
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="working_body_name_unique_in_office")]

    def __str__(self):
        return self.name
