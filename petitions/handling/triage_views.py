"""The committee office's triage list (/petitions/triage/): what reception days brought and nobody
has routed yet, grouped by reception day, with its Excel export. It holds the items the office
handles now (`Petition.objects.handled_by`): its own and those escalated to it from below, marked."""

from django import forms
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from liaison.excel import Sheet, xlsx_response
from liaison.web import PermissionMixin
from liaison.web import no_store as _no_store  # old name kept: the handling views are reworked on another branch
from petitions.handling import deadlines, workflow
from petitions.ledger import privacy
from petitions.models import Assignment, Petition


class TriageView(PermissionMixin, TemplateView):
    """What reception days brought and nobody has routed yet, by reception day, with the
    LIAISON_TRIAGE_WORKING_DAYS deadline; returned items first."""

    permission = "petitions.triage_petition"
    template_name = "petitions/triage.html"
    nav_active = "triage"
    LIMIT = 500

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        form = TriageFilterForm(self.request.GET or None, user=user)
        qs = (
            Petition.objects.handled_by(user)
            .filter(status__in=workflow.AWAITING_TRIAGE)
            .select_related("station", "event", "category", "category__parent", "jurisdiction", "owner_office")
        )
        if form.is_valid():
            data = form.cleaned_data
            if data.get("station"):
                qs = qs.filter(station=data["station"])
            if data.get("urgent"):
                qs = qs.filter(urgency="urgent")
            if data.get("returned"):
                qs = qs.filter(assignments__state=Assignment.State.RETURNED).distinct()
            if data.get("escalated"):
                qs = qs.exclude(handling_office_id=F("owner_office_id"))
        total = qs.count()
        rows = list(qs.order_by("received_on", "pk")[: self.LIMIT])
        returned = set(
            Assignment.objects.filter(petition__in=[p.pk for p in rows], state=Assignment.State.RETURNED).values_list(
                "petition_id", flat=True
            )
        )
        groups, index = [], {}
        for p in rows:
            due = deadlines.triage_due(p)
            key = (p.event_id or 0, p.received_on if not p.event_id else None, p.station_id)
            if key not in index:
                index[key] = {
                    "event": p.event,
                    "station": p.station,
                    "received_on": p.received_on,
                    "due": due,
                    "rows": [],
                }
                groups.append(index[key])
            escalated = p.owner_office if p.owner_office_id != p.handling_office_id else None
            index[key]["rows"].append(
                {"p": p, "due": due, "late": due < today, "returned": p.pk in returned, "escalated_from": escalated}
            )
        context.update(
            filter=form,
            groups=groups,
            total=total,
            shown=len(rows),
            late=sum(1 for g in groups for r in g["rows"] if r["late"]),
            returned_count=len(returned),
            escalated_count=sum(1 for g in groups for r in g["rows"] if r["escalated_from"]),
            triage_days=settings.LIAISON_TRIAGE_WORKING_DAYS,
            today=today,
            can_assign=user.has_perm("petitions.triage_petition"),
            export_query=_with_export(self.request.GET),
        )
        return context

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get("export") == "xlsx":
            return _triage_workbook(self.request.user, context)
        return _no_store(super().render_to_response(context, **kwargs))


def _with_export(params) -> str:
    query = params.copy()
    query["export"] = "xlsx"
    return "?" + query.urlencode()


def _triage_workbook(user, context):
    rows, n = [], 0
    for group in context["groups"]:
        for r in group["rows"]:
            p, n = r["p"], n + 1
            rows.append(
                [
                    n,
                    p.tracking_number,
                    p.received_on,
                    group["event"].date if group["event"] else None,
                    p.station.name if p.station else "",
                    privacy.Petitioner(user, p).name,
                    p.content,
                    str(p.category or ""),
                    p.jurisdiction.name,
                    p.get_urgency_display(),
                    p.get_status_display(),
                    r["due"],
                    _("Yes") if r["returned"] else "",
                    r["escalated_from"].name if r["escalated_from"] else "",
                ]
            )
    header = [
        _("No."),
        _("Tracking number"),
        _("Date received"),
        _("Reception day"),
        _("Station"),
        _("Petitioner"),
        _("Content"),
        _("Category"),
        _("Community"),
        _("Urgency"),
        _("Status"),
        _("Route by"),
        _("Returned"),
        _("Escalated from"),
    ]
    return xlsx_response(
        f"{_('To triage')}-{timezone.localdate():%Y%m%d}.xlsx",
        Sheet(str(_("To triage")), header, rows, widths=[6, 16, 12, 12, 24, 10, 60, 18, 14, 8, 10, 12, 8, 20]),
    )


class TriageFilterForm(forms.Form):
    station = forms.ModelChoiceField(
        label=gettext_lazy("Station"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All stations"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    urgent = forms.BooleanField(
        label=gettext_lazy("Urgent only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    returned = forms.BooleanField(
        label=gettext_lazy("Returned by a department"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    escalated = forms.BooleanField(
        label=gettext_lazy("Escalated from below"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from stations.models import Station

        self.fields["station"].queryset = Station.objects.visible_to(user).order_by("code")
