"""Forms of the plan and rule pages. They validate only; `stations.reception.plans.services` writes."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from liaison.models import Jurisdiction
from stations.models import EventKind, ReceptionPlan, ReceptionRule
from stations.network.filters import filter_bar_helper

PLAN_LEVELS = [
    Jurisdiction.Level.PROVINCE,
    Jurisdiction.Level.CITY,
    Jurisdiction.Level.COUNTY,
    Jurisdiction.Level.TOWNSHIP,
]


class PlanGenerateForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=Jurisdiction.objects.none(), empty_label=None
    )
    propose_rosters = forms.BooleanField(
        label=_("Propose rosters from station members"),
        required=False,
        initial=True,
        help_text=_(
            "Each station's serving representatives take turns, up to their yearly quota, never twice on one day."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("year", timezone.localdate().year + 1)
        if user.jurisdiction_id:
            kwargs["initial"].setdefault("jurisdiction", user.jurisdiction_id)
        super().__init__(*args, **kwargs)
        # The user's jurisdiction and those below it, down to townships.
        self.fields["jurisdiction"].queryset = (
            Jurisdiction.objects.visible_to(user).filter(level__in=PLAN_LEVELS).order_by("code")
        )
        self.fields["jurisdiction"].label_from_instance = lambda j: f"{j.name} ({j.get_level_display()} {j.prefix})"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("year", css_class="col-6 col-md-2"),
                Column("jurisdiction", css_class="col-12 col-md-5"),
                Column("propose_rosters", css_class="col-12 col-md-5 pt-md-4"),
                css_class="g-2",
            )
        )

    def clean(self):
        cleaned = super().clean()
        year, jurisdiction = cleaned.get("year"), cleaned.get("jurisdiction")
        if (
            year
            and jurisdiction
            and ReceptionPlan.objects.filter(
                jurisdiction=jurisdiction, year=year, status=ReceptionPlan.Status.PUBLISHED
            ).exists()
        ):
            self.add_error(
                "year",
                _("The %(year)s plan of %(jurisdiction)s is published already; change its events one by one instead.")
                % {"year": year, "jurisdiction": jurisdiction.name},
            )
        return cleaned


class PlanRegenerateForm(forms.Form):
    propose_rosters = forms.BooleanField(label=_("Also propose rosters for open slots"), required=False, initial=True)


class PlanEventFilterForm(forms.Form):
    """The filter bar over the plan's events (GET)."""

    station = forms.CharField(
        label=_("Station"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name or number")}),
    )
    month = forms.TypedChoiceField(
        label=_("Month"), required=False, coerce=int, empty_value=None, choices=[("", _("All months")), *MONTHS.items()]
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *EventKind.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = filter_bar_helper(
            "station",
            "month",
            "kind",
            clear_url="?#events",
            widths={
                "station": "col-12 col-md-4 col-xl-3",
                "month": "col-6 col-md-2",
                "kind": "col-6 col-md-3 col-xl-2",
            },
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"station": data["station"].strip(), "month": data["month"], "kind": data["kind"]}


# Which of the pattern's fields each pattern uses; the template hides the others.
PATTERN_FIELDS = {
    ReceptionRule.Pattern.MONTHLY_DAY: ("day_of_month",),
    ReceptionRule.Pattern.NTH_WEEKDAY: ("week_of_month", "weekday"),
    ReceptionRule.Pattern.WEEKLY: ("weekday",),
}
_PATTERN_PARTS = ("day_of_month", "week_of_month", "weekday")


class ReceptionRuleForm(forms.ModelForm):
    class Meta:
        model = ReceptionRule
        fields = [
            "pattern",
            "day_of_month",
            "week_of_month",
            "weekday",
            "start_time",
            "end_time",
            "place",
            "on_non_working_day",
            "representatives_per_event",
            "valid_from",
            "valid_until",
            "is_active",
        ]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "on_non_working_day": forms.RadioSelect,
        }

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.station = station
        self.fields["place"].widget.attrs["placeholder"] = station.address
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("pattern", css_class="col-md-4"),
                Column("day_of_month", css_class="col-md-3", css_id="part-day_of_month"),
                Column("week_of_month", css_class="col-md-3", css_id="part-week_of_month"),
                Column("weekday", css_class="col-md-3", css_id="part-weekday"),
                css_class="g-2",
            ),
            Row(
                Column("start_time", css_class="col-6 col-md-2"),
                Column("end_time", css_class="col-6 col-md-2"),
                Column("place", css_class="col-md-8"),
                css_class="g-2",
            ),
            Row(
                Column("on_non_working_day", css_class="col-md-6"),
                Column("representatives_per_event", css_class="col-md-3"),
                css_class="g-2",
            ),
            Row(
                Column("valid_from", css_class="col-6 col-md-3"),
                Column("valid_until", css_class="col-6 col-md-3"),
                Column("is_active", css_class="col-md-3 pt-md-4"),
                css_class="g-2",
            ),
        )

    def clean(self):
        cleaned = super().clean()
        # Values of fields the chosen pattern does not use are hidden on the page: drop them.
        used = PATTERN_FIELDS.get(cleaned.get("pattern"), _PATTERN_PARTS)
        for name in _PATTERN_PARTS:
            if name not in used:
                cleaned[name] = None
        return cleaned
