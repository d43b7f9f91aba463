"""Feedback, ratings (the resident's on the tracking page too), close-out, pressing for progress."""

from django import forms
from django.utils.translation import gettext_lazy as _

from petitions.handling import services
from petitions.handling.forms.base import MoveForm, Page, _text
from petitions.handling.workflow import Move
from petitions.models import FeedbackMethod, Satisfaction


class FeedBackForm(MoveForm):
    method = forms.ChoiceField(
        label=_("How the resident was told"),
        choices=FeedbackMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the resident was told.")},
    )
    text = _text(_("What the resident was told and what they said"), rows=4, max_length=3000)


class RateForm(MoveForm):
    satisfaction = forms.ChoiceField(
        label=_("Rating"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose satisfied, basically satisfied or dissatisfied.")},
    )
    comment = _text(_("Comment"), rows=3, required=False, max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff and the office write down the resident's rating; a representative on the item rates as themselves.
        self.for_resident = not (self.situation and self.situation.is_on_item)
        if self.for_resident:
            self.fields["satisfaction"].label = _("The resident's rating")
            self.fields["comment"].label = _("What the resident said")

    def arguments(self):
        return {**self.cleaned_data, "for_resident": self.for_resident}


class CloseForm(MoveForm):
    note = _text(_("Note for the record"), rows=2, required=False, max_length=2000)
    public_result = _text(
        _("Result for the station's public page"),
        rows=3,
        required=False,
        max_length=1000,
        help_text=_("No names, phone numbers or house numbers. Leave empty to keep the item off the public page."),
    )


class UrgeForm(MoveForm):
    text = _text(
        _("Words for the department"),
        rows=3,
        required=False,
        max_length=500,
        help_text=_("Optional: what the resident is waiting for. No names or phone numbers."),
    )


class PublicRateForm(forms.Form):
    """The resident's rating on the tracking page."""

    code = forms.CharField(
        label=_("Rating code"),
        max_length=8,
        help_text=_("The six digits that came with the answer, by text message or on the letter."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
        error_messages={"required": _("Enter the rating code that came with the answer.")},
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with the handling?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose satisfied, basically satisfied or dissatisfied.")},
    )
    comment = _text(_("Anything you want to add (optional)"), rows=3, required=False, max_length=1000)

    def clean_code(self):
        return "".join(ch for ch in self.cleaned_data["code"] if ch.isdigit())


# Each move's page (`petitions.handling.views.act` serves them all).
PAGES: dict[Move, Page] = {
    Move.URGE: Page(
        UrgeForm,
        services.petition_urge,
        _("Press for progress"),
        _("Press the department"),
        _("The lead department is told at once (inbox, e-mail, text message). Once a day per item."),
        "outline-warning",
    ),
    Move.FEED_BACK: Page(
        FeedBackForm,
        services.petition_feed_back,
        _("Feed back to the resident"),
        _("Record the feedback"),
        _("Tell the resident the answer, then record how and what they said."),
    ),
    Move.RATE: Page(
        RateForm,
        services.petition_rate,
        _("Rate the handling"),
        _("Record the rating"),
        _("“Dissatisfied” in the first round sends the item back for one more round."),
    ),
    Move.CLOSE: Page(CloseForm, services.petition_close, _("Close out"), _("Close out (销号)"), "", "success"),
}
