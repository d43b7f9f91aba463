"""Reads of representative suggestions: the representatives an office may name, the list, the
history and the items a suggestion came from. They start from the one scoping entry point,
`Suggestion.objects.visible_to(user)` (`petitions.suggestions.querysets`)."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from liaison.access import scope_for
from liaison.jurisdictions import under_q
from petitions.handling.models import Suggestion
from petitions.models import Outcome, Petition, Satisfaction
from stations.models import Representative

S = Suggestion.Status

EVENT_LABELS = {
    "drafted": pgettext_lazy("suggestion event", "Drafted"),
    "updated": pgettext_lazy("suggestion event", "Edited"),
    "petitions_added": pgettext_lazy("suggestion event", "Items added"),
    "assigned": pgettext_lazy("suggestion event", "Assigned"),
    "pre_meeting": pgettext_lazy("suggestion event", "Pre-handling meeting recorded"),
    "replied": pgettext_lazy("suggestion event", "Replied"),
    "rated": pgettext_lazy("suggestion event", "Rated by the lead representative"),
    "closed": pgettext_lazy("suggestion event", "Closed"),
}


def representatives_for(user) -> QuerySet:
    """Representatives an office may name as lead or co-signer: serving ones elected inside its
    jurisdiction (an administrator: all serving ones)."""
    scope = scope_for(user)
    reps = Representative.objects.filter(is_active=True)
    if scope.everything:
        return reps
    if not scope.jurisdiction_prefixes:
        return reps.none()
    return reps.filter(under_q(scope.jurisdiction_prefixes, "jurisdiction__code"))


def suggestion_list(user, *, status="", department=None, representative=None, year=None, q="") -> QuerySet:
    """The user's suggestions narrowed by the list's filters, newest first."""
    rows = Suggestion.objects.visible_to(user)
    if status:
        rows = rows.filter(status=status)
    if department is not None:
        rows = rows.filter(department=department)
    if representative is not None:
        cosigned = Suggestion.co_signers.through.objects.filter(representative=representative)
        rows = rows.filter(Q(lead_representative=representative) | Q(pk__in=cosigned.values("suggestion_id")))
    if year:
        rows = rows.filter(created_at__year=year)
    if q and q.strip():
        rows = rows.filter(Q(title__icontains=q.strip()) | Q(number__icontains=q.strip()))
    return rows.select_related("lead_representative", "department", "jurisdiction").order_by("-created_at", "-pk")


def timeline(suggestion) -> list[dict]:
    """The suggestion's history, oldest first, with labels for the page."""
    entries = []
    for event in suggestion.events.select_related("actor").order_by("at", "pk"):
        data = event.data or {}
        entries.append(
            {
                "kind": event.kind,
                "label": EVENT_LABELS.get(event.kind, event.kind),
                "at": event.at,
                "who": event.actor.display_name if event.actor else "",
                "from_status": S(data["from_status"]).label if data.get("from_status") in S.values else "",
                "to_status": S(data["to_status"]).label if data.get("to_status") in S.values else "",
                "details": _event_details(event.kind, data),
            }
        )
    return entries


def _event_details(kind: str, data: dict) -> list[str]:
    lines = []
    if data.get("petitions"):
        lines.append(_("Items: %(numbers)s") % {"numbers": "、".join(data["petitions"])})
    if kind == "assigned":
        lines.append(
            _("%(department)s, reply by %(due)s")
            % {"department": data.get("department", ""), "due": data.get("due_on", "")}
        )
        if data.get("is_complex"):
            lines.append(_("Complex suggestion: six months approved."))
    if kind == "pre_meeting":
        lines.append(_("Held on %(date)s: %(note)s") % {"date": data.get("held_on", ""), "note": data.get("note", "")})
    if kind == "replied" and data.get("outcome") in Outcome.values:
        lines.append(str(Outcome(data["outcome"]).label))
    if kind == "rated" and data.get("satisfaction") in Satisfaction.values:
        lines.append(
            str(Satisfaction(data["satisfaction"]).label) + (f"：{data['comment']}" if data.get("comment") else "")
        )
    if kind == "updated":
        labels = {
            "title": _("title"),
            "content": _("reasons and proposals"),
            "lead": _("lead representative"),
            "co_signers": _("co-signers"),
        }
        changed = [str(labels[k]) for k in (data.get("changes") or {}) if k in labels]
        if changed:
            lines.append(_("Changed: %(fields)s") % {"fields": "、".join(changed)})
    if kind == "closed":
        if data.get("unrated"):
            lines.append(_("Closed without the lead representative's rating."))
        if data.get("note"):
            lines.append(data["note"])
    return lines


def source_petitions(user, suggestion) -> list[dict]:
    """The petitions the suggestion came from; the content excerpt and link only for those the user sees."""
    rows = list(suggestion.petitions.select_related("station").order_by("received_on", "pk"))
    visible = set(Petition.objects.visible_to(user).filter(pk__in=[p.pk for p in rows]).values_list("pk", flat=True))
    return [{"petition": p, "visible": p.pk in visible} for p in rows]
