"""Forms of the campaign pages and the attendance report. They validate only."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.models import Jurisdiction
from stations.models import Campaign, Level, Station
from stations.network.filters import area_choices, filter_bar_helper

CAMPAIGN_LEVELS = [
    Jurisdiction.Level.PROVINCE,
    Jurisdiction.Level.CITY,
    Jurisdiction.Level.COUNTY,
    Jurisdiction.Level.TOWNSHIP,
]


def campaign_jurisdictions(user):
    """Where the user may run a campaign: their own jurisdiction and those below it (not villages)."""
    return Jurisdiction.objects.visible_to(user).filter(level__in=CAMPAIGN_LEVELS).order_by("code")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "jurisdiction", "start_date", "end_date", "description"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"name": _("For example: 集中联系选民月.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["jurisdiction"]
        field.queryset = campaign_jurisdictions(user)
        field.label_from_instance = lambda j: f"{j.code[: Jurisdiction.PREFIX_LENGTH[j.level]]} {j.name}"
        if not self.instance.pk and getattr(user, "jurisdiction_id", None):
            field.initial = user.jurisdiction_id  # an office runs campaigns for its own area first
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-6"), Column("jurisdiction", css_class="col-md-6")),
            Row(Column("start_date", css_class="col-6 col-md-3"), Column("end_date", css_class="col-6 col-md-3")),
            "description",
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The campaign cannot end before it starts."))
        elif start and end and self.instance.pk:
            outside = self.instance.events.exclude(date__range=(start, end)).order_by("date")
            count = outside.count()
            if count:
                first = outside.first()
                self.add_error(
                    None,
                    _(
                        "%(count)s events of this campaign fall outside these dates (the first on %(date)s). "
                        "Move them or take them out of the campaign first."
                    )
                    % {"count": count, "date": first.date.isoformat()},
                )
        return cleaned


def _year_choices():
    this_year = timezone.localdate().year
    return [(y, str(y)) for y in range(this_year + 1, this_year - 6, -1)]


class AttendanceFilterForm(forms.Form):
    """The attendance report's filter bar (GET); every choice comes from the user's scope."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    q = forms.CharField(
        label=_("Search"), required=False, widget=forms.TextInput(attrs={"placeholder": _("Full name or number")})
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices])
    station = forms.ModelChoiceField(
        label=_("Station"), required=False, queryset=Station.objects.none(), empty_label=_("All stations")
    )
    jurisdiction = forms.ModelChoiceField(
        label=_("Street or township"), required=False, queryset=Jurisdiction.objects.none(), empty_label=_("All areas")
    )
    below_quota = forms.BooleanField(label=_("Below quota only"), required=False)

    def __init__(self, data, *, user):
        data = data.copy()
        data.setdefault("year", str(timezone.localdate().year))
        super().__init__(data)
        self.fields["year"].choices = _year_choices()
        year = data.get("year", "")
        if year.isdigit() and 2000 <= int(year) <= 2100 and int(year) not in dict(self.fields["year"].choices):
            self.fields["year"].choices.append((int(data["year"]), data["year"]))  # a link to an older year
        stations = self.fields["station"]
        stations.queryset = Station.objects.visible_to(user).order_by("code")
        stations.label_from_instance = lambda s: f"{s.code} {s.name}"
        self.fields["jurisdiction"].queryset = area_choices(user)
        self.helper = filter_bar_helper(
            "year",
            "q",
            "level",
            "station",
            "jurisdiction",
            "below_quota",
            widths={
                "year": "col-6 col-md-2 col-xl-1",
                "q": "col-6 col-md-3 col-xl-2",
                "level": "col-6 col-md-2",
                "station": "col-6 col-md-3 col-xl-2",
                "jurisdiction": "col-6 col-md-2",
                "below_quota": "col-6 col-md-2 col-xl-auto pt-md-4 mt-md-1",
            },
        )

    def filters(self) -> dict:
        """The valid filters (an invalid one is ignored, and shown as an error in the bar)."""
        if self.is_valid():
            return self.cleaned_data
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}

    @property
    def selected_year(self) -> int:
        filters = self.filters()
        return filters.get("year") or timezone.localdate().year
