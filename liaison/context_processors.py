"""Navigation for the base template: the entries a user's permissions allow."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from liaison.models import Notification

# (permission, label, url name, key); the first entry a user may see in a group shows.
_RECEPTION = [
    ("stations.view_receptionevent", _("Reception days"), "reception:event_list", "events"),
    ("stations.view_receptionplan", _("Annual plans"), "plans:plan_list", "plans"),
    ("stations.view_campaign", _("Campaigns"), "reception_reports:campaign_list", "campaigns"),
    ("stations.view_attendance", _("Attendance"), "reception_reports:attendance", "attendance"),
]

_HANDLING = [
    ("petitions.triage_petition", _("To triage"), "petitions:triage", "triage"),
    ("petitions.handle_petition", _("Department desk"), "petitions:department", "department"),
    ("petitions.view_supervisionnotice", _("Deadlines and supervision"), "petitions:supervision", "supervision"),
    ("petitions.view_suggestion", _("Representative suggestions"), "petitions:suggestion_list", "suggestions"),
    ("petitions.change_deadlinerule", _("Deadline rules"), "petitions:rules", "rules"),
    ("liaison.change_officesettings", _("Office settings"), "office_settings_home", "office_settings"),
]

_OVERSIGHT = [
    ("petitions.view_reports", _("Dashboard"), "reports:dashboard", "dashboard"),
    ("petitions.view_reports", _("Department evaluation"), "reports:departments", "departments_report"),
    ("liaison.change_workingbody", _("Working bodies"), "bodies:list", "working_bodies"),
    ("stations.view_performancerecord", _("Performance records"), "performance:ranking", "performance"),
    ("stations.view_own_performancerecord", _("My performance record"), "performance:mine", "my_performance"),
]


def navigation(request):
    user = getattr(request, "user", None)
    items = []
    unread = 0
    if user is not None and user.is_authenticated:
        items.append({"label": _("Home"), "url": reverse("home"), "key": "home"})
        if user.has_perm("petitions.view_petition"):
            items.append({"label": _("Ledger"), "url": reverse("petitions:ledger"), "key": "ledger"})
        if user.has_perm("petitions.add_petition"):
            items.append({"label": _("Register"), "url": reverse("petitions:create"), "key": "register"})
        handling = [
            {"label": label, "url": reverse(name), "key": key}
            for perm, label, name, key in _HANDLING
            if user.has_perm(perm)
        ]
        if handling:
            items.append({"label": _("Handling"), "key": "handling_menu", "children": handling})
        oversight = [
            {"label": label, "url": reverse(name), "key": key}
            for perm, label, name, key in _OVERSIGHT
            if user.has_perm(perm)
        ]
        if oversight:
            items.append({"label": _("Oversight"), "key": "oversight_menu", "children": oversight})
        if user.has_perm("stations.view_station"):
            items.append({"label": _("Stations"), "url": reverse("stations:station_list"), "key": "stations"})
        if user.has_perm("stations.view_representative"):
            items.append(
                {
                    "label": _("Representatives"),
                    "url": reverse("stations:representative_list"),
                    "key": "representatives",
                }
            )
        if user.has_perm("stations.volunteer_receptionevent"):
            items.append({"label": _("My reception days"), "url": reverse("reception:my_days"), "key": "my_days"})
        reception = [
            {"label": label, "url": reverse(name), "key": key}
            for perm, label, name, key in _RECEPTION
            if user.has_perm(perm)
        ]
        if reception:
            items.append({"label": _("Reception"), "key": "reception_menu", "children": reception})
        if user.has_perm("liaison.view_outboxmessage"):
            items.append({"label": _("Outbox"), "url": reverse("notices:outbox"), "key": "outbox"})
        items.append({"label": _("Calendar"), "url": reverse("calendar:index"), "key": "calendar"})
        if user.has_perm("liaison.view_auditentry"):
            items.append({"label": _("Audit log"), "url": reverse("audit_log"), "key": "audit"})
        if user.is_system_admin:
            items.append({"label": _("Administration"), "url": reverse("admin:index"), "key": "admin"})
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    items_public = [{"label": _("Station directory"), "url": reverse("public:directory"), "key": "directory"}]
    return {"nav_items": items, "nav_public": items_public, "inbox_unread": unread}
