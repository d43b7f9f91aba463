"""The registration desk: register (and register the next), edit, similar open items,
link, files, and the receipt slip for the resident.

Items come from `Petition.objects.visible_to(user)`: outside the scope is 404,
inside but not permitted is 403. Writes go through `petitions.ledger.services`; a
refused write (`PetitionError`) shows its message on the form and keeps what
was typed, and good files stay staged (`petitions.intake.staging.FileStage`).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from liaison.models import Jurisdiction
from liaison.web import require_perm, safe_next
from petitions.intake import desk
from petitions.intake.forms import LinkForm, PetitionForm
from petitions.intake.staging import FileStage
from petitions.ledger import privacy
from petitions.ledger.services import (
    PetitionError,
    petition_add_representative,
    petition_attach,
    petition_attachment_remove,
    petition_link,
    petition_register,
    petition_update,
)
from petitions.ledger.views import scoped_petition
from petitions.models import Petition

VIEW = "petitions.view_petition"
ADD = "petitions.add_petition"
CHANGE = "petitions.change_petition"
TEMPLATE = "petitions/desk_form.html"
# What a fresh form may take from its address: the reception fields "save and register the next" keeps.
KEPT_FIELDS = ("station", "event", "received_on", "channel", "community")
# A change of these reloads the station's part of the form (its days, communities and members).
STATION_TRIGGERS = ("station", "event", "received_on")


def _query_initial(params: QueryDict, *, with_representatives=True) -> dict:
    initial = {name: params.get(name) for name in KEPT_FIELDS if name in params}
    if with_representatives and "representatives" in params:
        initial["representatives"] = [v for v in params.getlist("representatives") if v.isdigit()]
    return initial


def _is_block_refresh(request) -> bool:
    return bool(request.headers.get("HX-Request")) and request.GET.get("block") == "station"


def _refresh_initial(request) -> dict:
    """A station, day or date changed: keep the ticked representatives unless the change
    brings its own roster (a new station or reception day)."""
    changed = request.GET.get("changed", "")
    initial = _query_initial(request.GET, with_representatives=changed not in STATION_TRIGGERS)
    if changed in ("station", "received_on"):
        initial.pop("event", None)  # the day of the new station or date is chosen afresh
    if changed in ("station", "event"):
        initial.pop("community", None)  # a new station starts from its own community
    return initial


def _registered_message(petition) -> str:
    """ "Registered as 2601-ABCD2345. Print the receipt" with the receipt's link (opens a new tab)."""
    number = format_html('<strong class="desk-number">{}</strong>', petition.tracking_number)
    text = conditional_escape(_("Registered as %(number)s.")) % {"number": number}
    link = format_html(
        '<a class="alert-link ms-2" href="{}" target="_blank" rel="noopener" data-testid="receipt-link">{}</a>',
        reverse("petitions:receipt", args=[petition.pk]),
        _("Print the receipt"),
    )
    return mark_safe(f"{text}{link}")


def _context(request, form, *, stage=None, petition=None, link_form=None) -> dict:
    user = request.user
    context = {
        "form": form,
        "stage": stage,
        "petition": petition,
        "nav_active": "register" if petition is None else "ledger",
        "max_files": settings.LIAISON_PETITION_MAX_FILES,
        "max_file_bytes": settings.LIAISON_PETITION_MAX_FILE_BYTES,
        "similar_url": reverse("petitions:similar"),
        "block_url": request.path,
        "map_config": _map_config(form),
        "linked_target": None,
    }
    if petition is None:
        context["linked_target"] = _pick(Petition.objects.visible_to(user), form["linked_to"].value())
    else:
        context.update(
            attachments=list(petition.attachments.all()),
            link_form=link_form or LinkForm(user=user, petition=petition),
            id_number_masked=petition.id_number_masked,
        )
    return context


