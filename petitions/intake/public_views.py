"""Residents' petition pages, no login: the form a station's QR code opens, the page
that gives the tracking number, and the public tracking pages.

Abuse controls, all on the form's POST:
- per client address (`LIAISON_RATE_PETITION_IP`): every POST counts, before any
  file is stored, so nobody fills the disk with staged uploads;
- per mobile number (`LIAISON_RATE_PETITION_PHONE`): every valid submission with
  that number counts;
- a honeypot field hidden from people: when filled, nothing is stored (not even
  the photos) and the form comes back with a generic error and everything
  typed, with status 400. A generic error rather than a fake success, because a
  browser's autofill can fill the trap for a real resident, who must not be
  told "sent" for an item nobody will ever see;
- CSRF through the normal middleware; the form page is never cached, so its
  token is always fresh.
Over a limit the page answers 429 with the form as typed. Tracking lookups and
tracking pages share one per-address limit (`LIAISON_RATE_TRACK_IP`).

Client addresses: see `liaison.ratelimit.client_ip` (REMOTE_ADDR unless
`LIAISON_TRUSTED_PROXY_COUNT` says how many proxies append to X-Forwarded-For).
"""

import logging

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison import office_settings, ratelimit, uploads
from petitions.handling.forms import PublicRateForm
from petitions.intake.public_forms import HONEYPOT_FIELD, PublicPetitionForm, TrackLookupForm, category_choices
from petitions.intake.staging import FileStage, session_key
from petitions.intake.tracking import find_tracking_number, public_item
from petitions.ledger.services import RESIDENT, PetitionError, petition_register, staged_uploads
from petitions.models import Petition
from stations.models import Representative, Station
from stations.public.selectors import public_members

log = logging.getLogger(__name__)

PHOTO_FIELD = "photos"
PHOTO_TYPES = {"image/jpeg", "image/png"}
# Tracking numbers this session was given, by station: the done page shows only these.
SESSION_KEY = "public_petitions"
SESSION_KEEP = 5


# --- the QR-code form ------------------------------------------------------------------------


def _public_station(public_code) -> Station:
    return get_object_or_404(Station.objects.public().select_related("jurisdiction"), public_code=public_code)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def petition_form(request, public_code):
    """The station's petition form; a valid POST registers the item and goes to `done`."""
    station = _public_station(public_code)
    members = public_members(station)
    categories = category_choices()
    if request.method != "POST":
        form = PublicPetitionForm(members=members, categories=categories)
        return _form_page(request, station, members, form)

    form = PublicPetitionForm(request.POST, members=members, categories=categories)
    if not ratelimit.allow(f"petition:ip:{ratelimit.client_ip(request)}", settings.LIAISON_RATE_PETITION_IP):
        return _form_page(
            request,
            station,
            members,
            form,
            staged=_already_staged(request),
            status=429,
            limited=True,
            retry_after=ratelimit.retry_after(settings.LIAISON_RATE_PETITION_IP),
        )
    if form.is_bot:
        log.info("petition form: honeypot filled, nothing stored (station %s)", station.pk)
        data = request.POST.copy()
        data[HONEYPOT_FIELD] = ""
        form = PublicPetitionForm(data, members=members, categories=categories)
        form.is_valid()
        form.add_error(None, _("Your item could not be sent. Please check it and send it again."))
        return _form_page(request, station, members, form, staged=_already_staged(request), status=400)

    photo_errors = _photos_only(request)
    stage = FileStage(request, field=PHOTO_FIELD).process()
    photo_errors += stage.errors
    if form.is_valid() and not photo_errors:
        phone = form.cleaned_data["phone"]
        if phone and not ratelimit.allow(f"petition:phone:{phone}", settings.LIAISON_RATE_PETITION_PHONE):
            return _form_page(
                request,
                station,
                members,
                form,
                staged=stage.staged,
                status=429,
                limited=True,
                retry_after=ratelimit.retry_after(settings.LIAISON_RATE_PETITION_PHONE),
            )
        try:
            petition = petition_register(
                actor=None,
                actor_label=RESIDENT,
                draft=form.draft(station),
                representatives=_receiving_representatives(station, form.cleaned_data["representative"]),
                staged=stage.staged,
                token=form.cleaned_data["submission_token"],
            )
        except PetitionError as exc:
            form.add_error(None, str(exc))
        else:
            _remember(request, station, petition.tracking_number)
            return redirect("tracking:done", public_code=station.public_code)
    return _form_page(request, station, members, form, staged=stage.staged, photo_errors=photo_errors)


