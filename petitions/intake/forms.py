"""Forms of the registration desk. They validate only; `petitions.ledger.services` writes.

Every choice list is the acting user's scoped queryset (stations, reception
days, communities, representatives, items to link to), so a form can neither
offer nor accept anything outside the user's scope. The choices that depend on
the station (its reception days, communities and members) follow the station
the form was posted with, so a changed station never validates against the old one.
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.models import Jurisdiction
from petitions.intake import desk
from petitions.intake.fields import EventSelect, RepresentativeCheckboxes, _css, clean_id_number, clean_mobile
from petitions.intake.public_forms import submission_token_field
from petitions.intake.tracking import normalise_tracking_number
from petitions.ledger import privacy
from petitions.ledger.services import PetitionDraft
from petitions.models import Channel, Petition, Urgency
from stations.models import ReceptionEvent, Representative

# At most this many reception days in the select before it lists only the chosen station's.
DAY_EVENTS_IN_SELECT = 12
# The page's order of the fields: the first one with an error gets the focus.
DESK_ORDER = (
    "station",
    "received_on",
    "channel",
    "community",
    "event",
    "representatives",
    "petitioner_name",
    "petitioner_phone",
    "petitioner_address",
    "id_number",
    "co_petitioners",
    "is_anonymous",
    "is_confidential",
    "content",
    "category",
    "urgency",
    "is_hard_problem",
    "address",
    "latitude",
    "longitude",
)


class PetitionForm(forms.Form):
    """The registration form (群众意见登记表); given `petition`, the same form edits it.

    Unbound, it starts from the day's defaults (see `petitions.intake.desk`): the
    station and reception day of the first event on the date received, its
    rostered representatives, the station's own community.
    """

    # -- reception: where and when the item came in
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=None, error_messages={"invalid_choice": _("Choose one of your stations.")}
    )
    event = forms.ModelChoiceField(
        label=_("Reception day"),
        queryset=None,
        required=False,
        empty_label=_("No reception day"),
        widget=EventSelect,
        error_messages={"invalid_choice": _("This reception day is not at the chosen station on that date.")},
    )
    received_on = forms.DateField(
        label=_("Date received"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.ON_SITE)
    representatives = forms.ModelMultipleChoiceField(
        label=_("Receiving representatives"),
        queryset=None,
        required=False,
        widget=RepresentativeCheckboxes,
        error_messages={"invalid_choice": _("%(value)s is not a member of the chosen station.")},
    )
    # -- the petitioner
    petitioner_name = forms.CharField(label=_("Full name"), max_length=64, required=False)
    petitioner_phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    petitioner_address = forms.CharField(label=_("Address"), max_length=200, required=False)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Optional. Only the first 4 and last 4 characters are kept."),
    )
    is_anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    is_confidential = forms.BooleanField(
        label=_("Confidential"), required=False, help_text=_("The petitioner's identity is hidden from departments.")
    )
    co_petitioners = forms.IntegerField(
        label=_("Co-petitioners"),
        min_value=0,
        max_value=100000,
        required=False,
        initial=0,
        help_text=_("People who raise the same matter together with the petitioner."),
    )
    # -- the matter
    content = forms.CharField(
        label=_("Content"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write down what the resident raises.")},
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False)
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=None,
        error_messages={
            "required": _("Choose the community the problem is in."),
            "invalid_choice": _("Choose a community of the station's district in your area."),
        },
    )
    address = forms.CharField(
        label=_("Location"),
        max_length=200,
        required=False,
        help_text=_("Where the problem is, if not the petitioner's address."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.000001"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.000001"}),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect
    )
    is_hard_problem = forms.BooleanField(
        label=_("Long-standing hard problem (难愁盼)"),
        required=False,
        help_text=_("A hard, long-standing livelihood problem."),
    )
    linked_to = forms.ModelChoiceField(
        queryset=None,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("The item to link to is no longer in your area; clear the link.")},
    )
    submission_token = submission_token_field()

    def __init__(self, *args, user, petition: Petition | None = None, today: date | None = None, **kwargs):
        self.user = user
        self.petition = petition
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)
        stations = desk.desk_stations(user, include=petition.station_id if petition is not None else None)
        self.fields["station"].queryset = stations
        self.fields["station"].label_from_instance = lambda s: f"{s.code} {s.name}"
        self.fields["category"].queryset = desk.active_categories()
        self.fields["category"].choices = desk.category_choices(_("Choose a category"))
        self.fields["linked_to"].queryset = Petition.objects.visible_to(user)
        if petition is not None:
            del self.fields["linked_to"]  # an existing item is linked with its own small form
            del self.fields["submission_token"]  # an edit is guarded by the item's version instead
        # Who may not see the petitioner in full (the committee office) edits the rest of
        # the item but sees the identity only masked, as in the ledger, and cannot change it.
        self.identity_locked = petition is not None and privacy.access(user, petition) is not privacy.Access.FULL
        if self.identity_locked:
            shown = privacy.Petitioner(user, petition)
            masked = {
                "petitioner_name": shown.name,
                "petitioner_phone": shown.phone,
                "petitioner_address": shown.address,
                "id_number": "",
            }
            for name, value in masked.items():
                self.fields[name].disabled = True
                self.initial[name] = value
        self._fill_defaults()
        self._station_choices()
        for field in self.fields.values():
            if not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("class", _css(field))
        if not self.is_bound:
            # Staff at a preset station start with the petitioner; otherwise with the station.
            self.fields["petitioner_name" if self.chosen_station else "station"].widget.attrs["autofocus"] = True

    # -- the station, its day and its people

    def _raw(self, name):
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        value = self.initial.get(name)
        return getattr(value, "pk", value)

    def _pick(self, queryset, raw):
        try:
            return queryset.filter(pk=int(raw)).first() if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def _day(self) -> date:
        raw = self._raw("received_on")
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw)) if raw else self.today
        except ValueError:
            return self.today

    def _fill_defaults(self):
        """Unbound: what the day suggests, for whatever the caller did not give."""
        if self.is_bound:
            return
        initial = self.initial
        initial.setdefault("received_on", self.today)
        initial.setdefault("channel", Channel.ON_SITE)
        initial.setdefault("urgency", Urgency.NORMAL)
        initial.setdefault("co_petitioners", 0)
        station = self._pick(self.fields["station"].queryset, self._raw("station"))
        if station is None and self.petition is None:
            station = desk.default_station(self.user, self._day())
        initial["station"] = station
        events = desk.events_on(self.user, self._day(), station) if station else ReceptionEvent.objects.none()
        event = self._pick(events, self._raw("event"))
        if event is None and "event" not in initial and self.petition is None:
            event = events.first()
        initial["event"] = event
        if "representatives" not in initial and self.petition is None:
            initial["representatives"] = [r.pk for r in desk.roster_representatives(event)]
        if self.petition is None and not self._pick(desk.communities_for(self.user, station), self._raw("community")):
            initial["community"] = desk.default_community(station)

    def _station_choices(self):
        station = self._pick(self.fields["station"].queryset, self._raw("station"))
        self.chosen_station = station
        # The day's events of all the user's stations when they are few (staff pick the day and
        # the station follows); else only those of the chosen station.
        day_events = list(
            desk.events_on(self.user, self._day()).values_list("pk", "station_id")[: DAY_EVENTS_IN_SELECT + 1]
        )
        if len(day_events) > DAY_EVENTS_IN_SELECT:
            day_events = (
                list(desk.events_on(self.user, self._day(), station).values_list("pk", "station_id")) if station else []
            )
        event_ids = {pk for pk, _station in day_events}
        locked, community_ids = set(), set()
        if station is not None:
            community_ids = set(desk.communities_for(self.user, station).values_list("pk", flat=True))
        if self.petition is not None:
            # What the item already has stays choosable, even if the station's roster changed since.
            if self.petition.event_id and self.petition.station_id == getattr(station, "pk", None):
                event_ids.add(self.petition.event_id)
            locked = set(self.petition.representative_links.values_list("representative_id", flat=True))
            community_ids.add(self.petition.jurisdiction_id)
        event_field = self.fields["event"]
        event_field.queryset = (
            ReceptionEvent.objects.filter(pk__in=event_ids)
            .select_related("station")
            .order_by("date", "start_time", "pk")
        )
        event_field.label_from_instance = lambda e: (
            f"{e.start_time:%H:%M} {e.station.name} {e.title or e.get_kind_display()}"
        )
        event_field.widget.stations = {str(e.pk): e.station_id for e in event_field.queryset}
        self.has_events = bool(event_ids)
        event = self._pick(event_field.queryset, self._raw("event"))
        if event is not None and event.station_id != getattr(station, "pk", None):
            event = None  # another station's day: refused in clean(), and its roster is not this station's
        ordered = list(desk.station_members(self.user, station, event))
        seen = {r.pk for r in ordered}
        ordered += list(Representative.objects.filter(pk__in=locked - seen).order_by("name"))
        reps = self.fields["representatives"]
        reps.queryset = Representative.objects.filter(pk__in=[r.pk for r in ordered])
        reps.choices = [(r.pk, self._rep_label(r)) for r in ordered]
        reps.widget.locked = {str(pk) for pk in locked}
        community = self.fields["community"]
        community.queryset = Jurisdiction.objects.filter(pk__in=community_ids)
        community.choices = [
            ("", _("Choose the community")),
            *desk.grouped_communities(community.queryset.order_by("code")),
        ]

    @staticmethod
    def _rep_label(rep) -> str:
        return f"{rep.name}（{rep.get_level_display()}）"

    # -- validation

    def clean_petitioner_phone(self):
        if self.identity_locked:
            return self.petition.petitioner_phone
        return clean_mobile(self.cleaned_data.get("petitioner_phone", ""))

    def clean_id_number(self):
        if self.identity_locked:
            return ""  # keeps what is stored
        return clean_id_number(self.cleaned_data.get("id_number", ""))

    def clean_petitioner_name(self):
        if self.identity_locked:
            return self.petition.petitioner_name
        return " ".join(self.cleaned_data.get("petitioner_name", "").split())

    def clean_petitioner_address(self):
        if self.identity_locked:
            return self.petition.petitioner_address
        return self.cleaned_data.get("petitioner_address", "")

    def clean_co_petitioners(self):
        return self.cleaned_data.get("co_petitioners") or 0

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > self.today:
            raise ValidationError(_("The date received cannot be later than today."))
        return day

    def clean_linked_to(self):
        target = self.cleaned_data.get("linked_to")
        # A link always points at the first item of the matter.
        return target.linked_to if target is not None and target.linked_to_id else target

    def clean(self):
        cleaned = super().clean()
        station, event = cleaned.get("station"), cleaned.get("event")
        if event is not None and station is not None and event.station_id != station.pk:
            self.add_error("event", _("This reception day is at another station."))
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("latitude", _("Give both latitude and longitude, or neither."))
        unreachable = not any(cleaned.get(k) for k in ("is_anonymous", "petitioner_name", "petitioner_phone"))
        if unreachable and "petitioner_phone" not in self.errors:
            self.add_error(
                "petitioner_name",
                _("Give the petitioner's name or mobile phone so the answer can reach them, or tick “Anonymous”."),
            )
        return cleaned

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                css = self.fields[name].widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    self.fields[name].widget.attrs["class"] = f"{css} is-invalid".strip()
        first = next((name for name in DESK_ORDER if name in self.errors), None)
        if first:
            self.fields[first].widget.attrs["autofocus"] = True

    # -- for the services

    def draft(self) -> PetitionDraft:
        d = self.cleaned_data
        return PetitionDraft(
            jurisdiction=d["community"],
            content=d["content"].strip(),
            station=d["station"],
            event=d.get("event"),
            address=d.get("address", ""),
            latitude=d.get("latitude"),
            longitude=d.get("longitude"),
            petitioner_name=d.get("petitioner_name", ""),
            petitioner_phone=d.get("petitioner_phone", ""),
            petitioner_address=d.get("petitioner_address", ""),
            id_number=d.get("id_number", ""),
            is_anonymous=d.get("is_anonymous", False),
            is_confidential=d.get("is_confidential", False),
            co_petitioners=d.get("co_petitioners") or 0,
            category=d.get("category"),
            urgency=d.get("urgency") or Urgency.NORMAL,
            is_hard_problem=d.get("is_hard_problem", False),
            channel=d.get("channel") or Channel.ON_SITE,
            received_on=d["received_on"],
            linked_to=d.get("linked_to"),
        )

    def new_representatives(self) -> list:
        """The ticked representatives the item does not have yet (all of them when registering)."""
        chosen = list(self.cleaned_data.get("representatives") or [])
        if self.petition is None:
            return chosen
        have = set(self.petition.representative_links.values_list("representative_id", flat=True))
        return [r for r in chosen if r.pk not in have]

    def keep_for_next(self) -> dict:
        """What "save and register the next" carries to the fresh form."""
        d = self.cleaned_data
        return {
            "station": d["station"].pk,
            "event": d["event"].pk if d.get("event") else "",
            "received_on": d["received_on"].isoformat(),
            "channel": d.get("channel") or Channel.ON_SITE,
            "representatives": [r.pk for r in d.get("representatives") or []],
        }

    @classmethod
    def initial_for(cls, petition: Petition) -> dict:
        """An existing item's values for the edit form (the ID number stays empty)."""
        return {
            "station": petition.station_id,
            "event": petition.event_id,
            "received_on": petition.received_on,
            "channel": petition.channel,
            "representatives": list(petition.representative_links.values_list("representative_id", flat=True)),
            "petitioner_name": petition.petitioner_name,
            "petitioner_phone": petition.petitioner_phone,
            "petitioner_address": petition.petitioner_address,
            "is_anonymous": petition.is_anonymous,
            "is_confidential": petition.is_confidential,
            "co_petitioners": petition.co_petitioners,
            "content": petition.content,
            "category": petition.category_id,
            "community": petition.jurisdiction_id,
            "address": petition.address,
            "latitude": petition.latitude,
            "longitude": petition.longitude,
            "urgency": petition.urgency,
            "is_hard_problem": petition.is_hard_problem,
        }


class LinkForm(forms.Form):
    """Link an existing item to another one of the user's area, by its tracking number."""

    tracking_number = forms.CharField(
        label=_("Tracking number of the other item"),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", "placeholder": "2601-XXXXXXXX"}),
    )

    def __init__(self, *args, user, petition: Petition, **kwargs):
        self.user = user
        self.petition = petition
        self.target = None
        super().__init__(*args, **kwargs)

    def clean_tracking_number(self):
        number = normalise_tracking_number(self.cleaned_data["tracking_number"])
        target = Petition.objects.visible_to(self.user).filter(tracking_number=number).first()
        if target is None:
            raise ValidationError(_("No item with this tracking number is in your area."))
        if target.pk == self.petition.pk:
            raise ValidationError(_("An item cannot be linked to itself."))
        self.target = target
        return number
