"""Forms of representative suggestions. They validate only; `petitions.suggestions.services` writes.

Every choice list comes from the acting user's scope (`selectors.representatives_for`,
`liaison.jurisdictions.departments_for_assignment`, `Suggestion.objects.visible_to`), and
the items a suggestion comes from are looked up among the petitions the user sees, so a forged
id or a number from elsewhere is refused like an unknown one.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.jurisdictions import departments_for_assignment
from petitions.handling.models import Suggestion
from petitions.handling.workflow import TABLE, Move
from petitions.intake.tracking import normalise_tracking_number
from petitions.ledger.filters import DateInput, FastSelect
from petitions.models import Department, Outcome, Petition, Satisfaction
from petitions.suggestions import drafting, selectors
from stations.models import Representative

# Tracking numbers in the textarea: one a line, or separated by spaces, commas or 、 ；
_SPLIT = re.compile(r"[\s,，、;；]+")
# The statuses from which an item may become part of a suggestion: the table's own answer.
ROUTABLE = TABLE[Move.TO_SUGGESTION].sources


class RepresentativeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


class RepresentativesChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


def split_numbers(raw: str) -> list[str]:
    """The tokens typed, in order, without repeats."""
    seen, tokens = set(), []
    for token in _SPLIT.split(raw or ""):
        if token and token not in seen:
            seen.add(token)
            tokens.append(token)
    return tokens


def petitions_by_number(user, raw: str, *, suggestion=None) -> list[Petition]:
    """The petitions the typed tracking numbers name, in the order typed.

    Raises ValidationError naming every number not found among the user's items, and
    every item that cannot become part of a suggestion (with its status).
    """
    tokens = split_numbers(raw)
    if len(tokens) > drafting.MAX_PETITIONS:
        raise ValidationError(
            _("At most %(n)d items can be added at once."), params={"n": drafting.MAX_PETITIONS}, code="too_many"
        )
    wanted = {token: normalise_tracking_number(token) for token in tokens}
    found = {
        p.tracking_number: p for p in Petition.objects.visible_to(user).filter(tracking_number__in=set(wanted.values()))
    }
    errors = []
    missing = [token for token, number in wanted.items() if number not in found]
    if missing:
        errors.append(
            ValidationError(
                _(
                    "These tracking numbers were not found among the items you can see: %(numbers)s. Check them and "
                    "correct or remove them."
                ),
                params={"numbers": "、".join(missing)},
                code="unknown",
            )
        )
    petitions, already, wrong = [], [], []
    for _token, number in wanted.items():
        petition = found.get(number)
        if petition is None:
            continue
        if suggestion is not None and petition.suggestion_id == suggestion.pk:
            already.append(petition.tracking_number)
        elif petition.status not in ROUTABLE:
            wrong.append(f"{petition.tracking_number}（{petition.get_status_display()}）")
        elif petition not in petitions:
            petitions.append(petition)
    if already:
        errors.append(
            ValidationError(
                _("Already part of this suggestion: %(numbers)s."),
                params={"numbers": "、".join(already)},
                code="already",
            )
        )
    if wrong:
        errors.append(
            ValidationError(
                _("Only registered or triaged items can become part of a suggestion; these cannot: %(items)s."),
                params={"items": "、".join(wrong)},
                code="status",
            )
        )
    if errors:
        raise ValidationError(errors)
    return petitions


class SuggestionForm(forms.Form):
    """Create a suggestion, or edit one: a draft's every field; an assigned one only gains items."""

    title = forms.CharField(label=_("Title (subject of the suggestion)"), max_length=200)
    content = forms.CharField(
        label=_("Reasons and proposals"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    lead_representative = RepresentativeChoice(
        label=_("Lead representative"),
        queryset=Representative.objects.none(),
        widget=FastSelect,
        empty_label=_("Choose the lead representative"),
    )
    co_signers = RepresentativesChoice(
        label=_("Co-signers"),
        queryset=Representative.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    petition_numbers = forms.CharField(
        label=_("Items it comes from"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Tracking numbers of the items, one a line or separated by spaces or commas."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, user, suggestion: Suggestion | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.user, self.suggestion = user, suggestion
        reps = selectors.representatives_for(user).order_by("name", "pk")
        self.fields["lead_representative"].queryset = reps
        self.fields["co_signers"].queryset = reps
        self.fields["title"].widget.attrs["placeholder"] = _(
            "e.g. On speeding up the renovation of old residential estates"
        )
        self.fields["petition_numbers"].widget.attrs["placeholder"] = "2601-8K3M9Q2T\n2601-4HX7WZ0B"
        if suggestion is not None:
            self.fields["petition_numbers"].label = _("Add items")
            self.fields["version"].initial = suggestion.version
            if suggestion.status != Suggestion.Status.DRAFT:
                # Assigned: the text is the department's now; only items may be added.
                for name in ("title", "content", "lead_representative", "co_signers"):
                    self.fields[name].disabled = True

    @property
    def adds_only(self) -> bool:
        return self.suggestion is not None and self.suggestion.status != Suggestion.Status.DRAFT

    def clean_petition_numbers(self):
        return petitions_by_number(self.user, self.cleaned_data.get("petition_numbers", ""), suggestion=self.suggestion)

    def clean(self):
        cleaned = super().clean()
        lead, co = cleaned.get("lead_representative"), cleaned.get("co_signers")
        if lead is not None and co and lead in co:
            cleaned["co_signers"] = [r for r in co if r.pk != lead.pk]
        if self.adds_only and not cleaned.get("petition_numbers") and "petition_numbers" not in self.errors:
            self.add_error("petition_numbers", _("Name at least one item to add."))
        return cleaned


class _VersionForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, suggestion: Suggestion, **kwargs):
        super().__init__(data, **kwargs)
        self.suggestion = suggestion
        self.fields["version"].initial = suggestion.version


class AssignForm(_VersionForm):
    department = forms.ModelChoiceField(
        label=_("Handling department"),
        queryset=Department.objects.none(),
        empty_label=_("Choose the department"),
    )
    is_complex = forms.BooleanField(
        label=_("Complex suggestion: six months instead of three (approved by the office)"),
        required=False,
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["department"].queryset = departments_for_assignment(user).order_by("jurisdiction__code", "name")


class PreMeetingForm(_VersionForm):
    held_on = forms.DateField(label=_("Date of the meeting"), widget=DateInput)
    note = forms.CharField(
        label=_("What was agreed with the representative"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class ReplyForm(_VersionForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Reply"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))


class RateForm(_VersionForm):
    satisfaction = forms.ChoiceField(
        label=_("Your satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    contacted_before_reply = forms.TypedChoiceField(
        label=_("Did the department contact you before replying?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(_VersionForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


ACTION_FORMS = {
    "assign": AssignForm,
    "pre_meeting": PreMeetingForm,
    "reply": ReplyForm,
    "rate": RateForm,
    "close": CloseForm,
}


def action_form(action: str, user, suggestion, data=None):
    form_class = ACTION_FORMS[action]
    if form_class is AssignForm:
        return form_class(data, user=user, suggestion=suggestion, prefix=action)
    return form_class(data, suggestion=suggestion, prefix=action)


class SuggestionFilterForm(forms.Form):
    """The list's filter bar; every choice comes from the suggestions the user sees."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
    )
    representative = RepresentativeChoice(
        label=_("Representative"),
        queryset=Representative.objects.none(),
        required=False,
        empty_label=_("All representatives"),
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        visible = Suggestion.objects.visible_to(user)
        self.fields["status"].choices = [("", _("All statuses")), *Suggestion.Status.choices]
        self.fields["department"].queryset = Department.objects.filter(
            pk__in=visible.filter(department__isnull=False).values("department_id")
        ).order_by("jurisdiction__code", "name")
        cosigned = Suggestion.co_signers.through.objects.filter(suggestion__in=visible).values("representative_id")
        self.fields["representative"].queryset = Representative.objects.filter(
            Q(pk__in=visible.values("lead_representative_id")) | Q(pk__in=cosigned)
        ).order_by("name", "pk")
        years = sorted({d.year for d in visible.datetimes("created_at", "year")}, reverse=True)
        this_year = timezone.localdate().year
        if this_year not in years:
            years.insert(0, this_year)
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in years]]
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs["placeholder"] = _("Words of the title, or the number")

    def filtered(self):
        """The visible suggestions that match; none when the filter is invalid (a forged id)."""
        if not self.is_valid():
            return Suggestion.objects.none()
        data = self.cleaned_data
        return selectors.suggestion_list(
            self.user,
            status=data["status"],
            department=data["department"],
            representative=data["representative"],
            year=data["year"],
            q=data["q"],
        )
