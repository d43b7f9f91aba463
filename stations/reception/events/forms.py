"""Forms of the event pages. They validate only; `reception_services` writes.

Each form takes the acting user, and every choice list is that user's scoped
queryset (stations, campaigns, departments, representatives, roster entries).
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from liaison.jurisdictions import departments_for_visit
from stations.models import Campaign, EventKind, ReceptionEvent, Representative, Station
from stations.reception import policy
from stations.reception.events.services import EDITABLE_FIELDS

VISIT_FIELDS = ("department", "department_head", "department_duties", "topics")


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: under the field it names, else on top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class _Helper(FormHelper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_tag = False


class EventForm(forms.ModelForm):
    """An event's details; the department-visit fields are shown only for a visit (see the template's script)."""

    class Meta:
        model = ReceptionEvent
        fields = [
            "station",
            "kind",
            "title",
            "date",
            "start_time",
            "end_time",
            "place",
            "open_slots",
            "campaign",
            "department",
            "department_head",
            "department_duties",
            "topics",
            "public_note",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "department_duties": forms.Textarea(attrs={"rows": 3}),
            "topics": forms.Textarea(attrs={"rows": 3}),
            "public_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        if creating:
            self.fields["station"].queryset = Station.objects.visible_to(user).filter(is_active=True).order_by("code")
            self.fields["station"].label_from_instance = lambda s: f"{s.code} {s.name}"
        else:
            del self.fields["station"]  # an event stays at its station; cancel and create a new one instead
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).order_by("-start_date", "name")
        self.fields["department"].queryset = departments_for_visit(user).order_by("jurisdiction__code", "name")
        if policy.organises_visits_only(user):
            # A working body holds its departments' head visits and nothing else (policy.may_organise).
            self.fields["kind"].choices = [(EventKind.DEPARTMENT_VISIT, EventKind.DEPARTMENT_VISIT.label)]
            self.fields["kind"].initial = EventKind.DEPARTMENT_VISIT
            self.fields["department"].required = True
        self.fields["place"].required = False
        self.fields["place"].help_text = _("Leave empty to use the station's address.")
        self.fields["open_slots"].help_text = _("Representatives can volunteer while the roster has fewer than this.")
        for name in VISIT_FIELDS:
            self.fields[name].widget.attrs["data-visit-field"] = "1"
        self.helper = _Helper()
        first = [Column("station", css_class="col-md-5")] if creating else []
        self.helper.layout = Layout(
            Fieldset(
                _("Event"),
                Row(*first, Column("kind", css_class="col-md-3"), Column("title", css_class="col-md-4")),
                Row(
                    Column("date", css_class="col-md-3"),
                    Column("start_time", css_class="col-md-2"),
                    Column("end_time", css_class="col-md-2"),
                    Column("open_slots", css_class="col-md-2"),
                    Column("campaign", css_class="col-md-3"),
                ),
                Row(Column("place", css_class="col-md-8")),
            ),
            Div(
                Fieldset(
                    _("Department-head visit"),
                    Row(Column("department", css_class="col-md-6"), Column("department_head", css_class="col-md-6")),
                    Row(Column("department_duties", css_class="col-md-6"), Column("topics", css_class="col-md-6")),
                ),
                css_id="visit-fields",
            ),
            Fieldset(_("For the public"), "public_note"),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != EventKind.DEPARTMENT_VISIT:
            # Hidden on the page for other kinds: never keep stale visit details.
            cleaned["department"] = None
            for name in VISIT_FIELDS[1:]:
                cleaned[name] = ""
        return cleaned

    def service_data(self) -> dict:
        """The cleaned values the services accept (everything but the station)."""
        return {name: value for name, value in self.cleaned_data.items() if name in EDITABLE_FIELDS}


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the public announcement and sent to representatives already notified."),
    )


class RosterAddForm(forms.Form):
    representative = forms.ModelChoiceField(
        label=_("Representative"),
        queryset=Representative.objects.none(),
        error_messages={"invalid_choice": _("This representative is not in your area; search again.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = Representative.objects.visible_to(user).filter(is_active=True)


class RecordForm(forms.Form):
    attended = forms.ModelMultipleChoiceField(
        label=_("Representatives present"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    residents_received = forms.IntegerField(
        label=_("Residents received"), min_value=0, max_value=100000, required=False
    )
    opinions_collected = forms.IntegerField(
        label=_("Opinions collected"), min_value=0, max_value=100000, required=False
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["attended"]
        field.queryset = event.roster.select_related("representative").order_by("representative__name")
        field.label_from_instance = lambda e: e.representative.name
        if not self.is_bound:
            self.initial.setdefault("attended", [e.pk for e in field.queryset if e.attended])
            self.initial.setdefault("residents_received", event.residents_received)
            self.initial.setdefault("opinions_collected", event.opinions_collected)
            self.initial.setdefault("summary", event.summary)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=_("JPEG or PNG. Photos are re-encoded without location data."),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
