"""Public pages, no login: the station directory and its map, a station's page,
its QR code and printable poster, the announcements of its reception days, and
the photos those pages show.

Everything reads through `Station.objects.public()` and
`Representative.objects.public()`, and shows only what a station publishes on
its notice board: never a private phone, a representative number or a
station's internal number. Unknown and closed stations answer 404 alike.
"""

import hashlib
import json

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    CharField,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Substr
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag
from django.utils.translation import gettext_lazy as _
from django.views.decorators.gzip import gzip_page
from django.views.generic import TemplateView

from liaison.jurisdictions import LEVEL_DIGITS, code_at, is_under, under_q
from liaison.models import Jurisdiction
from stations.models import (
    EventKind,
    Level,
    Membership,
    ReceptionEvent,
    ReceptionPlan,
    Representative,
    RosterEntry,
    Station,
    StationKind,
)
from stations.network.selectors import public_station_members
from stations.public import qr

DIRECTORY_PAGE_SIZE = 20
SEARCH_MAX_LENGTH = 100
# Above this many streets and townships, the directory asks for a district
# first instead of sending a select of thousands of options to a phone.
AREA_OPTIONS_LIMIT = 300
# The poster has room for this many representatives on one A4 page.
POSTER_MAX_REPRESENTATIVES = 12

GEOJSON_MAX_AGE = 5 * 60
QR_MAX_AGE = 24 * 60 * 60
PHOTO_MAX_AGE = 60 * 60
# Photos are served only with an image type known from the stored name, so a
# stored file can never be served as HTML or SVG (script) to a visitor.
PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
LEVEL_ORDER = {level: i for i, level in enumerate(Level.values)}  # national first

# An announcement has room for this many representatives on one A4 page.
ANNOUNCEMENT_MAX_REPRESENTATIVES = 8
# Besides the next reception day, the station page lists this many other coming events.
STATION_PAGE_OTHER_EVENTS = 3

# What a public page may read of a representative (private_phone and code stay in the database).
PUBLIC_REPRESENTATIVE_FIELDS = (
    "role",
    "station_id",
    "representative__id",
    "representative__name",
    "representative__level",
    "representative__work_unit",
    "representative__position",
    "representative__public_phone",
    "representative__photo",
)

# The same, read through an event's roster.
PUBLIC_ROSTER_FIELDS = (
    "event",
    "representative__id",
    "representative__name",
    "representative__level",
    "representative__work_unit",
    "representative__position",
    "representative__public_phone",
    "representative__photo",
)


# --- the directory's search -------------------------------------------------


def public_areas() -> list[dict]:
    """Districts and streets/townships with at least one station in service, by code (one query).

    Official codes nest by prefix, so a station's district is the first 6
    digits of its jurisdiction's code and its street or township the first 9.
    """
    public = Station.objects.public().order_by()

    def codes(length):
        padded = Concat(Substr("jurisdiction__code", 1, length), Value("0" * (12 - length)), output_field=CharField())
        return public.annotate(area_code=padded).values("area_code")

    return list(
        Jurisdiction.objects.filter(
            Q(level=Jurisdiction.Level.COUNTY, code__in=codes(LEVEL_DIGITS["county"]))
            | Q(level=Jurisdiction.Level.TOWNSHIP, code__in=codes(LEVEL_DIGITS["township"]))
        )
        .order_by("code")
        .values("code", "name", "level")
    )


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


