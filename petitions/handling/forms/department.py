"""The department's forms and pages: accept, progress, its part, reply, extension request, return."""

from django import forms
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from petitions.handling import services
from petitions.handling.forms.base import DATE, ConfirmForm, MoveForm, Page, _text
from petitions.handling.workflow import Move
from petitions.models import Outcome, ReplyTemplate


class ProgressForm(MoveForm):
    text = _text(_("What has been done"), rows=4, max_length=3000)
    public = forms.BooleanField(label=_("Show on the resident's tracking page"), required=False, initial=True)


class ContributeForm(MoveForm):
    text = _text(_("Our department's part"), rows=6)


class ReplyForm(MoveForm):
    template = forms.ChoiceField(label=_("Start from a template"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome class.")},
    )
    text = _text(
        _("Reply"), rows=10, help_text=_("The resident reads this on the tracking page and in the feedback letter.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.petition.category
        ids = [c for c in (category and category.pk, category and category.parent_id) if c]
        self.templates = list(
            ReplyTemplate.objects.filter(Q(category__isnull=True) | Q(category_id__in=ids), is_active=True)
            .select_related("category")
            .order_by("-category_id", "outcome", "title")
        )
        self.fields["template"].choices = [("", "—")] + [(t.pk, t.title) for t in self.templates]

    def arguments(self):
        data = dict(self.cleaned_data)
        data.pop("template", None)
        return data


class ExtensionRequestForm(MoveForm):
    requested_due_on = forms.DateField(label=_("New deadline asked for"), widget=DATE)
    reason = _text(_("Why more time is needed"), rows=4, max_length=2000)

    def clean_requested_due_on(self):
        value = self.cleaned_data["requested_due_on"]
        if self.petition.due_on and value <= self.petition.due_on:
            raise forms.ValidationError(
                _("Ask for a date after the current deadline (%(due)s).")
                % {"due": date_format(self.petition.due_on, "Y-m-d")}
            )
        return value


class ReturnForm(MoveForm):
    reason = _text(
        _("Why the item is returned"),
        rows=4,
        max_length=2000,
        help_text=_("For example: not within our remit; name the unit that is, if you know it."),
    )


# Each move's page (`petitions.handling.views.act` serves them all).
PAGES: dict[Move, Page] = {
    Move.ACCEPT: Page(
        ConfirmForm,
        services.petition_accept,
        _("Accept the item"),
        _("Accept"),
        _("Your department takes the item on and answers it by the deadline."),
    ),
    Move.PROGRESS: Page(
        ProgressForm,
        services.petition_progress,
        _("Post progress"),
        _("Post"),
        "",
        "outline-primary",
    ),
    Move.CONTRIBUTE: Page(
        ContributeForm,
        services.petition_contribute,
        _("Give our part to the lead"),
        _("Send to the lead department"),
    ),
    Move.REPLY: Page(
        ReplyForm,
        services.petition_reply,
        _("Reply"),
        _("Send the reply"),
        _("A: solved; B: being solved or planned; C: cannot be solved now (explain why); D: kept for reference."),
        files=True,
    ),
    Move.REQUEST_EXTENSION: Page(
        ExtensionRequestForm,
        services.petition_request_extension,
        _("Request an extension"),
        _("Send the request"),
        _("The committee office decides; until then the current deadline holds."),
        "outline-secondary",
    ),
    Move.RETURN: Page(
        ReturnForm,
        services.petition_return,
        _("Return the item"),
        _("Return to the committee office"),
        _("Returned items go back to the committee office's triage list."),
        "outline-danger",
    ),
}
