"""The ledger's filter form: every choice comes from the user's scope.

A filter narrows the user's scope and never widens it: a station, representative
or department outside the scope is not offered, and a forged id is an invalid
choice, which gives no rows.
"""

from html import escape

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Layout, Row, Submit
from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from liaison.access import scope_for
from liaison.jurisdictions import departments_for_supervision, under_q
from liaison.models import Jurisdiction
from petitions.ledger.keyset import DEFAULT_PAGE_SIZE, DEFAULT_SORT, PAGE_SIZES, SORTS
from petitions.models import Category, Channel, Department, PetitionRepresentative, Status, Urgency
from petitions.reports.measures import ESCALATIONS, MEASURES, escalation_q, measure_q
from stations.models import Representative, Station


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class FastSelect(forms.Select):
    """A <select> written in Python: an office's thousand representatives cost milliseconds,
    not a template rendering per option."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        parts = [f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>']
        for option_value, label in self.choices:
            option = "" if option_value is None else str(option_value)
            parts.append(
                '<option value="{}"{}>{}</option>'.format(
                    escape(option), " selected" if option in selected else "", escape(str(label))
                )
            )
        parts.append("</select>")
        return mark_safe("".join(parts))


class _LightChoices(ModelChoiceIterator):
    """(pk, label) straight from `values_list`: no model instance per option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.queryset.values_list("pk", *self.field.label_fields):
            yield (row[0], self.field.label_from_values(*row[1:]))


class _Scoped(forms.ModelChoiceField):
    """A choice among the user's scoped rows; a forged id outside them is an invalid choice."""

    widget = FastSelect
    iterator = _LightChoices
    label_fields = ("name",)

    def label_from_values(self, name):
        return name


