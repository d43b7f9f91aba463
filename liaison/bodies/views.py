"""The office's page of its working bodies (/offices/bodies/): list, create, change, deactivate.

The committee office keeps its own office's bodies, the system administrator any office's
(`services.offices_managed`). A body is fetched through `WorkingBody.objects.visible_to` (404
outside it), then the capability is checked (403): a working body's own staff see their body on
their start page, not here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from liaison.bodies import services
from liaison.bodies.forms import WorkingBodyForm
from liaison.models import WorkingBody
from liaison.web import no_store, require_perm

NAV = "working_bodies"


def _apply_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: by field where it names one, else above the fields."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _back(user, office_id: int):
    """To the list, of that office for the administrator (who keeps several)."""
    url = reverse("bodies:list")
    return redirect(f"{url}?office={office_id}" if user.is_system_admin else url)


def _chosen_office(request):
    """The office named by `?office=` among those the user keeps; the office's own for an office
    account; None when the administrator has not chosen one yet."""
    offices = services.offices_managed(request.user)
    raw = request.GET.get("office", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        office = offices.filter(pk=raw).first()
        if office is None:
            raise Http404
        return office
    if request.user.is_system_admin:
        return None
    return offices.first()


@login_required
def body_list(request):
    user = request.user
    require_perm(user, services.MANAGE)
    office = _chosen_office(request)
    bodies = (
        WorkingBody.objects.visible_to(user)
        .filter(office__in=services.offices_managed(user))
        .select_related("office__jurisdiction")
        .prefetch_related("departments", "members")
    )
    if office is not None:
        bodies = bodies.filter(office=office)
    context = {
        "office": office,
        "bodies": bodies.order_by("office__jurisdiction__code", "-is_active", "name"),
        "offices": services.offices_managed(user).order_by("jurisdiction__code") if user.is_system_admin else None,
        "nav_active": NAV,
    }
    return no_store(render(request, "liaison/working_body_list.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def body_create(request):
    user = request.user
    require_perm(user, services.MANAGE)
    office = _chosen_office(request)
    if office is None:
        messages.info(request, _("Choose the office first."))
        return redirect("bodies:list")
    form = WorkingBodyForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            body = services.working_body_create(
                actor=user,
                office=office,
                name=data["name"],
                departments=data["departments"],
                members=data["members"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Working body %(name)s is set up.") % {"name": body.name})
            return _back(user, office.pk)
    context = {"form": form, "office": office, "body": None, "nav_active": NAV}
    return no_store(
        render(request, "liaison/working_body_form.html", context, status=400 if request.method == "POST" else 200)
    )


@login_required
@require_http_methods(["GET", "POST"])
def body_update(request, pk):
    user = request.user
    body = services.access_working_body(user, pk)
    require_perm(user, services.MANAGE)
    if request.method == "POST":
        form = WorkingBodyForm(request.POST, office=body.office, body=body)
        if form.is_valid():
            data = form.cleaned_data
            try:
                body = services.working_body_update(
                    actor=user, body=body, name=data["name"], departments=data["departments"], members=data["members"]
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Working body %(name)s is saved.") % {"name": body.name})
                return _back(user, body.office_id)
    else:
        form = WorkingBodyForm(initial=WorkingBodyForm.initial_for(body), office=body.office, body=body)
    context = {"form": form, "office": body.office, "body": body, "nav_active": NAV}
    return no_store(
        render(request, "liaison/working_body_form.html", context, status=400 if request.method == "POST" else 200)
    )


def _set_active(request, pk, *, active: bool):
    user = request.user
    body = services.access_working_body(user, pk)
    require_perm(user, services.MANAGE)
    body = services.working_body_set_active(actor=user, body=body, active=active)
    if active:
        messages.success(request, _("Working body %(name)s is active again.") % {"name": body.name})
    else:
        messages.success(
            request,
            _("Working body %(name)s is deactivated: its staff no longer see its departments' items.")
            % {"name": body.name},
        )
    return _back(user, body.office_id)


@login_required
@require_POST
def body_deactivate(request, pk):
    return _set_active(request, pk, active=False)


@login_required
@require_POST
def body_reactivate(request, pk):
    return _set_active(request, pk, active=True)
