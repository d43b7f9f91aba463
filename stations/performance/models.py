"""The representative's performance record (履职档案): scoring rules and the annual report to voters.

The figures themselves are not stored: they are counted from the reception days,
petitions and suggestions already in the system (`stations.performance.services`). What is
stored is how they are scored (per jurisdiction, like the deadline rules) and the
representative's own text of the annual report (述职报告).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Activity(models.TextChoices):
    ATTENDED = "attended", _("Reception day attended")
    MISSED = "missed", _("Rostered day missed")
    QUOTA_MET = "quota_met", _("Yearly quota of reception days met")
    RECEIVED = "received", _("Petition received")
    ONLINE_24H = "online_24h", _("Online item answered within 24 hours")
    LED = "led", _("Suggestion led")
    COSIGNED = "cosigned", _("Suggestion co-signed")
    FOLLOW_UP = "follow_up", _("Item followed up")
    RATING = "rating", _("Rating given")


# activity: (points, cap, weight). A penalty has negative points; its cap bounds the points taken.
DEFAULT_SCORING: dict[str, tuple[Decimal, Decimal | None, Decimal]] = {
    Activity.ATTENDED: (Decimal("3"), Decimal("30"), Decimal("1")),
    Activity.MISSED: (Decimal("-2"), Decimal("10"), Decimal("1")),
    Activity.QUOTA_MET: (Decimal("5"), None, Decimal("1")),
    Activity.RECEIVED: (Decimal("1"), Decimal("30"), Decimal("1")),
    Activity.ONLINE_24H: (Decimal("2"), Decimal("20"), Decimal("1")),
    Activity.LED: (Decimal("5"), Decimal("20"), Decimal("1")),
    Activity.COSIGNED: (Decimal("2"), Decimal("10"), Decimal("1")),
    Activity.FOLLOW_UP: (Decimal("1"), Decimal("10"), Decimal("1")),
    Activity.RATING: (Decimal("1"), Decimal("10"), Decimal("1")),
}


class ScoringRule(models.Model):
    """Points for one activity in the annual evaluation. Rows without a jurisdiction are the
    defaults the administrator sets; a committee office may set its own for the representatives
    elected in its jurisdiction, and the rule of the nearest jurisdiction above applies."""

    jurisdiction = models.ForeignKey(
        "liaison.Jurisdiction",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the default for every jurisdiction without its own rule."),
    )
    activity = models.CharField(_("activity"), max_length=16, choices=Activity.choices)
    points = models.DecimalField(
        _("points each"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))],
    )
    cap = models.DecimalField(
        _("at most"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
        help_text=_("The most points this activity gives (or takes) in a year; empty for no limit."),
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        ordering = ["jurisdiction__code", "activity"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity"], condition=models.Q(jurisdiction__isnull=True), name="scoring_rule_default_once"
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "activity"],
                condition=models.Q(jurisdiction__isnull=False),
                name="scoring_rule_once_per_jurisdiction",
            ),
            models.CheckConstraint(
                condition=models.Q(activity__in=[a.value for a in Activity]), name="scoring_rule_activity_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(cap__isnull=True) | models.Q(cap__gte=0), name="scoring_rule_cap_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="scoring_rule_weight_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_activity_display()}: {self.points}"


class PerformanceReport(models.Model):
    """The representative's annual report to the voters (述职报告): a draft generated from the
    record, then edited by the representative. `version` refuses an edit made on a stale page."""

    representative = models.ForeignKey(
        "stations.Representative",
        verbose_name=_("representative"),
        on_delete=models.PROTECT,
        related_name="performance_reports",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    text = models.TextField(_("report"), max_length=20000)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("annual report to voters")
        verbose_name_plural = _("annual reports to voters")
        ordering = ["-year", "representative__name"]
        permissions = [
            (
                "view_performancerecord",
                _("Can see the performance records and the ranking of representatives in scope"),
            ),
            ("view_own_performancerecord", _("Can see their own performance record")),
            ("change_own_performancereport", _("Can edit their own annual report to voters")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["representative", "year"], name="performance_report_once_per_year"),
        ]

    def __str__(self):
        return f"{self.representative} {self.year}"