class _RepresentativeChoice(_Scoped):
    label_fields = ("name", "code")

    def label_from_instance(self, obj):
        return self.label_from_values(obj.name, obj.code)

    def label_from_values(self, name, code):
        return f"{name}（{code}）"


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, widget=FastSelect)
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, widget=FastSelect)
    hard = forms.BooleanField(label=_("Long-standing hard problems only"), required=False)
    station = _Scoped(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=_("All stations")
    )
    below = forms.BooleanField(label=_("Include the stations below"), required=False)
    representative = _RepresentativeChoice(
        label=_("Representative"),
        queryset=Representative.objects.none(),
        required=False,
        empty_label=_("All representatives"),
    )
    department = _Scoped(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("All departments")
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, widget=FastSelect)
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput)
    received_to = forms.DateField(label=_("Received until"), required=False, widget=DateInput)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    awaiting = forms.BooleanField(label=_("Awaiting a first reply"), required=False)
    follow_up = forms.BooleanField(label=_("Marked for follow-up"), required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    # Set by the links from a reception day's page ("the items registered that day").
    event = forms.IntegerField(label=_("Reception day"), required=False, min_value=1, widget=forms.HiddenInput)
    # Set by the dashboard's links: the jurisdiction and the figure whose items are listed.
    area = forms.ModelChoiceField(
        label=_("Jurisdiction"),
        queryset=Jurisdiction.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.HiddenInput,
    )
    measure = forms.ChoiceField(label=_("Figure"), required=False, widget=forms.HiddenInput)
    # Set by the dashboard's escalation table: what became of the items escalated to one level.
    escalation = forms.ChoiceField(label=_("Escalation"), required=False, widget=forms.HiddenInput)
    escalated_level = forms.ChoiceField(label=_("Escalated to"), required=False, widget=forms.HiddenInput)
    size = forms.TypedChoiceField(
        label=_("Rows per page"),
        required=False,
        coerce=int,
        empty_value=DEFAULT_PAGE_SIZE,
        choices=[(n, n) for n in PAGE_SIZES],
    )

    # Shown in the first row of the filter bar; the rest fold under "More filters".
    MAIN = ("q", "status", "category", "station", "received_from", "received_to")
    MORE = ("urgency", "channel", "representative", "department", "below", "hard", "overdue", "awaiting", "follow_up")

    def __init__(self, data=None, *, user, **kwargs):
        if data is not None and not data.get("size"):
            data = data.copy()
            data["size"] = str(DEFAULT_PAGE_SIZE)  # so the page-size menu shows the size in use
        super().__init__(data, **kwargs)
        self.user = user
        scope = scope_for(user)
        self.representative_id = scope.representative_id
        self.fields["status"].choices = [("", _("All statuses")), ("open", _("Open items")), *Status.choices]
        self.fields["urgency"].choices = [("", _("All")), *Urgency.choices]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]
        self.fields["category"].choices = [("", _("All categories")), *category_choices()]
        self.fields["station"].queryset = station_choices(user)
        self.fields["representative"].queryset = representative_choices(user)
        self.fields["department"].queryset = department_choices(user)
        self.fields["area"].queryset = Jurisdiction.objects.visible_to(user)
        self.fields["measure"].choices = [("", ""), *MEASURES.items()]
        self.fields["escalation"].choices = [("", ""), *ESCALATIONS.items()]
        self.fields["escalated_level"].choices = [("", ""), *Jurisdiction.Level.choices]
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs["placeholder"] = _("Words of the content, address or tracking number")
        if self.representative_id:
            self.fields["follow_up"].label = _("My follow-up marks")

    def clean_sort(self):
        value = self.cleaned_data.get("sort") or DEFAULT_SORT
        return value if value.lstrip("-") in SORTS else DEFAULT_SORT

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end date is before the start date."))
        return cleaned

    def filter(self, queryset: QuerySet) -> QuerySet:
        """The rows that match; no rows at all when the filter is invalid (a forged id, a bad date)."""
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        today = timezone.localdate()
        if data["q"].strip():
            queryset = queryset.search(data["q"])
        if data["status"] == "open":
            queryset = queryset.open()
        elif data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["category"]:
            queryset = queryset.filter(category_id__in=category_with_children(data["category"]))
        if data["event"]:
            queryset = queryset.filter(event_id=data["event"])
        if data["urgency"]:
            queryset = queryset.filter(urgency=data["urgency"])
        if data["hard"]:
            queryset = queryset.filter(is_hard_problem=True)
        if data["station"]:
            ids = {data["station"].pk}
            if data["below"]:
                ids = Station.objects.with_descendants(ids)
            queryset = queryset.filter(station_id__in=ids)
        if data["representative"]:
            queryset = queryset.filter(
                pk__in=PetitionRepresentative.objects.filter(representative=data["representative"]).values(
                    "petition_id"
                )
            )
        if data["department"]:
            queryset = queryset.filter(lead_department=data["department"])
        if data["channel"]:
            queryset = queryset.filter(channel=data["channel"])
        if data["received_from"]:
            queryset = queryset.filter(received_on__gte=data["received_from"])
        if data["received_to"]:
            queryset = queryset.filter(received_on__lte=data["received_to"])
        if data["area"]:
            queryset = queryset.filter(under_q(data["area"], "area_code"))
        if data["measure"]:
            queryset = queryset.filter(measure_q(data["measure"], today))
        if data["escalation"]:
            queryset = queryset.filter(escalation_q(data["escalation"]))
        if data["escalated_level"]:
            queryset = queryset.filter(escalated_to__jurisdiction__level=data["escalated_level"])
        if data["overdue"]:
            queryset = queryset.overdue(today)
        if data["awaiting"]:
            queryset = queryset.awaiting_first_reply()
        if data["follow_up"]:
            marks = PetitionRepresentative.objects.filter(follow_up=True)
            if self.representative_id:
                marks = marks.filter(representative_id=self.representative_id)
            queryset = queryset.filter(pk__in=marks.values("petition_id"))
        return queryset

    @property
    def ordering(self) -> str:
        """The sort key chosen (e.g. "-received"); the default when the filter is invalid."""
        if self.is_valid():
            return self.cleaned_data["sort"]
        value = (self.data.get("sort") or "") if self.data else ""
        return value if value.lstrip("-") in SORTS else DEFAULT_SORT

    @property
    def measure_label(self) -> str:
        if not self.is_valid():
            return ""
        if self.cleaned_data.get("escalation"):
            return str(ESCALATIONS[self.cleaned_data["escalation"]])
        return str(MEASURES.get(self.cleaned_data.get("measure"), ""))

    @property
    def page_size(self) -> int:
        if self.is_valid():
            return self.cleaned_data["size"] or DEFAULT_PAGE_SIZE
        return DEFAULT_PAGE_SIZE

    @property
    def more_is_used(self) -> bool:
        """Open the "More filters" fold when one of its fields is set or wrong."""
        return any(self.data.get(name) for name in self.MORE) or any(name in self.errors for name in self.MORE)

    @property
    def helper(self) -> FormHelper:
        """The filter bar: the common fields in a row, the others folded under "More filters"."""
        helper = FormHelper()
        helper.form_method = "get"
        helper.form_id = "ledger-filter"
        helper.disable_csrf = True
        wide = {"q": "col-12 col-md-4 col-xl-2", "station": "col-12 col-md-4 col-xl-2"}
        checks = {"below", "hard", "overdue", "awaiting", "follow_up"}

        def col(name):
            if name in checks:
                return Column(name, css_class="col-6 col-md-auto pt-md-4")
            return Column(name, css_class=wide.get(name, "col-6 col-md-4 col-xl-2"))

        more_class = "collapse show" if self.more_is_used else "collapse"
        helper.layout = Layout(
            "sort",
            "event",
            "area",
            "measure",
            Row(*[col(f) for f in self.MAIN], css_class="g-2 align-items-start"),
            Div(
                Row(*[col(f) for f in self.MORE], css_class="g-2 align-items-start"),
                css_class=more_class,
                css_id="ledger-more",
            ),
            Row(
                Column(
                    Submit("", _("Filter"), css_class="btn-primary btn-sm"),
                    HTML(
                        '<button class="btn btn-link btn-sm" type="button" data-bs-toggle="collapse" '
                        'data-bs-target="#ledger-more" aria-expanded="{}" aria-controls="ledger-more">{}</button>'
                        '<a class="btn btn-link btn-sm" href="?">{}</a>'.format(
                            "true" if self.more_is_used else "false", _("More filters"), _("Clear")
                        )
                    ),
                    css_class="col-auto",
                ),
                Column(
                    Field("size", css_class="form-select-sm", wrapper_class="ledger-size"), css_class="col-auto ms-auto"
                ),
                css_class="g-2 align-items-center mb-1",
            ),
        )
        return helper