def directory_search(params, *, with_choices=True):
    """The directory form bound to `params`, and the public stations it selects (not yet ordered).

    Without choices the form costs no query (for the GeoJSON, which shows no form).
    """
    form = DirectoryForm(params, areas=public_areas() if with_choices else None)
    stations = Station.objects.public()
    text = form.value("q")[:SEARCH_MAX_LENGTH].strip()
    if text:
        stations = stations.filter(
            Q(name__icontains=text)
            | Q(address__icontains=text)
            | Q(jurisdiction__name__icontains=text)
            | Q(jurisdiction__parent__name__icontains=text)
        )
    if form.value("area"):
        stations = stations.filter(under_q(form.value("area")[: LEVEL_DIGITS["township"]], "jurisdiction__code"))
    elif form.value("district"):
        stations = stations.filter(under_q(form.value("district")[: LEVEL_DIGITS["county"]], "jurisdiction__code"))
    if form.value("kind"):
        stations = stations.filter(kind=form.value("kind"))
    return form, stations


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _map_config(**extra) -> dict:
    """What directory.js needs to draw a map; it reads this from a json_script tag."""
    marker_icon = static("vendor/leaflet/images/marker-icon.png")
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": [float(c) for c in settings.MAP_CENTER],
        "zoom": settings.MAP_ZOOM,
        # Leaflet appends "marker-icon.png" etc. to this folder.
        "imagePath": marker_icon.rsplit("/", 1)[0] + "/",
        "labels": {
            "open": str(_("Open the station page")),
            "tilesFailed": str(_("The map background could not be loaded. The list of stations still works.")),
            "loadFailed": str(_("The stations could not be shown on the map. Please use the list.")),
            "none": str(_("No station with a location matches the search.")),
        },
        **extra,
    }


class DirectoryView(TemplateView):
    """The station directory: a search bar, a map and a paginated list of stations in service."""

    template_name = "public/directory.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, stations = directory_search(self.request.GET)
        stations = stations.select_related("jurisdiction", "jurisdiction__parent").order_by(
            "jurisdiction__code", "name", "pk"
        )
        page = Paginator(stations, DIRECTORY_PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = _query_without_page(self.request)
        geojson_url = reverse("public:directory_geojson") + (f"?{query}" if query else "")
        context.update(
            form=form,
            q=form.value("q"),
            kind=form.value("kind"),
            district=form.value("district"),
            area=form.value("area"),
            area_groups=form.area_groups(),
            kinds=StationKind.choices,
            page_obj=page,
            stations=page.object_list,
            is_filtered=any(form.value(f) for f in ("q", "kind", "district", "area")),
            map_config=_map_config(geojsonUrl=geojson_url),
        )
        return context


@gzip_page
def directory_geojson(request):
    """The directory's stations that have coordinates, as a GeoJSON FeatureCollection.

    One query and no model instances, so a province's 20,000 stations stay
    fast; each feature carries only name, kind label, address and page URL.
    Cacheable for a few minutes, with an ETag for revalidation.
    """
    _form, stations = directory_search(request.GET, with_choices=False)
    rows = (
        stations.filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("pk")
        # Floats straight from the database: 20,000 Decimal conversions cost more than the query.
        .annotate(lat=Cast("latitude", FloatField()), lng=Cast("longitude", FloatField()))
        .values_list("public_code", "name", "kind", "address", "lat", "lng")
    )
    kinds = {kind.value: str(kind.label) for kind in StationKind}
    url_head, url_tail = reverse("public:station", kwargs={"public_code": "~"}).split("~")
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
            "properties": {
                "name": name,
                "kind": kinds.get(kind, ""),
                "address": address,
                "url": f"{url_head}{code}{url_tail}",
            },
        }
        for code, name, kind, address, lat, lng in rows
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    return _cacheable(request, response, max_age=GEOJSON_MAX_AGE, vary_language=True)


def _cacheable(request, response, *, max_age, vary_language=False):
    """Mark a public response cacheable, with an ETag of its body; answer 304 when it matches."""
    response["ETag"] = quote_etag(hashlib.md5(response.content, usedforsecurity=False).hexdigest())
    patch_cache_control(response, public=True, max_age=max_age)
    if vary_language:
        # Labels follow the visitor's language (header or language cookie).
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return get_conditional_response(request, etag=response["ETag"], response=response)


# --- a station's pages ---------------------------------------------------------


def _public_station(public_code, *related):
    stations = Station.objects.public()
    if related:
        stations = stations.select_related(*related)
    return get_object_or_404(stations, public_code=public_code)


def public_members(station) -> list[Membership]:
    """The station's serving representatives with public fields only: head first, then by level and name."""
    members = list(public_station_members(station).only(*PUBLIC_REPRESENTATIVE_FIELDS))
    members.sort(
        key=lambda m: (
            m.role != Membership.Role.HEAD,
            LEVEL_ORDER.get(m.representative.level, 99),
            m.representative.name,
        )
    )
    return members


