"""Forms of the supervision pages. They validate only; `petitions.supervision.services` writes.

Every choice is the acting user's scoped queryset, so a forged id is an invalid
choice (and an invalid filter shows no rows).
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row, Submit
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison import workdays
from petitions.handling.models import ACTIVE_ASSIGNMENT_STATES
from petitions.intake.tracking import normalise_tracking_number
from petitions.ledger.filters import DateInput, FastSelect, _Scoped, category_with_children, station_choices
from petitions.models import Category, Commitment, Department, Petition, Satisfaction, SupervisionNotice, Urgency
from petitions.supervision.policy import presses_own_departments_only
from petitions.supervision.selectors import Light, LightBounds, notice_overdue_q
from petitions.supervision.services import NOTICE_NUMBER_PREFIX, notice_departments
from stations.models import Station


def _filter_helper(form_id: str, fields, checks=()) -> FormHelper:
    """A one-row filter bar like the ledger's: the fields, then Filter and Clear."""
    helper = FormHelper()
    helper.form_method = "get"
    helper.form_id = form_id
    helper.disable_csrf = True
    columns = [
        Column(name, css_class="col-6 col-md-auto pt-md-4" if name in checks else "col-6 col-md-4 col-xl-2")
        for name in fields
    ]
    columns.append(
        Column(
            Submit("", _("Filter"), css_class="btn-primary btn-sm"),
            HTML('<a class="btn btn-link btn-sm" href="?">{}</a>'.format(_("Clear"))),
            css_class="col-auto pt-md-4",
        )
    )
    helper.layout = Layout(Row(*columns, css_class="g-2 align-items-start"))
    return helper


