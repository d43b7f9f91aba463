"""Reads for the core pages."""

from django.apps import apps
from django.db.models import Count
from django.db.models.functions import Substr

from liaison.access import scope_for
from liaison.jurisdictions import LEVEL_DIGITS, code_of
from liaison.models import Role


def home_summary(user) -> dict:
    """Counts for the start page, all through the scoped querysets."""
    Station = apps.get_model("stations", "Station")
    Representative = apps.get_model("stations", "Representative")
    Department = apps.get_model("petitions", "Department")
    scope = scope_for(user)
    summary = {"role": user.role, "scope": scope}
    if user.is_system_admin or user.role in (Role.COMMITTEE_OFFICE, Role.STATION_STAFF, Role.REPRESENTATIVE):
        stations = Station.objects.visible_to(user)
        summary["station_count"] = stations.count()
        summary["station_active_count"] = stations.filter(is_active=True).count()
        representatives = Representative.objects.visible_to(user)
        summary["representative_count"] = representatives.count()
        summary["stations_by_kind"] = _labelled(stations, "kind", Station._meta.get_field("kind"))
        summary["representatives_by_level"] = _labelled(
            representatives, "level", Representative._meta.get_field("level")
        )
        if user.is_system_admin or user.role == Role.COMMITTEE_OFFICE:
            summary["stations_by_area"] = _stations_by_township(stations)
    if user.role == Role.STATION_STAFF:
        summary["own_stations"] = list(user.staffed_stations.select_related("jurisdiction").order_by("code"))
    if user.role == Role.REPRESENTATIVE:
        rep = Representative.objects.filter(user=user).first()
        summary["representative"] = rep
        summary["memberships"] = (
            list(rep.memberships.select_related("station").order_by("station__code")) if rep else []
        )
    if user.role == Role.DEPARTMENT:
        summary["departments"] = list(Department.objects.visible_to(user).select_related("jurisdiction"))
    if user.role == Role.WORKING_BODY:
        from liaison.models import WorkingBody

        summary["working_bodies"] = list(
            WorkingBody.objects.visible_to(user).select_related("office").prefetch_related("departments")
        )
    if user.role in (Role.COMMITTEE_OFFICE, Role.WORKING_BODY) and user.jurisdiction_id:
        summary["jurisdiction_path"] = user.jurisdiction.path()
    if user.has_perm("stations.view_receptionevent"):
        summary["coming_events"] = _coming_events(user, scope)
    if user.has_perm("petitions.view_petition"):
        summary["petitions"] = _petition_summary(user, scope)
    summary["unread_notifications"] = list(
        apps.get_model("liaison", "Notification").objects.filter(recipient=user, read_at__isnull=True)[:5]
    )
    return summary


def _petition_summary(user, scope) -> dict:
    """Ledger figures of the user's scope in one aggregate; a representative's unanswered online items."""
    from django.db.models import Q
    from django.utils import timezone

    from petitions.handling.workflow import AWAITING_TRIAGE, OPEN, overdue_q, share_overdue_q
    from petitions.models import Petition, Urgency

    today = timezone.localdate()
    qs = Petition.objects.visible_to(user).order_by()
    figures = qs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN)),
        this_month=Count("pk", filter=Q(received_on__gte=today.replace(day=1))),
        urgent_open=Count("pk", filter=Q(status__in=OPEN, urgency=Urgency.URGENT)),
        overdue=Count("pk", filter=overdue_q(today)),
    )
    figures["month_start"] = today.replace(day=1)
    if user.has_perm("petitions.triage_petition"):
        figures["to_triage"] = Petition.objects.handled_by(user).filter(status__in=AWAITING_TRIAGE).count()
    if scope.department_ids and user.has_perm("petitions.handle_petition"):
        from petitions.models import ACTIVE_ASSIGNMENT_STATES, Assignment

        figures["desk"] = Assignment.objects.filter(department_id__in=scope.department_ids).aggregate(
            new=Count("pk", filter=Q(role="lead", state="pending")),
            in_hand=Count("pk", filter=Q(state__in=ACTIVE_ASSIGNMENT_STATES)),
            overdue=Count("pk", filter=share_overdue_q(today)),
        )
    if scope.representative_id:
        from petitions.ledger.selectors import awaiting_first_reply

        figures["awaiting"] = awaiting_first_reply(user)[:5]
    return figures


def _coming_events(user, scope, limit=8) -> list:
    """The next scheduled events the user works with: a representative's own roster, everyone else's scope."""
    from django.utils import timezone

    ReceptionEvent = apps.get_model("stations", "ReceptionEvent")
    events = ReceptionEvent.objects.visible_to(user).upcoming(timezone.localdate())
    if scope.representative_id:
        events = events.filter(roster__representative_id=scope.representative_id)
    return list(events.select_related("station", "department")[:limit])


def _labelled(queryset, field, model_field) -> list[tuple[str, int, str]]:
    """(label, count, value) per choice, in the order of the choices."""
    counts = dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))
    return [(label, counts[value], value) for value, label in model_field.choices if counts.get(value)]


def _stations_by_township(stations) -> list[dict]:
    """Station and representative-membership counts per street or township (9-digit code prefix)."""
    Jurisdiction = apps.get_model("liaison", "Jurisdiction")
    rows = (
        stations.order_by()
        .annotate(township=Substr("jurisdiction__code", 1, LEVEL_DIGITS["township"]))
        .values("township")
        .annotate(stations=Count("pk", distinct=True), members=Count("memberships", distinct=True))
        .order_by("township")
    )
    rows = list(rows[:200])
    names = {
        j.code[: LEVEL_DIGITS["township"]]: j
        for j in Jurisdiction.objects.filter(
            code__in=[code_of(r["township"]) for r in rows], level=Jurisdiction.Level.TOWNSHIP
        )
    }
    return [{**r, "jurisdiction": names.get(r["township"])} for r in rows if names.get(r["township"])]
