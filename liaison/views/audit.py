"""The audit log's search page and its Excel export (the export is itself an audit line).

A committee office sees the lines of its jurisdiction, the system administrator all
(`AuditEntry.objects.visible_to`); the filters on top narrow by time, action, result, person,
object and address.
"""

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from liaison import audit
from liaison.excel import Sheet, xlsx_response
from liaison.models import AuditEntry
from liaison.web import PermissionMixin

PERMISSION = "liaison.view_auditentry"
EXPORT_MAX_ROWS = 50_000


class AuditFilterForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("All")), *AuditEntry.Action.choices],
    )
    result = forms.ChoiceField(
        label=gettext_lazy("Result"),
        required=False,
        choices=[("", gettext_lazy("All")), *AuditEntry.Result.choices],
    )
    user = forms.CharField(label=gettext_lazy("Who"), required=False, max_length=150)
    object = forms.CharField(label=gettext_lazy("Object"), required=False, max_length=200)
    address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=45)

    def filter(self, queryset: QuerySet) -> QuerySet:
        """`queryset` narrowed by the valid filters (an invalid one is ignored, the form shows why)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("since"):
            queryset = queryset.filter(at__gte=_start_of(data["since"]))
        if data.get("until"):
            queryset = queryset.filter(at__lt=_start_of(data["until"]) + timedelta(days=1))
        if data.get("action"):
            queryset = queryset.filter(action=data["action"])
        if data.get("result"):
            queryset = queryset.filter(result=data["result"])
        if data.get("user"):
            queryset = queryset.filter(user_label__icontains=data["user"].strip())
        if data.get("object"):
            text = data["object"].strip()
            queryset = queryset.filter(Q(object_label__icontains=text) | Q(object_pk=text))
        if data.get("address"):
            queryset = queryset.filter(address__startswith=data["address"].strip())
        return queryset


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditLogView(PermissionMixin, ListView):
    permission = PERMISSION
    nav_active = "audit"
    template_name = "liaison/audit_log.html"
    context_object_name = "rows"
    paginate_by = 100

    def get(self, request, *args, **kwargs):
        self.form = AuditFilterForm(request.GET or None)
        if request.GET.get("format") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.form.filter(AuditEntry.objects.visible_to(self.request.user)).order_by("-at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query["format"] = "xlsx"
        context.update(form=self.form, export_query=query.urlencode())
        for entry in context["object_list"]:
            entry.detail_text = audit.detail_text(entry.detail)
        return context

    def export(self):
        """The filtered lines as .xlsx (at most EXPORT_MAX_ROWS, newest first); the download is
        recorded like every export (liaison.audit.AuditMiddleware)."""
        rows = self.get_queryset()[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)
        sheet = Sheet(
            title=_("Audit log"),
            heading=_("Audit log"),
            subtitle=[_("Exported %(when)s.") % {"when": f"{timezone.localtime():%Y-%m-%d %H:%M}"}],
            header=[
                _("Time"),
                _("Who"),
                _("Address"),
                _("Action"),
                _("Object type"),
                _("Object ID"),
                _("Object"),
                _("Result"),
                _("Detail"),
            ],
            rows=(_row(entry) for entry in rows),
            widths=[18, 14, 16, 14, 20, 10, 30, 8, 50],
            wrap={8},
        )
        return xlsx_response(f"{_('Audit log')}-{timezone.localdate():%Y%m%d}.xlsx", sheet)


def _row(entry: AuditEntry) -> list:
    return [
        f"{timezone.localtime(entry.at):%Y-%m-%d %H:%M:%S}",
        entry.user_label,
        entry.address or "",
        entry.get_action_display(),
        entry.object_type,
        entry.object_pk,
        entry.object_label,
        entry.get_result_display(),
        audit.detail_text(entry.detail),
    ]