def _map_config(form) -> dict:
    """What desk.js needs for the optional map: centre on the station when it has a place."""
    station = getattr(form, "chosen_station", None)
    center = [float(c) for c in settings.MAP_CENTER]
    zoom = settings.MAP_ZOOM
    if station is not None and station.has_location:
        center, zoom = [float(station.latitude), float(station.longitude)], 15
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": center,
        "zoom": zoom,
        "imagePath": static("vendor/leaflet/images/marker-icon.png").rsplit("/", 1)[0] + "/",
        "labels": {"tilesFailed": _("The map background could not be loaded; type the coordinates instead.")},
    }


def _render_block(request, form):
    return render(request, f"{TEMPLATE}#station_block", {"form": form})


# --------------------------------------------------------------------------- register


@method_decorator(sensitive_post_parameters(), name="dispatch")
class PetitionCreateView(LoginRequiredMixin, View):
    """GET the form with the day's defaults; POST registers one item."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_perm(request.user, ADD)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if _is_block_refresh(request):
            return _render_block(request, PetitionForm(user=request.user, initial=_refresh_initial(request)))
        form = PetitionForm(user=request.user, initial=_query_initial(request.GET))
        return render(request, TEMPLATE, _context(request, form))

    def post(self, request):
        stage = FileStage(request).process()
        form = PetitionForm(request.POST, user=request.user)
        if form.is_valid() and not stage.errors:
            try:
                petition = petition_register(
                    actor=request.user,
                    draft=form.draft(),
                    representatives=form.new_representatives(),
                    staged=stage.staged,
                    token=form.cleaned_data["submission_token"],
                )
            except PetitionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _registered_message(petition))
                if "save_next" in request.POST:
                    query = QueryDict(mutable=True)
                    for name, value in form.keep_for_next().items():
                        if isinstance(value, list):
                            query.setlist(name, [str(v) for v in value])
                        else:
                            query[name] = value
                    return redirect(reverse("petitions:create") + "?" + query.urlencode())
                return redirect("petitions:detail", pk=petition.pk)
        return render(request, TEMPLATE, _context(request, form, stage=stage))


# --------------------------------------------------------------------------- edit


@method_decorator(sensitive_post_parameters(), name="dispatch")
class PetitionUpdateView(LoginRequiredMixin, View):
    """The same form, filled in; saving records every change in the item's history."""

    def get(self, request, pk):
        petition = scoped_petition(request, pk, CHANGE)
        if _is_block_refresh(request):
            initial = {**PetitionForm.initial_for(petition), **_refresh_initial(request)}
            return _render_block(request, PetitionForm(user=request.user, petition=petition, initial=initial))
        form = PetitionForm(user=request.user, petition=petition, initial=PetitionForm.initial_for(petition))
        return render(request, TEMPLATE, _context(request, form, petition=petition))

    def post(self, request, pk):
        petition = scoped_petition(request, pk, CHANGE)
        form = PetitionForm(request.POST, user=request.user, petition=petition)
        version = request.POST.get("version", "")
        if form.is_valid():
            try:
                with transaction.atomic():
                    petition_update(
                        actor=request.user,
                        petition=petition,
                        draft=form.draft(),
                        version=int(version) if version.isdigit() else None,
                    )
                    for representative in form.new_representatives():
                        petition_add_representative(
                            actor=request.user, petition=petition, representative=representative
                        )
            except PetitionError as exc:
                form.add_error(None, str(exc))
                petition.refresh_from_db(fields=["version", "status"])  # sending again acts on what is there now
            else:
                messages.success(request, _("Item %(number)s saved.") % {"number": petition.tracking_number})
                return redirect("petitions:detail", pk=petition.pk)
        elif version.isdigit():
            petition.version = int(version)  # a form error keeps the version the person started from
        return render(request, TEMPLATE, _context(request, form, petition=petition))