def _form_page(
    request, station, members, form, *, staged=(), photo_errors=(), status=200, limited=False, retry_after=None
):
    chosen = form["representative"].value() if form.is_bound else ""
    response = render(
        request,
        "public/petition_form.html",
        {
            "station": station,
            "members": members,
            "form": form,
            "staged": staged,
            "photo_errors": photo_errors,
            "chosen_representative": str(chosen or ""),
            "limited": limited,
            "max_files": settings.LIAISON_PETITION_MAX_FILES,
            "max_file_bytes": settings.LIAISON_PETITION_MAX_FILE_BYTES,
            "reply_hours": office_settings.online_reply_hours(station.jurisdiction.code),
            "retention_days": settings.LIAISON_RETENTION_CLOSED_PERSONAL_DAYS,
            "privacy_contact": settings.LIAISON_PRIVACY_CONTACT,
        },
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _already_staged(request):
    """Files this session staged on an earlier try (new files of a refused POST are not stored)."""
    return staged_uploads(owner_key=session_key(request), tokens=request.POST.getlist("staged"))


def _photos_only(request) -> list[str]:
    """Keep only JPEG and PNG files for staging: residents send photos here, never documents.

    Drops the others from `request.FILES` and returns a message for each.
    """
    kept, errors = [], []
    for upload in request.FILES.getlist(PHOTO_FIELD):
        if uploads.sniff_content_type(upload) in PHOTO_TYPES:
            kept.append(upload)
        else:
            errors.append(
                _("%(name)s is not a photo. Only JPEG and PNG photos can be sent here.") % {"name": upload.name}
            )
    request.FILES.setlist(PHOTO_FIELD, kept)
    return errors


def _receiving_representatives(station, chosen_pk) -> list[Representative]:
    """The chosen representative, or all the station's serving representatives."""
    reps = Representative.objects.public().filter(memberships__station=station).select_related("user")
    if chosen_pk:
        reps = reps.filter(pk=chosen_pk)
    return list(reps.order_by("pk").distinct())


def _remember(request, station, number) -> None:
    sent = [entry for entry in request.session.get(SESSION_KEY, []) if entry[0] != station.public_code]
    sent.append([station.public_code, number])
    request.session[SESSION_KEY] = sent[-SESSION_KEEP:]


def _private(response):
    """Tracking numbers and their pages stay out of caches, referrers and search engines."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "same-origin"  # never to other sites; same-origin keeps Origin for CSRF
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def done(request, public_code):
    """The tracking number this session was given at this station (a reload still shows it)."""
    station = _public_station(public_code)
    number = dict(request.session.get(SESSION_KEY, [])).get(station.public_code)
    if not number:
        return redirect("public:station_petition", public_code=station.public_code)
    return _private(
        render(
            request,
            "public/petition_done.html",
            {
                "station": station,
                "number": number,
                # The link works on whatever host served the page; the address shown is the one to keep.
                "tracking_path": reverse("tracking:detail", args=[number]),
                "tracking_url": settings.SITE_URL + reverse("tracking:detail", args=[number]),
                "reply_hours": office_settings.online_reply_hours(station.jurisdiction.code),
            },
        )
    )


# --- public tracking -------------------------------------------------------------------------


def _track_allowed(request) -> bool:
    return ratelimit.allow(f"track:ip:{ratelimit.client_ip(request)}", settings.LIAISON_RATE_TRACK_IP)


def _lookup_page(request, form, *, status=200, not_found=False, limited=False):
    response = render(
        request,
        "public/track_lookup.html",
        {"form": form, "not_found": not_found, "limited": limited},
        status=status,
    )
    if limited:
        response["Retry-After"] = str(ratelimit.retry_after(settings.LIAISON_RATE_TRACK_IP))
    return _private(response)


@require_GET
def lookup(request):
    """Find an item by the number on the resident's receipt (`?number=`); every try counts."""
    if "number" not in request.GET:
        return _lookup_page(request, TrackLookupForm())
    form = TrackLookupForm(request.GET)
    if not _track_allowed(request):
        return _lookup_page(request, form, status=429, limited=True)
    if not form.is_valid():
        return _lookup_page(request, form, status=400)
    number = find_tracking_number(form.cleaned_data["number"])
    if number is None:
        return _lookup_page(request, form, status=404, not_found=True)
    return _private(redirect("tracking:detail", number=number))


@require_GET
def detail(request, number):
    """An item's public page: status, station, date, category, the public timeline and,
    once the answer was fed back, the resident's rating form."""
    form = TrackLookupForm({"number": number})
    if not _track_allowed(request):
        return _lookup_page(request, form, status=429, limited=True)
    item = public_item(number)
    if item is None:
        return _lookup_page(request, form, status=404, not_found=True)
    return _detail_page(request, item, PublicRateForm() if item.can_rate else None)


def _detail_page(request, item, rate_form, *, status=200, rate_error=""):
    return _private(
        render(
            request,
            "public/track_detail.html",
            {
                "item": item,
                "reply_hours": item.reply_hours,
                "rate_form": rate_form,
                "rate_error": rate_error,
                "rated": request.GET.get("rated") == "1",
            },
            status=status,
        )
    )


@sensitive_post_parameters()
@require_POST
def rate(request, number):
    """The resident rates the handling (satisfied / basically / dissatisfied), once per round.
    Knowing the tracking number is the resident's key, as for the page itself."""
    from petitions.handling.services import petition_rate

    if not _track_allowed(request):
        return _lookup_page(request, TrackLookupForm({"number": number}), status=429, limited=True)
    item = public_item(number)
    if item is None:
        return _lookup_page(request, TrackLookupForm({"number": number}), status=404, not_found=True)
    form = PublicRateForm(request.POST)
    if not item.can_rate:
        return _detail_page(
            request,
            item,
            None,
            status=400,
            rate_error=_("This item cannot be rated now; it may have been rated already."),
        )
    if not form.is_valid():
        return _detail_page(request, item, form, status=400)
    petition = Petition.objects.only("pk").get(tracking_number=item.tracking_number)
    try:
        petition_rate(actor=None, petition=petition, **form.cleaned_data)
    except PetitionError as exc:
        return _detail_page(request, public_item(number), form, status=400, rate_error=str(exc))
    return _private(redirect(reverse("tracking:detail", args=[item.tracking_number]) + "?rated=1#rating"))
