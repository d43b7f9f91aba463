"""Handling pages of one item: one page per move (`act`), the handling panel of the item page
(`handling_context`) and the feedback letter. The office's triage list, the department desk and
the deadline rules are in `triage_views`, `desk_views` and `rules_views`.

Every move page: fetch the item through the scope (404 outside), check the move's
permission (403), validate the move's form, call its service; a refused move
(`PetitionError`, `InvalidTransition`, `Conflict`) comes back as a message on the same
form with everything typed kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from liaison.web import no_store, require_perm
from petitions.handling import deadlines, policy, workflow
from petitions.handling import forms as f
from petitions.handling import services as handling
from petitions.handling.workflow import InvalidTransition, Move
from petitions.intake.staging import FileStage
from petitions.ledger import privacy
from petitions.ledger.services import PetitionError
from petitions.ledger.views import scoped_petition
from petitions.models import DepartmentReply, Petition


def move_links(user, petition, sit=None) -> list[dict]:
    """The item page's buttons: the moves open to `user` (`policy.moves_for`), each to its page."""
    links = []
    for move in policy.moves_for(user, petition, sit):
        page = f.PAGES[move]
        url = page.url(petition) if page.url else reverse("petitions:act", args=[petition.pk, move.value])
        links.append({"move": move.value, "url": url, "title": page.title, "style": page.style})
    return links


def handling_context(user, petition) -> dict:
    """The item page's handling panel: shares, replies, extension, ratings, the buttons."""
    sit = policy.situation(user, petition)
    shares = list(petition.assignments.select_related("department").order_by("-round", "role", "pk"))
    replies = list(
        DepartmentReply.objects.filter(petition=petition).select_related("department").prefetch_related("attachments")
    )
    today = timezone.localdate()
    return {
        "shares": shares,
        "current_round_shares": [s for s in shares if s.round == petition.round],
        "replies": replies,
        "pending_extension": sit.pending_extension,
        "extensions": list(
            petition.extension_requests.select_related("assignment__department").order_by("-created_at")[:10]
        ),
        "ratings": list(petition.ratings.select_related("representative").order_by("round", "created_at")),
        "notices": _notices_on(user, petition),
        "commitments": _commitments_on(user, petition),
        "moves": move_links(user, petition, sit),
        "share": sit.share,
        "light": light(petition.due_on, today) if petition.status in workflow.IN_HAND else "",
        "triage_due": deadlines.triage_due(petition) if petition.status in workflow.AWAITING_TRIAGE else None,
        "can_letter": petition.status in workflow.LETTER,
        "rating_code": petition.rating_code
        if petition.status in workflow.RATEABLE and privacy.access(user, petition) is privacy.Access.FULL
        else "",
    }


def _notices_on(user, petition) -> list:
    if not user.has_perm("petitions.view_supervisionnotice"):
        return []
    from petitions.supervision.selectors import notices_visible_to

    return list(notices_visible_to(user).filter(petition=petition).select_related("department").order_by("issued_at"))


def _commitments_on(user, petition) -> list:
    from petitions.supervision.selectors import can_view_commitments, commitments_visible_to

    if not can_view_commitments(user):
        return []
    return list(commitments_visible_to(user).filter(petition=petition).order_by("due_on"))


def light(due_on, today) -> str:
    """green, amber or red as on the supervision page (`supervision.light_bounds`); "" without a deadline."""
    from petitions.supervision.selectors import light_bounds

    return str(light_bounds(today).classify(due_on)) if due_on else ""


# --------------------------------------------------------------------------- one move


@sensitive_post_parameters()
@login_required
def act(request, pk, move):
    try:
        move = Move(move)
    except ValueError:
        raise Http404 from None
    spec = f.PAGES.get(move)
    if spec is None or spec.form is None:
        raise Http404
    petition = scoped_petition(request, pk)
    user = request.user
    rule = workflow.TABLE[move]
    require_perm(user, rule.permission)
    sit = policy.situation(user, petition)
    kwargs = {"petition": petition, "user": user, "situation": sit}
    stage = None
    if request.method == "POST":
        form = spec.form(request.POST, **kwargs)
        if spec.files:
            stage = FileStage(request).process()
        if not policy.can(user, move, petition, sit) and petition.status in rule.sources:
            # The table allows it, but not for this user on this item (another department's share…).
            raise PermissionDenied
        if form.is_valid() and not (stage and stage.errors):
            arguments = form.arguments()
            if stage:
                arguments["staged"] = stage.staged
            try:
                spec.service(actor=user, petition=petition, **arguments)
            except (PetitionError, InvalidTransition) as exc:
                form.add_error(None, str(exc))
                fresh = Petition.objects.filter(pk=petition.pk).values_list("version", flat=True).first()
                form.data = form.data.copy()
                form.data["version"] = fresh  # sending again acts on what is there now
            else:
                messages.success(
                    request,
                    _("%(move)s: done for item %(number)s.") % {"move": spec.title, "number": petition.tracking_number},
                )
                return redirect(_after(user, petition, move))
    else:
        if not policy.can(user, move, petition, sit):
            if petition.status not in rule.sources:
                messages.warning(request, str(InvalidTransition(move, petition.status)))
                return redirect("petitions:detail", pk=petition.pk)
            raise PermissionDenied
        form = spec.form(initial={"version": petition.version}, **kwargs)
    context = {
        "petition": petition,
        "form": form,
        "spec": spec,
        "move": move.value,
        "stage": stage,
        "petitioner": privacy.Petitioner(user, petition),
        "shares": handling.current_shares(petition),
        "pending_extension": sit.pending_extension,
        "replies": list(
            DepartmentReply.objects.filter(petition=petition).select_related("department").order_by("-created_at")[:3]
        ),
        "templates": getattr(form, "templates", []),
        "nav_active": "ledger",
    }
    return no_store(render(request, "petitions/act.html", context, status=400 if request.method == "POST" else 200))


def _after(user, petition, move) -> str:
    if move in (Move.RETURN,):
        return reverse("petitions:department")
    if not Petition.objects.visible_to(user).filter(pk=petition.pk).exists():
        return reverse("petitions:ledger")
    return reverse("petitions:detail", args=[petition.pk]) + "#handling"


# --------------------------------------------------------------------------- feedback letter


@login_required
def feedback_letter(request, pk):
    """群众意见办理情况反馈函: the written answer for the resident, on A4."""
    petition = scoped_petition(request, pk)
    if petition.status not in workflow.LETTER:
        messages.warning(request, _("The letter can be printed once the item has been answered."))
        return redirect("petitions:detail", pk=petition.pk)
    from petitions.intake import desk

    petitioner = privacy.Petitioner(request.user, petition)
    reply = DepartmentReply.objects.filter(petition=petition, round=petition.round).select_related("department").last()
    url = desk.tracking_url(petition.tracking_number)
    full = petitioner.level is privacy.Access.FULL and petition.petitioner_name and not petition.is_anonymous
    context = {
        "petition": petition,
        # The letter goes to the resident: the full name only for who may see it, else a blank to write in.
        "addressee": petition.petitioner_name if full else "",
        "reply": reply,
        "department": reply.department if reply else petition.lead_department,
        "tracking_url": url,
        # The code is the resident's: printed only by who may see the petitioner in full (the station's staff).
        "rating_code": petition.rating_code if petitioner.level is privacy.Access.FULL else "",
        "qr": desk.qr_data_uri(url),
        "station": petition.station,
        "today": timezone.localdate(),
        "nav_active": "ledger",
    }
    return no_store(render(request, "petitions/feedback_letter.html", context))
