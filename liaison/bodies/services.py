"""Every write to a working body (create, change, deactivate, reactivate), each an audit line.

Who may: the system administrator, and the committee office of the body's office
(`may_manage`); a body is fetched through `WorkingBody.objects.visible_to(actor)` first (Http404
outside it, `access_working_body`). What a body may hold: departments of its office's jurisdiction
(`department_choices`) and working-body staff accounts of that jurisdiction (`member_choices`).
A body is never deleted: deactivated, its staff see nothing through it until it is reactivated.
"""

from collections.abc import Iterable

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from liaison import audit
from liaison.access import access_object
from liaison.jurisdictions import under_q
from liaison.models import Office, Role, User, WorkingBody

MANAGE = "liaison.change_workingbody"

__all__ = [
    "access_working_body",
    "department_choices",
    "may_manage",
    "member_choices",
    "offices_managed",
    "working_body_create",
    "working_body_set_active",
    "working_body_update",
]


# -- who and what ---------------------------------------------------------------------------------


def offices_managed(user: User) -> QuerySet[Office]:
    """The offices whose working bodies `user` keeps: every office for the system administrator,
    the office of its jurisdiction for a committee office, none for anyone else."""
    offices = Office.objects.select_related("jurisdiction")
    if not user.is_authenticated or not user.has_perm(MANAGE):
        return offices.none()
    if user.is_system_admin:
        return offices.all()
    if user.role == Role.COMMITTEE_OFFICE and user.jurisdiction_id:
        return offices.filter(jurisdiction_id=user.jurisdiction_id)
    return offices.none()


def may_manage(user: User, office: Office) -> bool:
    """May `user` create, change or deactivate the working bodies of `office`?"""
    return offices_managed(user).filter(pk=office.pk).exists()


def access_working_body(user: User, pk: int | str, *, for_update: bool = False) -> WorkingBody:
    """The working body `pk` if `user` may see it, else Http404 (missing and not-yours alike)."""
    return access_object(WorkingBody.objects.select_related("office__jurisdiction"), user, pk, for_update=for_update)


def department_choices(office: Office, body: WorkingBody | None = None) -> QuerySet:
    """The departments a body of `office` may coordinate: the active ones of its jurisdiction and
    those below it (the departments the office works with), and those the body already has."""
    q = Q(is_active=True) & under_q(office.jurisdiction, "jurisdiction__code")
    if body is not None and body.pk:
        q |= Q(pk__in=body.departments.values("pk"))
    Department = apps.get_model("petitions", "Department")  # the core app loads petitions lazily
    return Department.objects.filter(q).select_related("jurisdiction").order_by("jurisdiction__code", "name")


def member_choices(office: Office, body: WorkingBody | None = None) -> QuerySet[User]:
    """The accounts a body of `office` may have as staff: active working-body staff accounts of the
    office's jurisdiction, and those the body already has."""
    q = Q(role=Role.WORKING_BODY, is_active=True, jurisdiction_id=office.jurisdiction_id)
    if body is not None and body.pk:
        q |= Q(pk__in=body.members.values("pk"))
    return User.objects.filter(q).order_by("full_name", "username")


# -- writes ---------------------------------------------------------------------------------------


def _require_manage(actor, office: Office) -> None:
    if not may_manage(actor, office):
        raise PermissionDenied(_("Only the committee office and the system administrator keep its working bodies."))


def _clean_name(office: Office, name: str, *, body: WorkingBody | None = None) -> str:
    name_ = (name or "").strip()
    if not name_:
        raise ValidationError({"name": _("Give the working body's name, for example 城建环保委.")})
    if len(name_) > WorkingBody._meta.get_field("name").max_length:
        raise ValidationError({"name": _("The name is too long: at most 64 characters.")})
    taken = WorkingBody.objects.filter(office=office, name=name_)
    if body is not None:
        taken = taken.exclude(pk=body.pk)
    if taken.exists():
        raise ValidationError({"name": _("The office already has a working body of this name.")})
    return name_


