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

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, FloatField, OuterRef
from django.db.models.functions import Cast
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

from stations.models import Membership, ReceptionEvent, Representative, RosterEntry, Station, StationKind
from stations.public import qr
from stations.public.selectors import (
    _by_level_and_name,
    closed_results,
    coming_events,
    directory_search,
    event_heading,
    notice_title,
    public_events,
    public_members,
    public_roster,
)

DIRECTORY_PAGE_SIZE = 20
# The poster has room for this many representatives on one A4 page.
POSTER_MAX_REPRESENTATIVES = 12

GEOJSON_MAX_AGE = 5 * 60
QR_MAX_AGE = 24 * 60 * 60
PHOTO_MAX_AGE = 60 * 60
# Photos are served only with an image type known from the stored name, so a
# stored file can never be served as HTML or SVG (script) to a visitor.
PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}

# An announcement has room for this many representatives on one A4 page.
ANNOUNCEMENT_MAX_REPRESENTATIVES = 8


# --- the directory ------------------------------------------------------------


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