def _department_field(label=None, empty=None):
    return _Scoped(
        label=label or _("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=empty or _("All departments"),
    )


def _top_categories():
    return list(Category.objects.filter(parent__isnull=True).order_by("position", "pk").values_list("pk", "name"))


# -- the traffic-light page ------------------------------------------------------------------------


class TrafficLightFilterForm(forms.Form):
    light = forms.ChoiceField(label=_("Light"), required=False, widget=FastSelect)
    department = _department_field()
    station = _Scoped(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=_("All stations")
    )
    category = forms.TypedChoiceField(
        label=_("Category group"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, widget=FastSelect)

    FIELDS = ("light", "department", "station", "category", "urgency")

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        from petitions.ledger.filters import department_choices

        self.fields["light"].choices = [("", _("All lights")), *Light.choices]
        self.fields["department"].queryset = department_choices(user)
        self.fields["station"].queryset = station_choices(user)
        self.fields["station"].help_text = ""
        self.fields["category"].choices = [("", _("All categories")), *_top_categories()]
        self.fields["urgency"].choices = [("", _("All")), *Urgency.choices]

    @property
    def helper(self) -> FormHelper:
        return _filter_helper("supervision-filter", self.FIELDS)

    def filter(self, queryset: QuerySet, *, with_light: bool = True) -> QuerySet:
        """Narrow the items; none when the filter is invalid. `with_light=False` keeps every light
        (the counts on top and the department summary show all three)."""
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["department"]:
            queryset = queryset.filter(lead_department=data["department"])
        if data["station"]:
            queryset = queryset.filter(station_id__in=Station.objects.with_descendants({data["station"].pk}))
        if data["category"]:
            queryset = queryset.filter(category_id__in=category_with_children(data["category"]))
        if data["urgency"]:
            queryset = queryset.filter(urgency=data["urgency"])
        return queryset

    def light_q(self, bounds: LightBounds) -> Q | None:
        if self.is_valid() and self.cleaned_data["light"]:
            return bounds.q(self.cleaned_data["light"])
        return None


# -- supervision notices ---------------------------------------------------------------------------


class NoticeFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, widget=FastSelect)
    department = _department_field()
    overdue = forms.BooleanField(label=_("Unanswered past the date"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    FIELDS = ("state", "department", "year", "overdue")

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        from petitions.ledger.filters import department_choices

        self.fields["state"].choices = [("", _("All")), *SupervisionNotice.State.choices]
        self.fields["department"].queryset = department_choices(user)

    @property
    def helper(self) -> FormHelper:
        return _filter_helper("notice-filter", self.FIELDS, checks=("overdue",))

    def filter(self, queryset: QuerySet) -> QuerySet:
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["state"]:
            queryset = queryset.filter(state=data["state"])
        if data["department"]:
            queryset = queryset.filter(department=data["department"])
        if data["year"]:
            queryset = queryset.filter(number__startswith=NOTICE_NUMBER_PREFIX.format(year=data["year"]))
        if data["overdue"]:
            queryset = queryset.filter(notice_overdue_q(timezone.localdate()))
        return queryset


class NoticeForm(forms.Form):
    """The office's supervision notice; `petition` (hidden) ties it to an item in hand."""

    petition = forms.ModelChoiceField(
        queryset=Petition.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("The item is not in your jurisdiction.")},
    )
    department = forms.ModelChoiceField(
        label=_("To (department)"),
        queryset=Department.objects.none(),
        error_messages={"invalid_choice": _("Choose a department of your jurisdiction.")},
    )
    subject = forms.CharField(label=_("Matter"), max_length=200)
    requirement = forms.CharField(
        label=_("What is required"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    due_on = forms.DateField(
        label=_("Answer by"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("A working day."),
    )

    def __init__(self, *args, user, petition: Petition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["petition"].queryset = Petition.objects.visible_to(user)
        departments = notice_departments(user)
        if petition is not None:
            sharing = Q(pk=petition.lead_department_id) | Q(
                assignments__petition=petition,
                assignments__round=petition.round,
                assignments__state__in=ACTIVE_ASSIGNMENT_STATES,
            )
            if presses_own_departments_only(user):
                # A working body: the item's departments among its own (policy.may_press).
                departments = departments.filter(sharing).distinct()
            else:
                # The item's own departments, even one from outside the office's usual list.
                departments = Department.objects.filter(Q(pk__in=departments.values("pk")) | sharing).distinct()
        self.fields["department"].queryset = departments.order_by("jurisdiction__code", "name")

    @classmethod
    def initial_for(cls, petition: Petition | None) -> dict:
        # Counted at the item's place; a notice on a matter has no department yet: the deployment's.
        place = petition.area_code if petition is not None else ""
        due = workdays.add_working_days(timezone.localdate(), 5, place=place)
        if petition is None:
            return {"due_on": due}
        excerpt = petition.content.replace("\n", " ")
        excerpt = excerpt if len(excerpt) <= 60 else excerpt[:59] + "…"
        return {
            "petition": petition.pk,
            "department": petition.lead_department_id,
            "subject": _("Item %(number)s: %(content)s") % {"number": petition.tracking_number, "content": excerpt},
            "requirement": _(
                "This item is under the committee office's supervision. Speed up its handling, settle it "
                "as committed and report in writing how it was handled by the date below."
            ),
            "due_on": min(due, petition.due_on) if _usable(petition.due_on, place) else due,
        }


def _usable(day, place: str) -> bool:
    """A deadline the notice may take as its answer-by date: not past, a working day at the place."""
    return bool(day) and day >= timezone.localdate() and workdays.is_working_day(day, place=place)


class NoticeAnswerForm(forms.Form):
    response = forms.CharField(
        label=_("How it was handled"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write how the matter was handled.")},
    )


# -- commitments -----------------------------------------------------------------------------------


class CommitmentFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, widget=FastSelect)
    light = forms.ChoiceField(label=_("Light"), required=False, widget=FastSelect)
    department = _department_field()
    overdue = forms.BooleanField(label=_("Overdue"), required=False)

    FIELDS = ("state", "light", "department", "overdue")

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        from petitions.ledger.filters import department_choices

        self.fields["state"].choices = [("", _("All")), *Commitment.State.choices]
        self.fields["light"].choices = [("", _("All lights")), *Light.choices]
        self.fields["department"].queryset = department_choices(user)

    @property
    def helper(self) -> FormHelper:
        return _filter_helper("commitment-filter", self.FIELDS, checks=("overdue",))

    def filter(self, queryset: QuerySet, bounds: LightBounds) -> QuerySet:
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["state"]:
            queryset = queryset.filter(state=data["state"])
        if data["department"]:
            queryset = queryset.filter(department=data["department"])
        if data["light"]:
            # A light is a deadline still running: open commitments only.
            queryset = queryset.filter(bounds.q(data["light"]), state=Commitment.State.OPEN)
        if data["overdue"]:
            queryset = queryset.filter(bounds.q(Light.RED), state=Commitment.State.OPEN)
        return queryset


class CommitmentForm(forms.Form):
    source = forms.ChoiceField(label=_("Made at"), choices=Commitment.Source.choices, widget=forms.RadioSelect)
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        error_messages={"invalid_choice": _("Choose a department of your jurisdiction.")},
    )
    head_name = forms.CharField(label=_("Head's name"), max_length=64)
    head_title = forms.CharField(label=_("Head's title"), max_length=64, required=False)
    station = forms.ModelChoiceField(
        label=_("Station"),
        queryset=Station.objects.none(),
        required=False,
        empty_label=_("No station"),
        help_text=_("Where the visit or meeting took place; its staff and representatives make the follow-up visit."),
    )
    petition = forms.CharField(
        label=_("Item (tracking number)"),
        max_length=32,
        required=False,
        help_text=_("Optional: the item the commitment answers."),
    )
    text = forms.CharField(label=_("Commitment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    due_on = forms.DateField(label=_("Deadline"), widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["department"].queryset = notice_departments(user).order_by("jurisdiction__code", "name")
        self.fields["station"].queryset = Station.objects.visible_to(user).order_by("code")
        self.fields["station"].label_from_instance = lambda s: f"{s.code} {s.name}"

    def clean_petition(self):
        raw = self.cleaned_data.get("petition", "").strip()
        if not raw:
            return None
        found = Petition.objects.visible_to(self.user).filter(tracking_number=normalise_tracking_number(raw)).first()
        if found is None:
            raise forms.ValidationError(_("No item %(number)s in your jurisdiction.") % {"number": raw})
        return found

    def clean(self):
        cleaned = super().clean()
        held_on, due_on = cleaned.get("held_on"), cleaned.get("due_on")
        if held_on and held_on > timezone.localdate():
            self.add_error("held_on", _("The meeting or visit cannot be in the future."))
        if held_on and due_on and due_on < held_on:
            self.add_error("due_on", _("The deadline cannot be before the day the commitment was made."))
        return cleaned


class CommitmentProgressForm(forms.Form):
    progress = forms.CharField(
        label=_("How it is being kept"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what has been done.")},
    )
    done = forms.BooleanField(label=_("The commitment is kept"), required=False)


class CommitmentFollowUpForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput)
    satisfaction = forms.ChoiceField(
        label=_("Residents' rating"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("What the visit found"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what the visit found.")},
    )

    def clean_visited_on(self):
        value = self.cleaned_data["visited_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The visit cannot be in the future."))
        return value