def _checked(chosen: Iterable, allowed: QuerySet, field: str, message: str) -> list:
    chosen = list(chosen)
    found = set(allowed.filter(pk__in=[c.pk for c in chosen]).values_list("pk", flat=True))
    if any(c.pk not in found for c in chosen):
        raise ValidationError({field: message})
    return chosen


def _state(body: WorkingBody) -> dict:
    """What an audit line keeps of a body: names, not ids alone, so it still reads after renames."""
    return {
        "name": body.name,
        "active": body.is_active,
        "departments": sorted(body.departments.values_list("name", flat=True)),
        "members": sorted(body.members.values_list("username", flat=True)),
    }


def _audit(actor, body: WorkingBody, change: str, **detail) -> None:
    audit.record(
        audit.Action.NETWORK,
        actor=actor,
        obj=body,
        label=f"{body.office.name} {body.name}",
        area_code=body.office.jurisdiction.code,
        detail={"change": change, **detail},
    )


@transaction.atomic
def working_body_create(
    *,
    actor: User,
    office: Office,
    name: str,
    departments: Iterable = (),
    members: Iterable[User] = (),
) -> WorkingBody:
    """A new active working body of `office`.

    Preconditions: `may_manage(actor, office)` (else PermissionDenied); a name not taken in the
    office, departments among `department_choices`, members among `member_choices` (else
    ValidationError by field). Side effect: one audit line with the body as created.
    """
    _require_manage(actor, office)
    name_ = _clean_name(office, name)
    departments = _checked(
        departments,
        department_choices(office),
        "departments",
        _("Choose departments of the office's jurisdiction."),
    )
    members = _checked(
        members,
        member_choices(office),
        "members",
        _("Choose working-body staff accounts of the office's jurisdiction."),
    )
    body = WorkingBody.objects.create(office=office, name=name_)
    body.departments.set(departments)
    body.members.set(members)
    _audit(actor, body, "working_body_created", after=_state(body))
    return body


@transaction.atomic
def working_body_update(
    *,
    actor: User,
    body: WorkingBody | int,
    name: str,
    departments: Iterable,
    members: Iterable[User],
) -> WorkingBody:
    """Rename a body and set its departments and staff (an inactive body too).

    The row is locked in the actor's scope (Http404 outside it), then as `working_body_create`.
    Side effect: one audit line with the body before and after, when anything changed.
    """
    pk = body.pk if isinstance(body, WorkingBody) else body
    body = access_working_body(actor, pk, for_update=True)
    _require_manage(actor, body.office)
    before = _state(body)
    body.name = _clean_name(body.office, name, body=body)
    departments = _checked(
        departments,
        department_choices(body.office, body),
        "departments",
        _("Choose departments of the office's jurisdiction."),
    )
    members = _checked(
        members,
        member_choices(body.office, body),
        "members",
        _("Choose working-body staff accounts of the office's jurisdiction."),
    )
    body.save(update_fields=["name", "updated_at"])
    body.departments.set(departments)
    body.members.set(members)
    after = _state(body)
    if after != before:
        _audit(actor, body, "working_body_changed", before=before, after=after)
    return body


@transaction.atomic
def working_body_set_active(*, actor: User, body: WorkingBody | int, active: bool) -> WorkingBody:
    """Deactivate a body (its staff see nothing through it) or reactivate it; nothing is deleted.
    Side effect: one audit line when the state changes."""
    pk = body.pk if isinstance(body, WorkingBody) else body
    body = access_working_body(actor, pk, for_update=True)
    _require_manage(actor, body.office)
    if body.is_active != active:
        body.is_active = active
        body.save(update_fields=["is_active", "updated_at"])
        _audit(actor, body, "working_body_reactivated" if active else "working_body_deactivated")
    return body
