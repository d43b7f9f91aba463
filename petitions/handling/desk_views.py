"""The department desk (/petitions/department/): a department's shares by tab, with the deadline
lights and the open supervision notices, and its Excel export."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from liaison.excel import Sheet, xlsx_response
from liaison.web import PermissionMixin
from liaison.web import no_store as _no_store  # old name kept: the handling views are reworked on another branch
from petitions.handling import workflow
from petitions.handling.models import ACTIVE_ASSIGNMENT_STATES
from petitions.ledger import privacy
from petitions.models import Assignment, ExtensionRequest


class DepartmentPortalView(PermissionMixin, TemplateView):
    """A department's items: to accept, in hand, co-handling, extensions, answered, returned."""

    permission = "petitions.handle_petition"
    template_name = "petitions/department_portal.html"
    nav_active = "department"
    TABS = (
        ("new", gettext_lazy("To accept")),
        ("in_hand", gettext_lazy("In hand")),
        ("co", gettext_lazy("Co-handling")),
        ("done", gettext_lazy("Answered")),
        ("returned", gettext_lazy("Returned")),
    )
    LIMIT = 300

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        departments = list(user.departments.filter(is_active=True).order_by("name")) if user.is_authenticated else []
        shares = Assignment.objects.filter(department__in=departments)
        chosen = self.request.GET.get("department")
        if chosen and chosen.isdigit() and any(d.pk == int(chosen) for d in departments):
            shares = shares.filter(department_id=int(chosen))
        from petitions.supervision.selectors import Light, light_bounds

        bounds = light_bounds(today)  # the rows' lights and these counts share one definition
        open_ = workflow.share_running_q()  # a suspended item's clock stands still: no light
        counts = shares.aggregate(
            new=Count("pk", filter=Q(role="lead", state="pending")),
            in_hand=Count("pk", filter=Q(role="lead", state="accepted")),
            co=Count("pk", filter=Q(role="co", state__in=ACTIVE_ASSIGNMENT_STATES)),
            done=Count("pk", filter=Q(state="done", done_at__gte=timezone.now() - timedelta(days=90))),
            returned=Count("pk", filter=Q(state="returned", done_at__gte=timezone.now() - timedelta(days=90))),
            red=Count("pk", filter=open_ & bounds.q(Light.RED)),
            amber=Count("pk", filter=open_ & bounds.q(Light.AMBER)),
        )
        tab = self.request.GET.get("tab") or ("new" if counts["new"] else "in_hand")
        tab = tab if tab in dict(self.TABS) else "new"
        filters = {
            "new": Q(role="lead", state="pending"),
            "in_hand": Q(role="lead", state="accepted"),
            "co": Q(role="co", state__in=ACTIVE_ASSIGNMENT_STATES),
            "done": Q(state="done", done_at__gte=timezone.now() - timedelta(days=90)),
            "returned": Q(state="returned", done_at__gte=timezone.now() - timedelta(days=90)),
        }
        order = ("-done_at",) if tab in ("done", "returned") else ("due_on", "pk")
        rows = list(
            shares.filter(filters[tab])
            .select_related(
                "petition", "petition__category", "petition__category__parent", "petition__station", "department"
            )
            .order_by(*order)[: self.LIMIT]
        )
        pending_ext = set(
            ExtensionRequest.objects.filter(assignment__in=[r.pk for r in rows], state="pending").values_list(
                "assignment_id", flat=True
            )
        )
        for row in rows:
            running = row.is_open and row.petition.status in workflow.AWAITING_REPLY
            row.light = str(bounds.classify(row.due_on)) if running else ""
            row.suspended_until = row.petition.suspended_until if row.petition.status in workflow.SUSPENDED else None
            row.extension_pending = row.pk in pending_ext
        self.export_rows = rows
        context.update(
            departments=departments,
            chosen=chosen or "",
            tabs=[(key, label, counts[key]) for key, label in self.TABS],
            tab=tab,
            rows=rows,
            counts=counts,
            today=today,
            notices_open=_open_notices(departments),
            export_query=f"?tab={tab}&export=xlsx" + (f"&department={chosen}" if chosen else ""),
        )
        return context

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get("export") == "xlsx":
            return _desk_workbook(self.request.user, context)
        return _no_store(super().render_to_response(context, **kwargs))


def _desk_workbook(user, context):
    tab_label = {k: label for k, label, _n in context["tabs"]}[context["tab"]]
    rows = []
    for n, share in enumerate(context["rows"], start=1):
        p = share.petition
        rows.append(
            [
                n,
                p.tracking_number,
                p.received_on,
                privacy.Petitioner(user, p).name,
                p.content,
                str(p.category or ""),
                share.get_role_display(),
                share.department.name,
                share.due_on,
                share.get_state_display(),
                {"red": _("Overdue"), "amber": _("Due soon"), "green": _("On time")}.get(share.light, ""),
            ]
        )
    header = [
        _("No."),
        _("Tracking number"),
        _("Date received"),
        _("Petitioner"),
        _("Content"),
        _("Category"),
        _("Role"),
        _("Department"),
        _("Deadline"),
        _("State"),
        _("Deadline light"),
    ]
    return xlsx_response(
        f"{_('Department desk')}-{tab_label}-{timezone.localdate():%Y%m%d}.xlsx",
        Sheet(str(tab_label), header, rows, widths=[6, 16, 12, 10, 60, 18, 8, 24, 12, 12, 10]),
    )


def _open_notices(departments) -> int:
    from petitions.models import SupervisionNotice

    return SupervisionNotice.objects.filter(department__in=departments, state=SupervisionNotice.State.OPEN).count()
