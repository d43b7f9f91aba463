"""The filter above the dashboard and the reports: a period and a jurisdiction."""

from datetime import date, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.models import Jurisdiction
from petitions.ledger.filters import DateInput
from petitions.reports.measures import Period, jurisdiction_choices, preset_periods

CUSTOM = "custom"
DEFAULT_PRESET = "year"
LONGEST_DAYS = 366 * 5


def jurisdiction_field(user) -> forms.ModelChoiceField:
    """The user's jurisdictions down to townships, indented by level."""
    levels = list(Jurisdiction.Level.values)
    queryset = jurisdiction_choices(user)
    top = min(
        (levels.index(level) for level in queryset.order_by().values_list("level", flat=True).distinct()), default=0
    )
    field = forms.ModelChoiceField(
        label=_("Jurisdiction"),
        queryset=queryset,
        required=False,
        to_field_name="code",
        empty_label=_("Everything I oversee"),
    )
    field.label_from_instance = lambda j: "\u3000" * (levels.index(j.level) - top) + j.name
    return field


class ReportFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False, initial=DEFAULT_PRESET)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput)

    def __init__(self, data=None, *, user, today: date | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        self.presets = {key: (label, period) for key, label, period in preset_periods(self.today)}
        self.fields["period"].choices = [*((k, v[0]) for k, v in self.presets.items()), (CUSTOM, _("Dates below"))]
        self.fields["jurisdiction"] = jurisdiction_field(user)

    def clean(self):
        cleaned = super().clean()
        preset = cleaned.get("period") or DEFAULT_PRESET
        if preset != CUSTOM:
            cleaned["range"] = self.presets[preset][1]
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if not start:
            self.add_error("start", _("Enter the first day of the period."))
        if not end:
            self.add_error("end", _("Enter the last day of the period."))
        if start and end:
            if start > end:
                self.add_error("end", _("The end date is before the start date."))
            elif (end - start).days > LONGEST_DAYS:
                self.add_error("end", _("Choose a period of at most five years."))
            else:
                cleaned["range"] = Period(start, end)
        return cleaned

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_method = "get"
        helper.form_id = "report-filter"
        helper.disable_csrf = True
        helper.layout = Layout(
            Row(
                Column("period", css_class="col-6 col-md-3 col-xl-2"),
                Column("start", css_class="col-6 col-md-3 col-xl-2"),
                Column("end", css_class="col-6 col-md-3 col-xl-2"),
                Column("jurisdiction", css_class="col-6 col-md-3 col-xl-3"),
                Column(Submit("", _("Show"), css_class="btn-primary btn-sm"), css_class="col-auto pt-md-4 mt-md-2"),
                css_class="g-2 align-items-start",
            )
        )
        return helper

    @property
    def range(self) -> Period:
        """The chosen period; this year when the filter is wrong (the page says what to fix)."""
        if self.is_valid():
            return self.cleaned_data["range"]
        return self.presets[DEFAULT_PRESET][1]

    @property
    def chosen_jurisdiction(self):
        return self.cleaned_data.get("jurisdiction") if self.is_valid() else None


class MonthForm(forms.Form):
    """The month of the printable monthly report (YYYY-MM) and its jurisdiction."""

    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def __init__(self, data=None, *, user, today: date | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["jurisdiction"] = jurisdiction_field(user)

    def clean_month(self):
        month = self.cleaned_data.get("month")
        if month is None:  # last month: the report an office files at the start of a month
            return (self.today.replace(day=1) - timedelta(days=1)).replace(day=1)
        if month > self.today:
            raise forms.ValidationError(_("Choose a month that has begun."))
        return month.replace(day=1)

    @property
    def period(self) -> Period:
        first = (
            self.cleaned_data["month"]
            if self.is_valid()
            else (self.today.replace(day=1) - timedelta(days=1)).replace(day=1)
        )
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return Period(first, min(last, self.today))

    @property
    def chosen_jurisdiction(self):
        return self.cleaned_data.get("jurisdiction") if self.is_valid() else None