# -- choices -----------------------------------------------------------------------------------


def category_choices() -> list[tuple[int, str]]:
    """The two-level taxonomy in order: each top-level node, then its children indented."""
    nodes = list(Category.objects.order_by("position", "pk").values_list("pk", "name", "parent_id"))
    children = {}
    for pk, name, parent_id in nodes:
        if parent_id:
            children.setdefault(parent_id, []).append((pk, "\u3000" + name))
    choices = []
    for pk, name, parent_id in nodes:
        if not parent_id:
            choices.append((pk, name))
            choices.extend(children.get(pk, []))
    return choices


def category_with_children(pk: int) -> list[int]:
    """A top-level category matches its children too."""
    return [pk, *Category.objects.filter(parent_id=pk).values_list("pk", flat=True)]


def _department_prefixes(user) -> tuple[str, ...]:
    return scope_for(user).department_jurisdiction_prefixes


def station_choices(user) -> QuerySet:
    """Stations the user works with; a department the stations of its jurisdiction."""
    stations = Station.objects.visible_to(user)
    if prefixes := _department_prefixes(user):
        stations = stations | Station.objects.filter(under_q(prefixes, "jurisdiction__code"))
    return stations.only("pk", "name", "code").order_by("code")


def representative_choices(user) -> QuerySet:
    reps = Representative.objects.visible_to(user)
    if prefixes := _department_prefixes(user):
        reps = reps | Representative.objects.filter(under_q(prefixes, "jurisdiction__code"))
    return reps.only("pk", "name", "code").order_by("name", "pk")


def department_choices(user) -> QuerySet:
    """Departments that may handle the user's items, inactive ones included so that old items can
    still be found: the supervision rule (`liaison.jurisdictions.departments_for_supervision`)."""
    return departments_for_supervision(user, include_inactive=True)
