"""Forms of the performance pages: the ranking's filter bar, the scoring rules, the annual report.
They validate only; the services in `stations.performance.services` write."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.models import Jurisdiction
from stations.models import Level
from stations.network.filters import area_choices, filter_bar_helper


def year_choices():
    this_year = timezone.localdate().year
    return [(y, str(y)) for y in range(this_year, this_year - 6, -1)]


class RankingFilterForm(forms.Form):
    """The ranking's filter bar (GET); the jurisdictions come from the user's scope."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), required=False, queryset=Jurisdiction.objects.none(), empty_label=_("All areas")
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices])

    def __init__(self, data, *, user):
        data = data.copy()
        data.setdefault("year", str(timezone.localdate().year))
        super().__init__(data)
        self.fields["year"].choices = year_choices()
        self.fields["jurisdiction"].queryset = area_choices(user)
        self.helper = filter_bar_helper(
            "year",
            "jurisdiction",
            "level",
            widths={"year": "col-4 col-md-2 col-xl-1", "jurisdiction": "col-8 col-md-3", "level": "col-6 col-md-2"},
        )

    def filters(self) -> dict:
        if self.is_valid():
            return self.cleaned_data
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}

    @property
    def selected_year(self) -> int:
        return self.filters().get("year") or timezone.localdate().year


_SMALL = {"class": "form-control form-control-sm text-end", "inputmode": "decimal"}


class ScoringRuleForm(forms.Form):
    """One activity of the rules page: this jurisdiction's own numbers, or follow the rule above."""

    own = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    points = forms.DecimalField(
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("-100"),
        max_value=Decimal("100"),
        widget=forms.TextInput(attrs=_SMALL),
        error_messages={
            "required": _("Enter the points."),
            "invalid": _("Enter a number, for example 2 or -1.5."),
            "min_value": _("Enter a number between -100 and 100."),
            "max_value": _("Enter a number between -100 and 100."),
            "max_decimal_places": _("Use at most one decimal place."),
            "max_digits": _("Enter a number between -100 and 100."),
        },
    )
    cap = forms.DecimalField(
        required=False,
        max_digits=6,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": _("no limit")}),
        error_messages={
            "invalid": _("Enter a number, or leave it empty for no limit."),
            "min_value": _("The limit cannot be negative; leave it empty for no limit."),
            "max_value": _("Enter a limit of at most 1000."),
            "max_decimal_places": _("Use at most one decimal place."),
            "max_digits": _("Enter a limit of at most 1000."),
        },
    )
    weight = forms.DecimalField(
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("10"),
        widget=forms.TextInput(attrs=_SMALL),
        error_messages={
            "required": _("Enter the weight; 1 counts the points as they are."),
            "invalid": _("Enter a number, for example 1 or 0.5."),
            "min_value": _("Enter a weight between 0 and 10."),
            "max_value": _("Enter a weight between 0 and 10."),
            "max_decimal_places": _("Use at most two decimal places."),
            "max_digits": _("Enter a weight between 0 and 10."),
        },
    )


class ReportForm(forms.Form):
    """The representative's annual report; `version` is the one the page was built from."""

    text = forms.CharField(
        label=_("Report"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 18, "class": "report-text"}),
        error_messages={
            "required": _("The report cannot be empty: write it, or start again from the draft."),
            "max_length": _("The report is too long: at most %(limit_value)s characters (it has %(show_value)s)."),
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field("text"), "version")