def closed_results(station, limit=10) -> list[dict]:
    """Items of this station the office closed with a result written for the public (never
    the petitioner or the original text): newest first."""
    from petitions.models import Petition, Status

    return list(
        Petition.objects.filter(station=station, status=Status.CLOSED)
        .exclude(public_result="")
        .order_by("-closed_at")
        .values("closed_at", "public_result", "category__name", "category__parent__name")[:limit]
    )


class StationPublicView(TemplateView):
    """A station's public page: contacts, representatives, liaison officers, map and QR code."""

    template_name = "public/station_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        station = _public_station(self.kwargs["public_code"], "jurisdiction", "jurisdiction__parent", "parent")
        parent = station.parent if station.parent_id and station.parent.is_active else None
        next_reception, other_events = coming_events(station)
        context.update(
            station=station,
            parent=parent,
            next_reception=next_reception,
            other_events=other_events,
            members=public_members(station),
            results=closed_results(station),
            # Names and positions only: an officer's phone is not published here.
            officers=list(station.officers.only("pk", "station_id", "name", "position")),
            map_config=_map_config(
                marker=[float(station.latitude), float(station.longitude)],
                zoom=16,
                name=station.name,
                labels={
                    "tilesFailed": str(_("The map background could not be loaded.")),
                    "loadFailed": str(_("The map could not be shown.")),
                },
            )
            if station.has_location
            else None,
        )
        return context


class StationPosterView(TemplateView):
    """A printable A4 poster of the station's QR code, opening hours and representatives."""

    template_name = "public/station_poster.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        station = _public_station(self.kwargs["public_code"], "jurisdiction", "jurisdiction__parent")
        members = public_members(station)
        context.update(
            station=station,
            members=members[:POSTER_MAX_REPRESENTATIVES],
            more_members=max(0, len(members) - POSTER_MAX_REPRESENTATIVES),
            petition_url=qr.petition_url(station.public_code),
        )
        return context


# --- reception days: announcement and printable notice ------------------------


def public_events():
    """Events the public may see: scheduled, held, or cancelled after they were announced.

    Drafts, and any event of a plan still under review, are not public; a
    cancelled event stays visible (with a banner) so a printed notice's QR
    code or link does not lead nowhere.
    """
    S = ReceptionEvent.Status
    return ReceptionEvent.objects.filter(
        Q(plan__isnull=True) | Q(plan__status=ReceptionPlan.Status.PUBLISHED),
        status__in=[S.SCHEDULED, S.HELD, S.CANCELLED],
        station__is_active=True,
    )


def public_roster():
    """Roster entries with public fields only: serving representatives, never a private phone."""
    return (
        RosterEntry.objects.filter(representative__is_active=True)
        .select_related("representative")
        .only(*PUBLIC_ROSTER_FIELDS)
    )


def _by_level_and_name(entries) -> list[RosterEntry]:
    return sorted(entries, key=lambda e: (LEVEL_ORDER.get(e.representative.level, 99), e.representative.name))


def coming_events(station, *, today=None, others=STATION_PAGE_OTHER_EVENTS):
    """The station's next reception day (or None) and its next few other events, with rosters.

    Two queries: the next reception day and the other events in one, rosters in
    the second. "Today" is the local date (Asia/Shanghai), so today's reception
    day is still the next one until midnight.
    """
    today = today or timezone.localdate()
    coming = public_events().filter(station=station, status=ReceptionEvent.Status.SCHEDULED, date__gte=today)
    next_reception = coming.filter(kind=EventKind.RECEPTION).order_by("date", "start_time", "pk").values("pk")[:1]
    events = list(
        coming.filter(Q(pk=Subquery(next_reception)) | ~Q(kind=EventKind.RECEPTION))
        .annotate(is_reception=Case(When(kind=EventKind.RECEPTION, then=0), default=1, output_field=IntegerField()))
        .select_related("department", "campaign")
        .prefetch_related(Prefetch("roster", queryset=public_roster(), to_attr="public_roster"))
        .order_by("is_reception", "date", "start_time", "pk")[: others + 1]
    )
    for event in events:
        event.public_roster = _by_level_and_name(event.public_roster)
        event.heading = event_heading(event)
    if events and events[0].kind == EventKind.RECEPTION:
        return events[0], events[1:]
    return None, events[:others]


