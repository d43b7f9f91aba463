"""Forms of the network pages. They validate only; services write.

Each form takes the acting user, and every choice list is that user's scoped
queryset, so a form can neither show nor accept an object outside the scope.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.db.models import Q
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from liaison.jurisdictions import is_under, under_q
from liaison.models import Jurisdiction, Office, Role
from liaison.offices import office_of
from liaison.uploads import ImageField, clean_document, clean_image
from stations.models import LiaisonOfficer, Membership, Representative, Station, StationDocument, StationKind


class UserForm(forms.ModelForm):
    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


def _image_field_clean(form, name):
    upload = form.cleaned_data.get(name)
    if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
        return clean_image(upload)
    return upload


class StationForm(UserForm):
    class Meta:
        model = Station
        fields = [
            "code",
            "name",
            "kind",
            "parent",
            "jurisdiction",
            "address",
            "latitude",
            "longitude",
            "opening_hours",
            "phone",
            "photo",
            "area_m2",
            "established_on",
            "annual_budget",
            "work_rules",
            "is_active",
            "office",
        ]
        widgets = {
            "established_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "work_rules": forms.Textarea(attrs={"rows": 4}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        }
        field_classes = {"photo": ImageField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        visible = Station.objects.visible_to(user)
        parents = visible.filter(kind__in=[StationKind.HOME, StationKind.STATION]).select_related("jurisdiction")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents.order_by("code")
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.visible_to(user).filter(
            level__in=[Jurisdiction.Level.TOWNSHIP, Jurisdiction.Level.COMMUNITY, Jurisdiction.Level.COUNTY]
        )
        self.fields["jurisdiction"].label_from_instance = lambda j: f"{j.code} {j.name}"
        self.fields["parent"].label_from_instance = lambda s: f"{s.code} {s.name}"
        self._offer_offices(user)
        if user.role == Role.STATION_STAFF and not user.is_system_admin:
            # Staff keep what they create inside their own part of the tree.
            self.fields["parent"].required = True
            self.fields["parent"].help_text = _("Station staff add stations below one of their own stations.")
        self.helper.layout = Layout(
            Fieldset(
                _("Station"),
                Row(
                    Column("code", css_class="col-md-3"),
                    Column("name", css_class="col-md-5"),
                    Column("kind", css_class="col-md-4"),
                ),
                Row(Column("parent", css_class="col-md-6"), Column("jurisdiction", css_class="col-md-6")),
                Row(
                    Column("address", css_class="col-md-6"),
                    Column("latitude", css_class="col-md-3"),
                    Column("longitude", css_class="col-md-3"),
                ),
                Row(
                    Column("opening_hours", css_class="col-md-6"),
                    Column("phone", css_class="col-md-3"),
                    Column("is_active", css_class="col-md-3 pt-md-4"),
                ),
                *([Row(Column("office", css_class="col-md-6"))] if "office" in self.fields else []),
            ),
            Fieldset(
                _("Six haves"),
                Row(
                    Column("area_m2", css_class="col-md-3"),
                    Column("annual_budget", css_class="col-md-3"),
                    Column("established_on", css_class="col-md-3"),
                    Column("photo", css_class="col-md-3"),
                ),
                "work_rules",
            ),
        )

    def clean_photo(self):
        return _image_field_clean(self, "photo")

    def _offer_offices(self, user) -> None:
        """Which office owns the station's items is set by an office above it (or the administrator):
        the offices of the user's own jurisdiction and below it; others do not see the field."""
        if not (user.is_system_admin or office_of(user)):
            del self.fields["office"]
            return
        offices = Office.objects.select_related("jurisdiction")
        if not user.is_system_admin:
            offices = offices.filter(under_q(office_of(user).jurisdiction, "jurisdiction__code"))
        self.fields["office"].queryset = offices.order_by("jurisdiction__code")
        self.fields["office"].empty_label = _("The nearest office above the station")
        self.fields["office"].help_text = _(
            "The committee office that triages and closes the items registered here from now on; items already "
            "registered stay with their office."
        )

    def clean(self):
        data = super().clean()
        office, jurisdiction = data.get("office"), data.get("jurisdiction")
        if office and jurisdiction and not is_under(jurisdiction.code, office.jurisdiction):
            self.add_error("office", _("Choose an office whose jurisdiction contains the station."))
        return data


