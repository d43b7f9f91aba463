"""What every move's form shares: the version field, the text field, a move's page (`Page`)."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label, rows=5, required=True, max_length=5000, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("This field is required: write it before sending.")},
    )


class MoveForm(forms.Form):
    """`situation`: the item's details for this user (`policy.Situation`), read once by the page."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, petition, user, situation=None, **kwargs):
        self.petition, self.user, self.situation = petition, user, situation
        super().__init__(*args, **kwargs)

    def arguments(self) -> dict:
        """Keyword arguments for the move's service."""
        return dict(self.cleaned_data.items())


class ConfirmForm(MoveForm):
    """Accept: nothing to fill in but the version."""


@dataclass(frozen=True)
class Page:
    """A move's page (`petitions.handling.views.act`): `form` validates, `service` runs the move.
    A move whose page lives elsewhere (a supervision notice, a suggestion) names its `url` instead."""

    form: type | None = None
    service: Callable | None = None
    title: object = ""
    button: object = ""
    help: object = ""
    style: str = "primary"
    files: bool = False  # the form takes attachments (staged uploads)
    url: Callable | None = None