def event_heading(event) -> str:
    """What an event is called on the public pages: its own title, or one made from its kind."""
    if event.title:
        return event.title
    if event.kind == EventKind.DEPARTMENT_VISIT and event.department_id:
        return _("Department-head visit: %(department)s") % {"department": event.department.name}
    if event.kind == EventKind.CAMPAIGN and event.campaign_id:
        return _("%(campaign)s activity") % {"campaign": event.campaign.name}
    return {
        EventKind.RECEPTION: _("Representatives' reception day"),
        EventKind.VOTER_MEETING: _("Voter meeting"),
    }.get(event.kind, event.get_kind_display())


def notice_title(event) -> str:
    """The printed notice's title (公告)."""
    return {
        EventKind.RECEPTION: _("Notice of the representatives' reception day"),
        EventKind.DEPARTMENT_VISIT: _("Notice of a department-head visit"),
        EventKind.VOTER_MEETING: _("Notice of a voter meeting"),
        EventKind.CAMPAIGN: _("Notice of a campaign activity"),
    }.get(event.kind, _("Notice"))


def _public_event(public_code, pk) -> ReceptionEvent:
    """One public event of a station in service, with what its pages show; 404 otherwise."""
    return get_object_or_404(
        public_events().select_related(
            "station", "station__jurisdiction", "station__jurisdiction__parent", "department", "campaign"
        ),
        station__public_code=public_code,
        pk=pk,
    )


class EventPublicView(TemplateView):
    """A reception day's public announcement: when, where, who receives, how to reach the station."""

    template_name = "public/event_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = _public_event(self.kwargs["public_code"], self.kwargs["pk"])
        context.update(
            event=event,
            station=event.station,
            heading=event_heading(event),
            roster=_by_level_and_name(public_roster().filter(event=event)),
        )
        return context


class EventPrintView(TemplateView):
    """The printable A4 notice (公告) of a reception day, to post at the station and in the village."""

    template_name = "public/event_print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = _public_event(self.kwargs["public_code"], self.kwargs["pk"])
        roster = _by_level_and_name(public_roster().filter(event=event))
        context.update(
            event=event,
            station=event.station,
            heading=event_heading(event),
            notice_title=notice_title(event),
            roster=roster[:ANNOUNCEMENT_MAX_REPRESENTATIVES],
            more_roster=max(0, len(roster) - ANNOUNCEMENT_MAX_REPRESENTATIVES),
            petition_url=qr.petition_url(event.station.public_code),
            issued_on=timezone.localdate(),
        )
        return context


def station_qr(request, public_code):
    """The station's QR code as SVG; it encodes `qr.petition_url()`."""
    station = _public_station(public_code)
    response = HttpResponse(qr.qr_svg(station.public_code), content_type="image/svg+xml")
    return _cacheable(request, response, max_age=QR_MAX_AGE)


def _photo_response(field):
    """Stream a stored image; 404 when there is none, its type is not an image, or the file is gone."""
    if not field or not field.name:
        raise Http404
    content_type = PHOTO_TYPES.get(field.name.rsplit(".", 1)[-1].lower())
    if content_type is None:
        raise Http404
    try:
        handle = field.storage.open(field.name, "rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    patch_cache_control(response, public=True, max_age=PHOTO_MAX_AGE)
    return response


def station_photo(request, public_code):
    return _photo_response(_public_station(public_code).photo)


def representative_photo(request, pk):
    """A serving representative's photo, only if they are a member of a station in service
    or on the roster of an event that a public announcement shows."""
    in_public_station = Membership.objects.filter(representative=OuterRef("pk"), station__in=Station.objects.public())
    on_public_event = RosterEntry.objects.filter(representative=OuterRef("pk"), event__in=public_events())
    representative = get_object_or_404(
        Representative.objects.public().filter(Exists(in_public_station) | Exists(on_public_event)).only("pk", "photo"),
        pk=pk,
    )
    return _photo_response(representative.photo)
