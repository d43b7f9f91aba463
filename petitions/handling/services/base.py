"""The pattern every handling service follows (`_begin` / `_finish`), and the reads the pages share.

See `petitions.handling.services` for the pattern in words.
"""

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.jurisdictions import departments_for_assignment
from liaison.models import User
from petitions.handling import policy, workflow
from petitions.handling.workflow import Move
from petitions.ledger import events
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.querysets import access_petition
from petitions.ledger.services import Conflict, PetitionError
from petitions.models import (
    Assignment,
    Department,
    Petition,
    PetitionEvent,
)

# -- the pattern -----------------------------------------------------------------------------------


def _begin(
    *,
    actor: User | None,
    petition: Petition | int,
    move: Move,
    version: int | None,
    resident: bool = False,
    system: bool = False,
) -> Petition:
    """Lock the row in the actor's scope, then check version, permission and state, in that
    order, then which office acts (`policy.check_office`); returns the locked row.

    The row comes through `access_petition(actor, pk, for_update=True)`, as the pages fetch it:
    Http404 for an item that does not exist and for one outside the actor's scope alike.
    `resident`: a resident without an account (rating); `system`: the daily task acting on the
    item's own dates (no actor: the state alone is checked). Neither has a scope: their row is
    locked as it is (PetitionError if it no longer exists)."""
    pk = petition.pk if isinstance(petition, Petition) else petition
    if resident or system:
        locked = Petition.objects.select_for_update().filter(pk=pk).first()
        if locked is None:
            raise PetitionError(_("This item no longer exists."))
    else:
        locked = access_petition(actor, pk, for_update=True)
    if version is not None and int(version) != locked.version:
        raise Conflict(_conflict_message(locked))
    workflow.check(move, locked.status, actor, resident=resident, system=system)
    if not (resident or system):
        policy.check_office(actor, move, locked)
    return locked


def _conflict_message(petition: Petition) -> str:
    last = (
        petition.events.exclude(kind=PetitionEventKind.REVEALED).select_related("actor").order_by("-at", "-pk").first()
    )
    who = (last.actor.display_name if last and last.actor else (last.actor_label if last else "")) or _("someone")
    when = timezone.localtime(last.at).strftime("%H:%M") if last else ""
    return _(
        "Someone else acted on this item while you were working on it (%(who)s at %(when)s; it is now “%(status)s”). "
        "Nothing you typed is lost: check the item and send again if it still applies."
    ) % {"who": who, "when": when, "status": petition.get_status_display()}


def _finish(
    petition: Petition,
    *,
    move: Move,
    actor: User | None,
    fact: events.Fact,
    fields: Iterable[str] = (),
    to_status: str | None = None,
    actor_label: str = "",
    bump: bool = True,
) -> PetitionEvent:
    """Move the status through the table (`to_status`: one of the move's targets when it has
    several), save it with the fields, bump the version, write the move's one event (`fact`,
    built by its constructor in `petitions.ledger.events`). `bump=False`: a move that changes
    nothing on the item (pressing for progress) leaves its version, so nobody's open form goes stale."""
    moved = workflow.ENGINE.apply(petition, move, actor=actor, to=to_status)
    if bump or moved.changed or fields:
        petition.version += 1
        workflow.ENGINE.save(petition, [*fields, "version", "updated_at"])
    return events.record(
        petition,
        fact,
        actor=actor,
        actor_label=actor_label,
        from_status=moved.from_status if moved.changed else "",
        to_status=moved.to_status if moved.changed else "",
    )


# -- reads used by the pages -------------------------------------------------------------------------------


def current_shares(petition) -> list[Assignment]:
    return list(petition.assignments.filter(round=petition.round).select_related("department").order_by("role", "pk"))


def department_scope_q(department_ids) -> Q:
    """Items a department sees: those it leads (until it returns them), those it co-handles or
    co-handled, and the items its representative suggestions came from.

    The lead items are an index range (`petition_ledger_by_department`); the others are few, so
    their ids are read first and added as a list: PostgreSQL then combines two index scans
    instead of testing a subquery against every item (2.3 s → see bench/ledger_page.py).
    """
    from petitions.models import Suggestion

    # A department leads an item until it returns it (then `lead_department` is cleared), so
    # beyond the lead range only its co-handling shares count.
    others = set(
        Assignment.objects.filter(department_id__in=department_ids, role=Assignment.Role.CO)
        .exclude(state=Assignment.State.RETURNED)
        .values_list("petition_id", flat=True)
    )
    others.update(
        Petition.objects.filter(
            suggestion_id__in=Suggestion.objects.filter(department_id__in=department_ids).values("pk")
        ).values_list("pk", flat=True)
    )
    q = Q(lead_department_id__in=department_ids)
    if others:
        q |= Q(pk__in=sorted(others))
    return q


def _check_departments(actor: User, departments: Iterable[Department | None]) -> None:
    """Only departments the actor may assign to (`departments_for_assignment`) can be given an item."""
    wanted = {d.pk for d in departments if d is not None}
    found = set(departments_for_assignment(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise PetitionError(_("This department is outside your jurisdiction or no longer active."))