@require_POST
@login_required
def link(request, pk):
    """Mark an item as the same matter as another one of the user's area (by tracking number)."""
    petition = scoped_petition(request, pk, CHANGE)
    link_form = LinkForm(request.POST, user=request.user, petition=petition)
    if link_form.is_valid():
        try:
            petition_link(actor=request.user, petition=petition, target=link_form.target)
        except PetitionError as exc:
            link_form.add_error("tracking_number", str(exc))
        else:
            messages.success(
                request,
                _("Item %(number)s is now handled together with %(target)s.")
                % {"number": petition.tracking_number, "target": link_form.target.tracking_number},
            )
            return redirect(safe_next(request, reverse("petitions:detail", args=[petition.pk])))
    form = PetitionForm(user=request.user, petition=petition, initial=PetitionForm.initial_for(petition))
    return render(request, TEMPLATE, _context(request, form, petition=petition, link_form=link_form))


# --------------------------------------------------------------------------- files


@require_POST
@login_required
def attachment_add(request, pk):
    petition = scoped_petition(request, pk, CHANGE)
    stage = FileStage(request).process()
    for error in stage.errors:
        messages.error(request, error)
    if stage.staged:
        added = petition_attach(actor=request.user, petition=petition, staged=stage.staged)
        messages.success(request, _("%(n)s file(s) added.") % {"n": len(added)})
    elif not stage.errors:
        messages.info(request, _("Choose a file first."))
    return redirect(safe_next(request, reverse("petitions:update", args=[petition.pk])))


@require_POST
@login_required
def attachment_delete(request, pk, file_pk):
    petition = scoped_petition(request, pk, CHANGE)
    attachment = get_object_or_404(petition.attachments, pk=file_pk)
    name = attachment.original_name
    petition_attachment_remove(actor=request.user, attachment=attachment)
    messages.success(request, _("%(name)s removed.") % {"name": name})
    return redirect(safe_next(request, reverse("petitions:update", args=[petition.pk])))


# --------------------------------------------------------------------------- similar items


@require_GET
@login_required
def similar(request):
    """Up to five open items of the same station or community sharing words with the typed content."""
    user = request.user
    if not (user.has_perm(ADD) or user.has_perm(CHANGE)):
        raise PermissionDenied
    params = request.GET
    station = _pick(desk.desk_stations(user), params.get("station"))
    community = _pick(Jurisdiction.objects.visible_to(user), params.get("community"))
    exclude = params.get("exclude")
    items = desk.similar_open(
        user,
        text=params.get("content", "")[:2000],
        station=station,
        community=community,
        exclude_pk=int(exclude) if exclude and exclude.isdigit() else None,
    )
    return render(
        request,
        "petitions/_similar.html",
        {"items": items, "linked_to": params.get("linked_to", ""), "can_link": "exclude" not in params},
    )


def _pick(queryset, raw):
    return queryset.filter(pk=int(raw)).first() if raw and str(raw).isdigit() else None


# --------------------------------------------------------------------------- receipt


@require_GET
@login_required
def receipt(request, pk):
    """The resident's printable slip: tracking number, summary, how to follow the item.
    Never their phone or ID number; their name masked, or not at all for a user who
    may not see the identity (a department on a confidential item)."""
    petition = scoped_petition(request, pk, VIEW)
    url = desk.tracking_url(petition.tracking_number)
    summary = petition.content[:120] + ("…" if len(petition.content) > 120 else "")
    # Masked for everyone; "confidential"/"anonymous" for whoever may not see the identity at all.
    petitioner = privacy.Petitioner(request.user, petition)
    if petitioner.is_hidden or (petition.is_anonymous and not petition.petitioner_name):
        name = petitioner.name if petitioner.is_hidden else _("Anonymous")
    else:
        name = privacy.mask_name(petition.petitioner_name)
    context = {
        "petition": petition,
        "station": petition.station,
        "summary": summary,
        "petitioner": name,
        "representatives": [
            link.representative.name
            for link in petition.representative_links.select_related("representative").order_by("pk")
        ],
        "tracking_url": url,
        "qr": desk.qr_data_uri(url),
        "nav_active": "ledger",
    }
    return render(request, "petitions/receipt.html", context)
