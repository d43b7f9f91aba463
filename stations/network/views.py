"""Network pages for signed-in users. Objects come from `visible_to(user)`:
outside the scope is 404, inside but not permitted is 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, UpdateView
from django.views.generic.edit import CreateView

from liaison.access import access_object
from liaison.uploads import file_response
from liaison.web import PermissionMixin, require_perm
from stations.models import Membership, Representative, Station, StationDocument
from stations.network import selectors, services
from stations.network.forms import (
    LiaisonOfficerFormSet,
    MembershipAddForm,
    RepresentativeForm,
    RepresentativeProfileForm,
    StationDocumentForm,
    StationForm,
)
from stations.network.querysets import access_representative, access_station

PAGE_SIZE = 50


# Stations ------------------------------------------------------------------


class FilteredListView(PermissionMixin, ListView):
    """A ledger page: the filter bar over the scoped, sorted list, with export and import."""

    paginate_by = PAGE_SIZE
    add_permission = ""
    select_filter = None  # selectors.<entity>_filter
    select_list = None  # selectors.<entity>_list

    def get_queryset(self):
        self.filterset = type(self).select_filter(self.request.user, self.request.GET, self.request)
        return type(self).select_list(self.filterset, self.request.GET.get("sort", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            filter=self.filterset,
            can_add=user.has_perm(self.add_permission),
            can_export=user.has_perm("stations.export_roster"),
            can_import=user.has_perm("stations.import_roster"),
            export_query=self.request.GET.urlencode(),
        )
        return context


class StationListView(FilteredListView):
    permission = "stations.view_station"
    add_permission = "stations.add_station"
    nav_active = "stations"
    template_name = "stations/station_list.html"
    select_filter = selectors.station_filter
    select_list = selectors.station_list


class StationDetailView(PermissionMixin, DetailView):
    permission = "stations.view_station"
    nav_active = "stations"
    template_name = "stations/station_detail.html"
    context_object_name = "station"

    def get_queryset(self):
        return Station.objects.visible_to(self.request.user).select_related("jurisdiction", "parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, station = self.request.user, self.object
        can_members = user.has_perm("stations.change_membership")
        context.update(
            path=station.jurisdiction.path(),
            members=selectors.station_members(station),
            officers=station.officers.all(),
            children=Station.objects.visible_to(user).filter(parent=station).select_related("jurisdiction"),
            documents=station.documents.select_related("uploaded_by"),
            six_haves=station.six_haves(),
            can_edit=user.has_perm("stations.change_station"),
            can_members=can_members,
            can_documents=user.has_perm("stations.add_stationdocument"),
            can_delete_documents=user.has_perm("stations.delete_stationdocument"),
            member_form=kwargs.get("member_form")
            or (MembershipAddForm(user=user, station=station) if can_members else None),
            document_form=kwargs.get("document_form") or StationDocumentForm(),
            role_choices=Membership.Role.choices,
        )
        from stations.reception.plans.selectors import station_reception_context

        context.update(station_reception_context(station, user))  # reception_rules, can_rules, next_events
        return context


# Officers' and representatives' phones: never in an error report.
@method_decorator(sensitive_post_parameters(), name="dispatch")
class StationFormMixin(PermissionMixin):
    nav_active = "stations"
    template_name = "stations/station_form.html"
    form_class = StationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "officers" not in context:
            context["officers"] = LiaisonOfficerFormSet(
                instance=getattr(self, "object", None) or Station(), prefix="officers"
            )
        return context

    def form_valid(self, form):
        officers = LiaisonOfficerFormSet(self.request.POST, instance=form.instance, prefix="officers")
        if not officers.is_valid():
            return self.render_to_response(self.get_context_data(form=form, officers=officers))
        self.object = services.station_save(form=form, officers=officers, actor=self.request.user)
        messages.success(self.request, _("Saved %(name)s.") % {"name": self.object.name})
        return redirect("stations:station_detail", pk=self.object.pk)

    def form_invalid(self, form):
        officers = LiaisonOfficerFormSet(self.request.POST, instance=form.instance, prefix="officers")
        officers.is_valid()  # show officer errors together with the station's
        messages.error(self.request, _("Please correct the fields marked in red."))
        return self.render_to_response(self.get_context_data(form=form, officers=officers))


class StationCreateView(StationFormMixin, CreateView):
    permission = "stations.add_station"

    def get_initial(self):
        parent = self.request.GET.get("parent")
        if parent and parent.isdigit():
            station = Station.objects.visible_to(self.request.user).filter(pk=parent).first()
            if station:
                return {"parent": station, "jurisdiction": station.jurisdiction}
        return {}


class StationUpdateView(StationFormMixin, UpdateView):
    permission = "stations.change_station"

    def get_queryset(self):
        return Station.objects.visible_to(self.request.user)


def _render_station_detail(request, station, **forms):
    """The detail page again, with a rejected form keeping what was typed (status 400)."""
    view = StationDetailView()
    view.setup(request, pk=station.pk)
    view.object = station
    response = view.render_to_response(view.get_context_data(object=station, **forms))
    response.status_code = 400
    return response


def _scoped_station(request, pk, perm):
    station = access_station(request.user, pk)
    require_perm(request.user, perm)
    return station


@login_required
@require_POST
def membership_add(request, pk):
    station = _scoped_station(request, pk, "stations.change_membership")
    form = MembershipAddForm(request.POST, user=request.user, station=station)
    if form.is_valid():
        membership = services.membership_add(
            station=station,
            representative=form.cleaned_data["representative"],
            role=form.cleaned_data["role"],
            actor=request.user,
        )
        messages.success(request, _("%(name)s joined the station.") % {"name": membership.representative.name})
        return redirect(reverse("stations:station_detail", args=[station.pk]) + "#members")
    messages.error(request, _("The representative was not added; see the message under the field."))
    return _render_station_detail(request, station, member_form=form)


def _scoped_membership(request, pk, membership_pk):
    station = _scoped_station(request, pk, "stations.change_membership")
    return get_object_or_404(Membership.objects.select_related("representative"), pk=membership_pk, station=station)


@login_required
@require_POST
def membership_set_role(request, pk, membership_pk):
    membership = _scoped_membership(request, pk, membership_pk)
    role = request.POST.get("role")
    if role not in Membership.Role.values:
        messages.error(request, _("Choose a valid role."))
    else:
        services.membership_set_role(membership=membership, role=role, actor=request.user)
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": membership.representative.name, "role": membership.get_role_display()},
        )
    return redirect(reverse("stations:station_detail", args=[pk]) + "#members")


@login_required
@require_POST
def membership_remove(request, pk, membership_pk):
    membership = _scoped_membership(request, pk, membership_pk)
    services.membership_remove(membership=membership, actor=request.user)
    messages.success(request, _("%(name)s left the station.") % {"name": membership.representative.name})
    return redirect(reverse("stations:station_detail", args=[pk]) + "#members")


@login_required
@require_POST
def document_add(request, pk):
    station = _scoped_station(request, pk, "stations.add_stationdocument")
    form = StationDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        document = services.document_add(station=station, form=form, actor=request.user)
        messages.success(request, _("Uploaded %(title)s.") % {"title": document.title})
        return redirect(reverse("stations:station_detail", args=[station.pk]) + "#documents")
    messages.error(request, _("The file was not uploaded; see the message under the field."))
    return _render_station_detail(request, station, document_form=form)


@login_required
def document_download(request, pk):
    document = access_object(StationDocument, request.user, pk)
    require_perm(request.user, "stations.view_stationdocument")
    return file_response(document.file.open("rb"), content_type=document.content_type, filename=document.original_name)


@login_required
@require_POST
def document_delete(request, pk):
    document = access_object(StationDocument, request.user, pk)
    require_perm(request.user, "stations.delete_stationdocument")
    station_pk, title = document.station_id, document.title
    services.document_delete(document=document, actor=request.user)
    messages.success(request, _("Deleted %(title)s.") % {"title": title})
    return redirect(reverse("stations:station_detail", args=[station_pk]) + "#documents")


@login_required
def station_photo(request, pk):
    station = access_station(request.user, pk)
    if not station.photo:
        raise Http404
    return FileResponse(station.photo.open("rb"), content_type="image/jpeg")


# Representatives -----------------------------------------------------------


class RepresentativeListView(FilteredListView):
    permission = "stations.view_representative"
    add_permission = "stations.add_representative"
    nav_active = "representatives"
    template_name = "stations/representative_list.html"
    select_filter = selectors.representative_filter
    select_list = selectors.representative_list


class RepresentativeDetailView(PermissionMixin, DetailView):
    permission = "stations.view_representative"
    nav_active = "representatives"
    template_name = "stations/representative_detail.html"
    context_object_name = "rep"

    def get_queryset(self):
        return Representative.objects.visible_to(self.request.user).select_related("jurisdiction", "user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, rep = self.request.user, self.object
        is_self = rep.user_id == user.pk
        context.update(
            memberships=selectors.representative_memberships(rep, user),
            can_edit=user.has_perm("stations.change_representative"),
            can_edit_profile=is_self and user.has_perm("stations.change_own_profile"),
            can_see_private=user.has_perm("stations.view_private_phone") or is_self,
        )
        return context


@method_decorator(sensitive_post_parameters(), name="dispatch")
class RepresentativeFormMixin(PermissionMixin):
    nav_active = "representatives"
    template_name = "stations/representative_form.html"
    form_class = RepresentativeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        self.object = services.representative_save(form=form, actor=self.request.user)
        messages.success(self.request, _("Saved %(name)s.") % {"name": self.object.name})
        return redirect("stations:representative_detail", pk=self.object.pk)

    def form_invalid(self, form):
        messages.error(self.request, _("Please correct the fields marked in red."))
        return super().form_invalid(form)


class RepresentativeCreateView(RepresentativeFormMixin, CreateView):
    permission = "stations.add_representative"

    def get_initial(self):
        station = self.request.GET.get("station")
        if station and station.isdigit():
            found = Station.objects.visible_to(self.request.user).filter(pk=station).first()
            if found:
                return {"first_station": found, "jurisdiction": found.jurisdiction}
        return {}


class RepresentativeUpdateView(RepresentativeFormMixin, UpdateView):
    permission = "stations.change_representative"

    def get_queryset(self):
        return Representative.objects.visible_to(self.request.user)


class RepresentativeProfileView(RepresentativeFormMixin, UpdateView):
    """A representative's own public-facing details."""

    permission = "stations.change_own_profile"
    form_class = RepresentativeProfileForm
    template_name = "stations/representative_profile.html"

    def get_object(self, queryset=None):
        return get_object_or_404(Representative.objects.visible_to(self.request.user), user=self.request.user)


@login_required
def representative_photo(request, pk):
    rep = access_representative(request.user, pk)
    if not rep.photo:
        raise Http404
    return FileResponse(rep.photo.open("rb"), content_type="image/jpeg")
