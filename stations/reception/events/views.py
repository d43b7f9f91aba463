"""Event pages for signed-in users: the event ledger, an event with its roster and the
day's record, create and edit, and a representative's own reception days.

Events come from `ReceptionEvent.objects.visible_to(user)`: outside the scope
is 404, inside but not permitted is 403. Writes go through
`stations.reception.events.services`; a refused write (a ValidationError) shows its
message and keeps what was typed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, ListView
from django.views.generic.edit import FormView

from liaison.excel import xlsx_response
from liaison.web import PermissionMixin, require_perm, safe_next
from stations.models import EventPhoto, ReceptionEvent, ReceptionRule, Representative, RosterEntry, Station
from stations.network.querysets import access_event_photo, access_reception_event
from stations.network.views import PAGE_SIZE
from stations.reception import policy
from stations.reception.events import selectors, services
from stations.reception.events.export import events_sheet
from stations.reception.events.forms import (
    CancelForm,
    EventForm,
    PhotoForm,
    RecordForm,
    RosterAddForm,
    apply_service_errors,
)
from stations.reception.workflow import UPCOMING, EventMove

VIEW = "stations.view_receptionevent"
EXPORT_MAX_ROWS = 5000


_EVENT_RELATED = ("station", "station__jurisdiction", "campaign", "department", "plan", "recorded_by")


def _event_queryset(user):
    return ReceptionEvent.objects.visible_to(user).select_related(*_EVENT_RELATED)


def _scoped_event(request, pk, perm=VIEW) -> ReceptionEvent:
    """The event if the user can see it (else 404), and may do `perm` (else 403)."""
    event = access_reception_event(request.user, pk, queryset=ReceptionEvent.objects.select_related(*_EVENT_RELATED))
    require_perm(request.user, perm)
    return event


def _own_representative(user) -> Representative | None:
    if not user.is_authenticated:
        return None
    return Representative.objects.filter(user=user, is_active=True).first()


def _detail_url(event, anchor=""):
    return reverse("reception:event_detail", args=[event.pk]) + (f"#{anchor}" if anchor else "")


def _public_urls(event) -> tuple[str | None, str | None]:
    """The public announcement and its printable poster, when the event is public."""
    if not policy.is_public(event):
        return None, None
    try:
        args = [event.station.public_code, event.pk]
        return reverse("public:event", args=args), reverse("public:event_print", args=args)
    except NoReverseMatch:  # the public pages are not installed
        return None, None


# --------------------------------------------------------------------------- ledger


class EventListView(PermissionMixin, ListView):
    permission = VIEW
    nav_active = "events"
    template_name = "stations/reception/event_list.html"
    paginate_by = PAGE_SIZE

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.filterset = selectors.event_filter(self.request.user, self.request.GET, self.request)
        return selectors.event_list(self.filterset, self.request.GET.get("sort", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = context["page_obj"].object_list = selectors.with_roster_names(context["object_list"])
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop("format", None)
        context.update(
            filter=self.filterset,
            can_add=self.request.user.has_perm("stations.add_receptionevent"),
            export_query=params.urlencode(),
            today=timezone.localdate(),
        )
        return context

    def export(self):
        queryset = self.get_queryset()
        if not self.filterset.is_valid():
            messages.error(self.request, _("Correct the filter before exporting."))
            return redirect(reverse("reception:event_list"))
        count = queryset.count()
        if count > EXPORT_MAX_ROWS:
            params = self.request.GET.copy()
            params.pop("format", None)
            messages.error(
                self.request,
                _("%(count)s events match; the export takes at most %(max)s. Narrow the filter, for example by date.")
                % {"count": count, "max": EXPORT_MAX_ROWS},
            )
            return redirect(reverse("reception:event_list") + "?" + params.urlencode())
        filename = _("reception-events-%(date)s.xlsx") % {"date": timezone.localdate().isoformat()}
        return xlsx_response(filename, events_sheet(queryset))


# --------------------------------------------------------------------------- one event


class EventDetailView(PermissionMixin, DetailView):
    permission = VIEW
    nav_active = "events"
    template_name = "stations/reception/event_detail.html"
    context_object_name = "event"

    def get_queryset(self):
        return _event_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, event = self.request.user, self.object
        today = timezone.localdate()
        can_change = policy.may_change_event(user, event)
        can_roster = policy.may_change_roster(user, event)
        can_record = policy.can(user, EventMove.RECORD, event, today)
        query = self.request.GET.get("q", "")
        public_url, print_url = _public_urls(event)
        representative = _own_representative(user) if user.has_perm("stations.volunteer_receptionevent") else None
        context.update(
            rows=selectors.roster_rows(event, user),
            today=today,
            can_edit=can_change and event.status != ReceptionEvent.Status.CANCELLED,
            can_cancel=policy.can(user, EventMove.CANCEL, event),
            can_roster=can_roster,
            can_record=can_record,
            record_later=user.has_perm("stations.record_receptionevent")
            and event.status in UPCOMING
            and event.date > today,
            can_see_attendance=user.has_perm("stations.view_attendance"),
            can_view_station=user.has_perm("stations.view_station")
            and Station.objects.visible_to(user).filter(pk=event.station_id).exists(),
            can_volunteer=selectors.can_volunteer(representative, event, today),
            can_notices=user.has_perm("liaison.view_outboxmessage"),
            petitions_of_day=_petitions_of_day(user, event, today),
            is_on_roster=representative is not None and event.roster.filter(representative=representative).exists(),
            query=query,
            candidates=selectors.roster_candidates(user, event, query) if can_roster else [],
            roster_form=kwargs.get("roster_form") or RosterAddForm(user=user),
            record_form=kwargs.get("record_form") or (RecordForm(event=event) if can_record else None),
            photo_form=kwargs.get("photo_form") or PhotoForm(),
            cancel_form=kwargs.get("cancel_form") or CancelForm(),
            photos=event.photos.all(),
            public_url=public_url,
            print_url=print_url,
        )
        if context["can_notices"]:
            context["notices"] = list(selectors.event_notices(event)[:200])
        return context


def _render_detail(request, event, status=400, **forms):
    """The detail page again with a rejected form keeping what was typed."""
    view = EventDetailView()
    view.setup(request, pk=event.pk)
    view.object = event
    response = view.render_to_response(view.get_context_data(object=event, **forms))
    response.status_code = status
    return response


class EventFormMixin(PermissionMixin):
    nav_active = "events"
    template_name = "stations/reception/event_form.html"
    form_class = EventForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_invalid(self, form):
        messages.error(self.request, _("Please correct the fields marked in red."))
        return super().form_invalid(form)

    def form_valid(self, form):
        try:
            event = self.save(form)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved %(title)s.") % {"title": event.display_title})
        return redirect("reception:event_detail", pk=event.pk)


class EventCreateView(EventFormMixin, FormView):
    permission = "stations.add_receptionevent"

    def get_initial(self):
        """With `?station=<pk>`: that station, and the times, place and roster size of its rule."""
        initial = {"start_time": "09:00", "end_time": "11:30", "open_slots": 2}
        station_pk = self.request.GET.get("station", "")
        station = None
        if station_pk.isdigit():
            station = Station.objects.visible_to(self.request.user).filter(pk=station_pk).first()
        if station:
            initial["station"] = station
            rule = ReceptionRule.objects.filter(station=station, is_active=True).first()
            if rule:
                initial.update(
                    start_time=rule.start_time.strftime("%H:%M"),
                    end_time=rule.end_time.strftime("%H:%M"),
                    place=rule.place,
                    open_slots=rule.representatives_per_event,
                )
        return initial

    def save(self, form):
        return services.event_create(
            actor=self.request.user, station=form.cleaned_data["station"], data=form.service_data()
        )

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "event": None}


class EventUpdateView(EventFormMixin, FormView):
    permission = "stations.change_receptionevent"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.event = _scoped_event(request, kwargs["pk"], self.permission)
        if not policy.may_change_event(request.user, self.event):
            raise PermissionDenied
        if self.event.status == ReceptionEvent.Status.CANCELLED:
            messages.error(
                request, _("This event was cancelled and can no longer be changed. Create a new event instead.")
            )
            return redirect(_detail_url(self.event))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.event}

    def save(self, form):
        return services.event_update(actor=self.request.user, event=self.event, data=form.service_data())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "event": self.event}


@login_required
@require_POST
def event_cancel(request, pk):
    event = _scoped_event(request, pk, "stations.change_receptionevent")
    if not policy.may_change_event(request.user, event):
        raise PermissionDenied
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.event_cancel(actor=request.user, event=event, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The event is cancelled."))
            return redirect(_detail_url(event))
    messages.error(request, _("The event was not cancelled; see the message under the field."))
    return _render_detail(request, event, cancel_form=form)


# --------------------------------------------------------------------------- roster


def _roster_event(request, pk):
    event = _scoped_event(request, pk, "stations.change_rosterentry")
    if event.status == ReceptionEvent.Status.DRAFT and not policy.may_change_event(request.user, event):
        raise PermissionDenied
    return event


@login_required
@require_POST
def roster_add(request, pk):
    event = _roster_event(request, pk)
    form = RosterAddForm(request.POST, user=request.user)
    if form.is_valid():
        representative = form.cleaned_data["representative"]
        try:
            services.roster_add(actor=request.user, event=event, representative=representative)
        except ValidationError as error:
            form.add_error("representative", error.messages)
        else:
            messages.success(request, _("%(name)s is on the roster.") % {"name": representative.name})
            return redirect(_detail_url(event, "roster"))
    messages.error(
        request,
        _("The representative was not added: %(reason)s")
        % {"reason": " ".join(str(e) for errors in form.errors.values() for e in errors)},
    )
    return _render_detail(request, event, roster_form=form)


@login_required
@require_GET
def roster_candidates(request, pk):
    """htmx: the candidate list for a search on the event page."""
    event = _roster_event(request, pk)
    query = request.GET.get("q", "")
    return render(
        request,
        "stations/reception/_roster_candidates.html",
        {
            "event": event,
            "candidates": selectors.roster_candidates(request.user, event, query),
            "query": query,
        },
    )


@login_required
@require_POST
def roster_remove(request, pk, entry_pk):
    event = _roster_event(request, pk)
    entry = get_object_or_404(RosterEntry.objects.select_related("representative"), pk=entry_pk, event=event)
    try:
        services.roster_remove(actor=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is off the roster.") % {"name": entry.representative.name})
    return redirect(_detail_url(event, "roster"))


@login_required
@require_POST
def volunteer(request, pk):
    event = _scoped_event(request, pk, "stations.volunteer_receptionevent")
    try:
        services.roster_volunteer(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        if not error.args:
            raise
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("You are on the roster of %(title)s on %(date)s.")
            % {"title": event.display_title, "date": event.date.isoformat()},
        )
    return redirect(safe_next(request, _detail_url(event, "roster")))


# --------------------------------------------------------------------------- the day's record


def _record_event(request, pk):
    return _scoped_event(request, pk, "stations.record_receptionevent")


@login_required
@require_POST
def event_record(request, pk):
    event = _record_event(request, pk)
    form = RecordForm(request.POST, event=event)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.event_record(
                actor=request.user,
                event=event,
                attended_ids=[e.pk for e in data["attended"]],
                residents_received=data["residents_received"],
                opinions_collected=data["opinions_collected"],
                summary=data["summary"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The day's record is saved."))
            return redirect(_detail_url(event, "record"))
    messages.error(request, _("The record was not saved; see the messages in the form."))
    return _render_detail(request, event, record_form=form)


@login_required
@require_POST
def photo_add(request, pk):
    event = _record_event(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.event_photo_add(
                actor=request.user, event=event, upload=form.cleaned_data["photo"], caption=form.cleaned_data["caption"]
            )
        except ValidationError as error:
            form.add_error("photo", error.messages)
        else:
            messages.success(request, _("The photo is added."))
            return redirect(_detail_url(event, "photos"))
    messages.error(request, _("The photo was not added; see the message under the field."))
    return _render_detail(request, event, photo_form=form)


@login_required
def photo(request, pk):
    """A photo of the day, only for those who can see its event."""
    found = access_event_photo(request.user, pk)
    require_perm(request.user, VIEW)
    response = FileResponse(found.file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def photo_delete(request, pk):
    found = access_event_photo(request.user, pk, queryset=EventPhoto.objects.select_related("event"))
    require_perm(request.user, "stations.record_receptionevent")
    services.event_photo_delete(actor=request.user, photo=found)
    messages.success(request, _("The photo is deleted."))
    return redirect(_detail_url(found.event, "photos"))


# --------------------------------------------------------------------------- my days


@login_required
def my_days(request):
    """A representative's coming days, open places to volunteer for, and past days."""
    representative = _own_representative(request.user)
    if representative is None:
        return redirect("reception:event_list")
    today = timezone.localdate()
    days = selectors.my_days(representative, today)
    return render(
        request,
        "stations/reception/my_days.html",
        {
            "representative": representative,
            "days": days,
            "today": today,
            "can_volunteer": request.user.has_perm("stations.volunteer_receptionevent"),
            "nav_active": "my_days",
        },
    )


def _petitions_of_day(user, event, today) -> dict | None:
    """The petitions registered on this day that the user sees, and where to register one more."""
    from petitions.models import Petition

    if not user.has_perm("petitions.view_petition"):
        return None
    count = Petition.objects.visible_to(user).filter(event=event).count()
    can_register = user.has_perm("petitions.add_petition") and policy.is_public(event) and event.date <= today
    return {
        "count": count,
        "ledger_url": reverse("petitions:ledger") + f"?event={event.pk}",
        "register_url": reverse("petitions:create")
        + f"?station={event.station_id}&event={event.pk}&received_on={event.date:%Y-%m-%d}"
        if can_register
        else "",
    }