class LiaisonOfficerForm(forms.ModelForm):
    class Meta:
        model = LiaisonOfficer
        fields = ["name", "position", "phone"]
        widgets = {f: forms.TextInput(attrs={"class": "form-control form-control-sm"}) for f in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if self.errors.get(name):
                field.widget.attrs["class"] += " is-invalid"


LiaisonOfficerFormSet = inlineformset_factory(
    Station, LiaisonOfficer, form=LiaisonOfficerForm, extra=2, can_delete=True, max_num=20
)


class RepresentativeForm(UserForm):
    first_station = forms.ModelChoiceField(
        label=_("Station"),
        queryset=Station.objects.none(),
        required=False,
        help_text=_("The station the new representative joins as a member."),
    )

    class Meta:
        model = Representative
        fields = [
            "code",
            "name",
            "gender",
            "level",
            "jurisdiction",
            "constituency",
            "work_unit",
            "position",
            "public_phone",
            "private_phone",
            "professional_group",
            "grid_cell",
            "term_number",
            "term_start",
            "term_end",
            "photo",
            "bio",
            "is_active",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        }
        field_classes = {"photo": ImageField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.visible_to(user).filter(
            level__in=[
                Jurisdiction.Level.PROVINCE,
                Jurisdiction.Level.CITY,
                Jurisdiction.Level.COUNTY,
                Jurisdiction.Level.TOWNSHIP,
            ]
        )
        self.fields["jurisdiction"].label_from_instance = lambda j: f"{j.code} {j.name}"
        creating = not self.instance.pk
        staff = user.role == Role.STATION_STAFF and not user.is_system_admin
        if creating:
            self.fields["first_station"].queryset = Station.objects.visible_to(user).order_by("code")
            self.fields["first_station"].label_from_instance = lambda s: f"{s.code} {s.name}"
            # Staff see representatives through their stations: a new one must join one.
            self.fields["first_station"].required = staff
        else:
            del self.fields["first_station"]
        rows = [
            Row(
                Column("code", css_class="col-md-3"),
                Column("name", css_class="col-md-3"),
                Column("gender", css_class="col-md-2"),
                Column("level", css_class="col-md-2"),
                Column("is_active", css_class="col-md-2 pt-md-4"),
            ),
            Row(
                Column("jurisdiction", css_class="col-md-4"),
                Column("constituency", css_class="col-md-4"),
                Column("grid_cell", css_class="col-md-4"),
            ),
            Row(
                Column("work_unit", css_class="col-md-5"),
                Column("position", css_class="col-md-4"),
                Column("professional_group", css_class="col-md-3"),
            ),
            Row(
                Column("public_phone", css_class="col-md-3"),
                Column("private_phone", css_class="col-md-3"),
                Column("term_number", css_class="col-md-2"),
                Column("term_start", css_class="col-md-2"),
                Column("term_end", css_class="col-md-2"),
            ),
            Row(Column("photo", css_class="col-md-4"), Column("bio", css_class="col-md-8")),
        ]
        if creating:
            rows.insert(1, Row(Column("first_station", css_class="col-md-6")))
        self.helper.layout = Layout(Fieldset(_("Representative"), *rows))

    def clean_photo(self):
        return _image_field_clean(self, "photo")


class RepresentativeProfileForm(UserForm):
    """What representatives may change in their own record."""

    class Meta:
        model = Representative
        fields = ["public_phone", "private_phone", "photo", "bio"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 6}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        }
        field_classes = {"photo": ImageField}

    def clean_photo(self):
        return _image_field_clean(self, "photo")


class MembershipAddForm(forms.Form):
    representative = forms.CharField(
        label=_("Representative"),
        max_length=64,
        help_text=_("Type the representative number, or the name when it is unique."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def __init__(self, *args, user, station, **kwargs):
        self.user, self.station = user, station
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_representative(self):
        text = self.cleaned_data["representative"].strip()
        matches = list(Representative.objects.visible_to(self.user).filter(Q(code=text) | Q(name=text))[:6])
        if not matches:
            raise forms.ValidationError(_("No representative with this number or name is in your area."))
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Several representatives are called %(name)s; type the number instead: %(codes)s.")
                % {"name": text, "codes": "、".join(m.code for m in matches)}
            )
        rep = matches[0]
        if Membership.objects.filter(station=self.station, representative=rep).exists():
            raise forms.ValidationError(_("%(name)s is already a member of this station.") % {"name": rep.name})
        return rep

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("role") == Membership.Role.HEAD
            and self.station.memberships.filter(role=Membership.Role.HEAD).exists()
        ):
            self.add_error("role", _("This station already has a head. Make the current head a member first."))
        return cleaned


class StationDocumentForm(forms.ModelForm):
    class Meta:
        model = StationDocument
        fields = ["kind", "title", "year", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("kind", css_class="col-md-3"),
                Column("title", css_class="col-md-4"),
                Column("year", css_class="col-md-2"),
                Column("file", css_class="col-md-3"),
            )
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.original_name = getattr(upload, "name", "")[:255]
        cleaned, self.content_type = clean_document(upload)
        return cleaned
