"""What a suggestion's draft is made of, checked for the drafting services (`services.py`): its
official number, its jurisdiction, the representatives it names and the items it gathers."""

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from liaison.models import Role
from liaison.numbering import last_number
from petitions.handling import services as handling
from petitions.handling.models import Suggestion
from petitions.handling.workflow import InvalidTransition
from petitions.ledger.services import PetitionError
from petitions.models import Petition, Status
from petitions.suggestions.selectors import representatives_for

# Petitions a single request may add (a suggestion gathers tens of items, not thousands).
MAX_PETITIONS = 200
# The official numbering (建议〔2026〕001号): one sequence per calendar year for the whole deployment.
NUMBER_PREFIX = "建议〔{year}〕"
NUMBER_FORMAT = "建议〔{year}〕{seq:03d}号"
NUMBER_SEQ = re.compile(r"〕(\d+)号$")
# Drafts taken at the same moment collide on the unique number; each collision retries with the next one.
NUMBER_ATTEMPTS = 10


def next_number(year: int) -> str:
    """The next official number of `year`: one past the highest taken (compared by length, then
    text, so 1000 follows 999). A read only: two drafts at the same moment may get the same
    number, and the caller retries on the unique index (NUMBER_ATTEMPTS)."""
    last = last_number(Suggestion.objects.all(), NUMBER_PREFIX.format(year=year))
    match = NUMBER_SEQ.search(last or "")
    return NUMBER_FORMAT.format(year=year, seq=int(match.group(1)) + 1 if match else 1)


def jurisdiction_for(actor, lead):
    """The jurisdiction a new draft belongs to: the drafting office's own, else the lead representative's."""
    if actor.role == Role.COMMITTEE_OFFICE and actor.jurisdiction_id:
        return actor.jurisdiction
    # An administrator drafts on behalf of the congress the lead representative sits in.
    return lead.jurisdiction


def check_representatives(actor, lead, co_signers) -> list:
    """The co-signers without the lead and duplicates; all of them must be the actor's to name."""
    if lead is None:
        raise PetitionError(_("Choose the lead representative."))
    allowed = representatives_for(actor)
    co = [r for r in {r.pk: r for r in co_signers}.values() if r.pk != lead.pk]
    ids = {lead.pk, *(r.pk for r in co)}
    found = set(allowed.filter(pk__in=ids).values_list("pk", flat=True))
    if lead.pk not in found:
        raise PetitionError(_("%(name)s is not a serving representative of your jurisdiction.") % {"name": lead.name})
    outside = [r.name for r in co if r.pk not in found]
    if outside:
        raise PetitionError(
            _("Not serving representatives of your jurisdiction: %(names)s.") % {"names": "、".join(outside)}
        )
    return co


def link_petitions(actor, suggestion, petitions) -> list[Petition]:
    """Each petition becomes part of the suggestion (`handling.petition_to_suggestion`).

    Every refusal is collected so the message names all the items at fault; any refusal
    undoes the whole request (the caller's transaction).
    """
    unique = list({(p.pk if isinstance(p, Petition) else int(p)): p for p in petitions}.keys())
    if len(unique) > MAX_PETITIONS:
        raise PetitionError(_("At most %(n)d items can be added at once.") % {"n": MAX_PETITIONS})
    rows = {p.pk: p for p in Petition.objects.filter(pk__in=unique)}
    linked, problems = [], []
    for pk in unique:
        petition = rows.get(pk)
        if petition is None:
            problems.append(_("an item no longer exists"))
            continue
        try:
            linked.append(handling.petition_to_suggestion(actor=actor, petition=petition, suggestion=suggestion))
        except InvalidTransition as error:
            problems.append(
                _("%(number)s is “%(status)s”")
                % {"number": petition.tracking_number, "status": Status(error.status).label}
            )
        except (Http404, PermissionDenied):  # not in the actor's scope, or not theirs to route
            problems.append(_("%(number)s is not an item you may route") % {"number": petition.tracking_number})
    if problems:
        raise PetitionError(
            _(
                "These items cannot become part of the suggestion (only registered or triaged items of your "
                "jurisdiction can): %(problems)s."
            )
            % {"problems": "；".join(problems)}
        )
    return linked
