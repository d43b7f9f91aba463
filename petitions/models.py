"""Petitions: the ledger and its handling. This slice holds the handling units only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from liaison.access import prefix_q, scope_for

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        return self.filter(prefix_q("jurisdiction__code", scope.jurisdiction_prefixes) | models.Q(pk__in=scope.department_ids))


class Department(models.Model):
    """A handling unit (承办单位): a bureau, a street office, a court or procuratorate."""

    name = models.CharField(_("name"), max_length=100)
    jurisdiction = models.ForeignKey(
        "liaison.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="departments"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="departments"
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["jurisdiction__code", "name"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "name"], name="department_name_unique_in_jurisdiction")]

    def __str__(self):
        return self.name
