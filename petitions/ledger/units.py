"""Models of what a petition is filed under and handed to: the handling units (`Department`,
承办单位) and the two-level category taxonomy (`Category`). `petitions.models` gathers them with
the ledger's other models."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from liaison.access import scope_for
        from liaison.jurisdictions import under_q

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        return self.filter(
            under_q(scope.jurisdiction_prefixes, "jurisdiction__code") | models.Q(pk__in=scope.department_ids)
        )


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
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="department_name_unique_in_jurisdiction")
        ]

    def __str__(self):
        return self.name


class Category(models.Model):
    """A node of the two-level taxonomy (e.g. 城市管理 › 停车); editable in admin."""

    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_name_unique_under_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent__isnull=True), name="category_top_name_unique"
            ),
        ]

    def __str__(self):
        if self.parent_id:
            return f"{self.parent.name} › {self.name}"
        return self.name

    def save(self, *args, **kwargs):
        # Two levels only: a child's parent is always a top-level node.
        if self.parent_id and self.parent.parent_id:
            self.parent_id = self.parent.parent_id
        super().save(*args, **kwargs)
