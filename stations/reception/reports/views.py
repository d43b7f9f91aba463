"""Campaigns and the reception reports: campaign totals and attendance per representative.

Campaigns come from `Campaign.objects.visible_to(user)` (404 outside), then the
capability (403): `view_campaign` to see one, `change_campaign` to edit (and only
a campaign of the user's own jurisdiction or below), `view_attendance` for the
figures. Every figure counts only the events the user can see.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView
from django.views.generic.edit import CreateView, UpdateView

from liaison import office_settings
from liaison.access import access_object
from liaison.excel import Sheet, xlsx_response
from liaison.web import PermissionMixin, require_perm
from stations.models import Campaign, EventKind, Level, ReceptionEvent
from stations.network.views import PAGE_SIZE
from stations.reception.reports import selectors
from stations.reception.reports.campaigns import campaign_save, may_change_campaign
from stations.reception.reports.forms import AttendanceFilterForm, CampaignForm

VIEW_CAMPAIGN = "stations.view_campaign"
CHANGE_CAMPAIGN = "stations.change_campaign"
VIEW_ATTENDANCE = "stations.view_attendance"
EXPORT_MAX_ROWS = 20_000  # a synchronous download; a county has about a thousand representatives


# --------------------------------------------------------------------------- campaigns


def _scoped_campaign(request, pk) -> Campaign:
    return access_object(Campaign.objects.select_related("jurisdiction", "created_by"), request.user, pk)


def _events_url(**params) -> str:
    """The event ledger filtered (campaign, station, kind, status)."""
    return reverse("reception:event_list") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _phase(campaign, today) -> tuple[str, str]:
    if today < campaign.start_date:
        return "upcoming", _("Not started")
    if today > campaign.end_date:
        return "finished", _("Finished")
    return "running", _("Running")


class CampaignListView(PermissionMixin, ListView):
    permission = VIEW_CAMPAIGN
    nav_active = "campaigns"
    template_name = "stations/reception/campaign_list.html"
    context_object_name = "campaigns"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        campaigns = selectors.campaign_list(self.request.user)
        self.q = self.request.GET.get("q", "").strip()
        if self.q:
            campaigns = campaigns.filter(name__icontains=self.q)
        return campaigns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        for campaign in context["campaigns"]:
            campaign.phase, campaign.phase_label = _phase(campaign, today)
            campaign.events_url = _events_url(campaign=campaign.pk)
        context.update(
            q=self.q,
            can_add=user.has_perm(CHANGE_CAMPAIGN),
            can_totals=user.has_perm(VIEW_ATTENDANCE),
        )
        return context


class CampaignFormMixin(PermissionMixin):
    nav_active = "campaigns"
    template_name = "stations/reception/campaign_form.html"
    form_class = CampaignForm
    context_object_name = "campaign"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        self.object = campaign_save(actor=self.request.user, form=form)
        messages.success(self.request, _("Saved the campaign %(name)s.") % {"name": self.object.name})
        return redirect("reception_reports:campaign_detail", pk=self.object.pk)

    def form_invalid(self, form):
        messages.error(self.request, _("Please correct the fields marked in red."))
        return super().form_invalid(form)


class CampaignCreateView(CampaignFormMixin, CreateView):
    permission = CHANGE_CAMPAIGN


class CampaignUpdateView(CampaignFormMixin, UpdateView):
    permission = CHANGE_CAMPAIGN

    def get_object(self, queryset=None):
        campaign = _scoped_campaign(self.request, self.kwargs["pk"])
        if not may_change_campaign(self.request.user, campaign):
            raise PermissionDenied
        return campaign


class CampaignDetailView(PermissionMixin, DetailView):
    """The campaign and its totals; `?format=xlsx` downloads the totals table."""

    permission = VIEW_CAMPAIGN
    nav_active = "campaigns"
    template_name = "stations/reception/campaign_detail.html"
    context_object_name = "campaign"

    def get_object(self, queryset=None):
        campaign = _scoped_campaign(self.request, self.kwargs["pk"])
        require_perm(self.request.user, self.permission)
        return campaign

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            campaign = self.get_object()
            require_perm(request.user, VIEW_ATTENDANCE)
            return campaign_totals_xlsx(selectors.campaign_totals(campaign, request.user))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, campaign = self.request.user, self.object
        campaign.phase, campaign.phase_label = _phase(campaign, timezone.localdate())
        totals = selectors.campaign_totals(campaign, user) if user.has_perm(VIEW_ATTENDANCE) else None
        if totals is not None:
            _attach_links(totals)
        context.update(
            totals=totals,
            kinds=EventKind.choices,
            events_url=_events_url(campaign=campaign.pk),
            can_edit=may_change_campaign(user, campaign),
            can_totals=totals is not None,
            today=timezone.localdate(),
        )
        return context


def _attach_links(totals) -> None:
    """Each event count links to the event ledger filtered the same way."""
    pk = totals.campaign.pk
    held = ReceptionEvent.Status.HELD
    scheduled = ReceptionEvent.Status.SCHEDULED

    def attach(row, station=None):
        row.links = {
            "held": _events_url(campaign=pk, station=station, status=held),
            "scheduled": _events_url(campaign=pk, station=station, status=scheduled),
        }
        row.kind_links = [
            (n, _events_url(campaign=pk, station=station, status=held, kind=k))
            for n, k in zip(row.kinds, EventKind.values, strict=False)
        ]

    attach(totals.total)
    for row in totals.stations:
        attach(row, row.key.pk)
    # Area rows get no links: the ledger has no area filter.


def campaign_totals_xlsx(totals) -> HttpResponse:
    """Two sheets, each summing to the same total: by street or township, and by station."""
    campaign = totals.campaign
    figures = [
        _("Events held"),
        *[label for _value, label in EventKind.choices],
        _("Still scheduled"),
        _("Representatives present"),
        _("Representatives rostered"),
        _("Residents received"),
        _("Opinions collected"),
    ]

    def values(row):
        return [row.held, *row.kinds, row.scheduled, row.present, row.rostered, row.residents, row.opinions]

    figure_widths = [10] * (len(figures) - 4) + [12] * 4
    by_area = Sheet(
        title=_("By street or township"),
        header=[_("Street or township"), _("Stations"), *figures],
        rows=[[r.label, r.stations, *values(r)] for r in totals.areas],
        footer=[_("Total"), totals.total.stations, *values(totals.total)],
        widths=[18, 8, *figure_widths],
    )
    by_station = Sheet(
        title=_("By station"),
        header=[_("Station number"), _("Station"), _("Street or township"), *figures],
        rows=[[r.code, r.label, r.parent_label, *values(r)] for r in totals.stations],
        footer=[_("Total"), None, None, *values(totals.total)],
        widths=[18, 28, 14, *figure_widths],
    )
    filename = _("campaign-%(name)s-%(date)s.xlsx") % {
        "name": slugify(campaign.name, allow_unicode=True) or campaign.pk,
        "date": timezone.localdate().isoformat(),
    }
    return xlsx_response(filename, by_area, by_station)


# --------------------------------------------------------------------------- attendance


class AttendanceView(PermissionMixin, ListView):
    """Attendance per representative in a year; `?format=xlsx` downloads every filtered row."""

    permission = VIEW_ATTENDANCE
    nav_active = "attendance"
    template_name = "stations/reception/attendance.html"
    context_object_name = "rows"
    paginate_by = PAGE_SIZE

    def get(self, request, *args, **kwargs):
        self.form = AttendanceFilterForm(request.GET, user=request.user)
        self.filters = {**self.form.filters(), "sort": request.GET.get("sort", "")}
        self.year = self.form.selected_year
        self.book = office_settings.Book.load()  # the offices' quotas, read once for the page
        if request.GET.get("format") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        rows = selectors.attendance_rows(self.request.user, self.year, self.filters, self.book)
        return selectors.with_visible_stations(rows, self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        params["format"] = "xlsx"
        # The quotas of the place looked at (the filter's, else the user's own); each row has its own.
        place = self.filters.get("jurisdiction") or self.request.user.jurisdiction
        quotas = selectors.quotas(place.code if place else "", self.book)
        statuses = dict(selectors.Status.choices)
        for rep in context["rows"]:
            rep.status_label = statuses.get(rep.status, "")
        context.update(
            form=self.form,
            year=self.year,
            summary=selectors.attendance_summary(
                selectors.attendance_rows(self.request.user, self.year, self.filters, self.book)
            ),
            quotas=[(label, quotas.get(value, 0)) for value, label in Level.choices],
            export_query=params.urlencode(),
        )
        return context

    def export(self):
        rows = selectors.attendance_rows(self.request.user, self.year, self.filters, self.book)
        if rows.count() > EXPORT_MAX_ROWS:
            messages.error(
                self.request,
                _("More than %(max)s rows: narrow the filters and export again.") % {"max": EXPORT_MAX_ROWS},
            )
            params = self.request.GET.copy()
            params.pop("format", None)
            return redirect(reverse("reception_reports:attendance") + "?" + params.urlencode())
        statuses = dict(selectors.Status.choices)
        header = [
            _("No."),
            _("Representative number"),
            _("Full name"),
            _("Level"),
            _("Work unit"),
            _("Stations"),
            _("Rostered"),
            _("Attended"),
            _("Absent"),
            _("Still scheduled"),
            _("Quota"),
            _("Status"),
        ]

        def lines():
            for n, rep in enumerate(
                selectors.with_visible_stations(rows, self.request.user).iterator(chunk_size=2000), 1
            ):
                stations = "、".join(m.station.name for m in rep.visible_memberships)
                yield [
                    n,
                    rep.code,
                    rep.name,
                    rep.get_level_display(),
                    rep.work_unit,
                    stations,
                    rep.rostered,
                    rep.attended,
                    rep.absent,
                    rep.upcoming,
                    rep.quota,
                    str(statuses[rep.status]),
                ]

        filename = _("attendance-%(year)s.xlsx") % {"year": self.year}
        sheet = Sheet(
            title=_("Attendance %(year)s") % {"year": self.year},
            header=header,
            rows=lines(),
            widths=[6, 14, 10, 10, 24, 30, 8, 8, 8, 8, 8, 10],
        )
        return xlsx_response(filename, sheet)
