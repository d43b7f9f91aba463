"""What the desk form (`petitions.intake.forms.PetitionForm`) is built from: the checks of a
mobile number and a resident ID number, and the widgets of its reception-day select and its
representatives' checkboxes. They validate or render only."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from petitions.intake.public_forms import normalise_phone
from stations.models import mobile_validator

# GB 11643: the weights of the first 17 digits and the check character for the sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_18 = re.compile(r"^\d{17}[\dX]$")
_ID_15 = re.compile(r"^\d{15}$")


def clean_mobile(raw: str) -> str:
    """An 11-digit mainland mobile number, forgiving what keyboards add (see `normalise_phone`)."""
    value = normalise_phone(raw)
    if value:
        mobile_validator(value)
    return value


def clean_id_number(raw: str) -> str:
    """A resident ID number: 18 characters with a valid check character, or the old 15 digits."""
    value = re.sub(r"\s", "", raw or "").upper()
    if not value:
        return ""
    if _ID_15.match(value):
        return value
    if not _ID_18.match(value):
        raise ValidationError(
            _("An ID number has 18 characters (the last one may be X), or 15 digits for an old card."),
            code="id_format",
        )
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=False))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValidationError(
            _("This ID number does not add up; one of its characters is probably mistyped."), code="id_checksum"
        )
    return value


class EventSelect(forms.Select):
    """A select of reception days whose options name their station (`data-station`), so
    picking another station's day moves the station with it (desk.js)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stations: dict[str, int] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        station = self.stations.get(str(value))
        if station:
            option["attrs"] = {**option["attrs"], "data-station": station}
        return option


class RepresentativeCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose `locked` values are shown ticked and cannot be unticked (already saved)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked: set[str] = set()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.locked:
            option["selected"] = True
            option["attrs"] = {**option["attrs"], "disabled": True, "checked": True}
        return option


def _css(field: forms.Field) -> str:
    widget = field.widget
    if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"
