"""The public directory's search form; it validates only (`stations.public.selectors` searches)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.jurisdictions import LEVEL_DIGITS, code_at, is_under
from liaison.models import Jurisdiction
from stations.models import StationKind

# Above this many streets and townships, the directory asks for a district
# first instead of sending a select of thousands of options to a phone.
AREA_OPTIONS_LIMIT = 300


class DirectoryForm(forms.Form):
    """The directory's search bar; validates only. Unknown choices are ignored, not errors."""

    q = forms.CharField(label=_("Search"), required=False)
    district = forms.ChoiceField(label=_("District or county"), required=False)
    area = forms.ChoiceField(label=_("Street or township"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *StationKind.choices])

    def __init__(self, data=None, *, areas=None):
        """`areas` (from `public_areas()`) limits the choices; without it any
        well-formed code is accepted, as an unknown one merely matches nothing."""
        super().__init__(data)
        if areas is None:
            self.districts = self.townships = []
            for name in ("district", "area"):
                self.fields[name] = forms.RegexField(regex=r"^\d{12}$", required=False)
            return
        self.districts = [a for a in areas if a["level"] == Jurisdiction.Level.COUNTY]
        self.townships = [a for a in areas if a["level"] == Jurisdiction.Level.TOWNSHIP]
        self.fields["district"].choices = [("", "")] + [(a["code"], a["name"]) for a in self.districts]
        self.fields["area"].choices = [("", "")] + [(a["code"], a["name"]) for a in self.townships]

    def clean(self):
        data = super().clean()
        area, district = data.get("area"), data.get("district")
        if area and district and not is_under(area, district[: LEVEL_DIGITS["county"]]):
            # The visitor picked another district: its choice wins over a stale street.
            data["area"] = ""
        elif area:
            # A street or township decides its district.
            data["district"] = code_at(area, "county")
        return data

    def value(self, name) -> str:
        """The cleaned value of a field, or "" when it was missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ""

    def area_groups(self) -> list[tuple[str, list[dict]]]:
        """The streets and townships to offer, grouped by district.

        Only the chosen district's when one is chosen (or there is only one);
        all of them while they are few; none (ask for a district) otherwise.
        """
        district = self.value("district")
        names = {d["code"]: d["name"] for d in self.districts}
        if district:
            chosen = [t for t in self.townships if is_under(t["code"], district[: LEVEL_DIGITS["county"]])]
        elif len(self.districts) <= 1 or len(self.townships) <= AREA_OPTIONS_LIMIT:
            chosen = self.townships
        else:
            return []
        groups: dict[str, list[dict]] = {}
        for township in chosen:
            groups.setdefault(code_at(township["code"], "county"), []).append(township)
        return [(names.get(code, ""), items) for code, items in groups.items()]
