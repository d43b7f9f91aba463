"""Forms of the public petition pages: the QR-code form and the tracking lookup. Validate only."""

import re
import unicodedata
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from petitions.ledger.services import PetitionDraft
from petitions.models import Category, Channel
from stations.models import mobile_validator

# The hidden field a person never sees; software that fills every input fills it too.
HONEYPOT_FIELD = "website"
CONTENT_MAX_LENGTH = 5000


def category_choices() -> tuple[list, dict[int, Category]]:
    """The active taxonomy as grouped choices (top level → its active children), and the rows by id.

    A top-level category without active children is offered on its own. One query.
    """
    rows = list(Category.objects.filter(is_active=True).select_related("parent").order_by("position", "pk"))
    by_pk = {c.pk: c for c in rows}
    tops = [c for c in rows if c.parent_id is None]
    children: dict[int, list[Category]] = {}
    for c in rows:
        if c.parent_id in by_pk:
            children.setdefault(c.parent_id, []).append(c)
    choices: list = [("", _("Not sure"))]
    for top in tops:
        kids = children.get(top.pk)
        if kids:
            choices.append((top.name, [(c.pk, c.name) for c in kids]))
        else:
            choices.append((top.pk, top.name))
    # Only what is offered can be chosen (a child whose parent is retired is not).
    offered = {pk for top in tops for pk in ([c.pk for c in children.get(top.pk, [])] or [top.pk])}
    return choices, {pk: by_pk[pk] for pk in offered}


def normalise_phone(raw: str) -> str:
    """Full-width digits, spaces, dashes and a +86 prefix are what phones and keyboards add."""
    text = re.sub(r"[\s\-()（）]+", "", unicodedata.normalize("NFKC", raw or ""))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif len(text) == 13 and text.startswith("86"):
        text = text[2:]
    return text


def submission_token_field() -> forms.UUIDField:
    """A form's idempotency token: new on each blank form, sent back with every POST of it,
    so a retried POST answers the item the first one stored (`petition_register(token=...)`)."""
    return forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)


class PublicPetitionForm(forms.Form):
    content = forms.CharField(
        label=_("Your opinion or suggestion"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": CONTENT_MAX_LENGTH}),
        help_text=_("What is the problem, where is it, and since when? A few sentences are enough."),
        error_messages={"required": _("Please write what you want to tell the representatives.")},
    )
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None)
    representative = forms.TypedChoiceField(
        label=_("Representative"), coerce=int, required=False, empty_value=None, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Your name"), max_length=64, required=False)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20}),
        help_text=_("So that the station can call you back. 11 digits."),
    )
    is_confidential = forms.BooleanField(label=_("Keep my identity confidential"), required=False)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    submission_token = submission_token_field()

    def __init__(self, data=None, *, members=(), categories=None):
        """`members`: the station's public memberships (their representatives may be chosen);
        `categories`: `category_choices()`."""
        super().__init__(data)
        choices, self.categories = categories or category_choices()
        self.fields["category"].choices = choices
        self.fields["representative"].choices = [("", _("All the station's representatives"))] + [
            (m.representative.pk, m.representative.name) for m in members
        ]
        self.fields["category"].widget.attrs["class"] = "form-select"
        self.fields["content"].widget.attrs["placeholder"] = _(
            "For example: the street lamp at the east gate of the village has been broken for a week."
        )

    @property
    def is_bot(self) -> bool:
        """The honeypot was filled: no person sees that field."""
        return bool(self.data.get(HONEYPOT_FIELD, "").strip()) if self.is_bound else False

    def clean_content(self):
        content = self.cleaned_data["content"].strip()
        if not content:
            raise forms.ValidationError(self.fields["content"].error_messages["required"], code="required")
        return content

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self):
        phone = normalise_phone(self.cleaned_data["phone"])
        if phone:
            mobile_validator(phone)
        return phone

    def draft(self, station) -> PetitionDraft:
        """The registration draft for an item sent through `station`'s QR code (call after is_valid)."""
        data = self.cleaned_data
        return PetitionDraft(
            jurisdiction=station.jurisdiction,
            station=station,
            content=data["content"],
            category=self.categories.get(data["category"]),
            petitioner_name=data["name"],
            petitioner_phone=data["phone"],
            # Nobody to call back: the ledger shows the item as anonymous.
            is_anonymous=not (data["name"] or data["phone"]),
            is_confidential=data["is_confidential"],
            channel=Channel.QR,
        )


class TrackLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "2611-ABCD2345",
            }
        ),
        error_messages={"required": _("Enter the tracking number on your receipt.")},
    )
