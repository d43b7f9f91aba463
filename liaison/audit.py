"""The security audit log (等保 2.0): one append-only table, `AuditEntry`, written only here.

What is recorded, and where the one hook for it lives:

- sign-in, sign-out, failed sign-in, lockout: the auth and django-axes signals (`connect()`,
  called from `LiaisonConfig.ready`); failed sign-ins are kept here whatever axes resets;
- reveal of a resident's data: `petitions.ledger.services.petition_reveal`;
- export (what, how many rows): `AuditMiddleware` records every Excel download (the writers in
  `liaison.excel` mark the response with its rows) and every job result download;
- account and role changes: the admin (`AuditedAdminMixin` on the user admin);
- network changes (stations, representatives, memberships): `stations.network.services` and the
  admin; calendar changes: `liaison.calendar_services`;
- status changes: the workflow engine (`liaison.workflow.Workflow.save` / `apply_many`), once
  for every workflow.

The actor is always passed explicitly. The address is the one thing taken from the request
being served (`AuditMiddleware` puts it in a context variable), so services deep below a view
need no request to record where an action came from.

Rows are never updated or deleted: on PostgreSQL a trigger refuses both (migration
`0005_audit_log_append_only`), and nothing in the code deletes them (kept at least `AUDIT_RETENTION_DAYS`).
"""

from __future__ import annotations

import contextvars
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import models
from django.utils.translation import gettext, gettext_lazy

from liaison.models import AuditEntry

__all__ = [
    "Action",
    "AuditMiddleware",
    "AuditedAdminMixin",
    "Result",
    "area_of",
    "detail_text",
    "record",
    "record_export",
]

Action = AuditEntry.Action
Result = AuditEntry.Result

# The address of the request being served (set by AuditMiddleware); None outside a request.
_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("liaison_audit_address", default=None)

_LABEL = AuditEntry._meta.get_field("object_label").max_length
_USER_LABEL = AuditEntry._meta.get_field("user_label").max_length


def record(
    action: str,
    *,
    actor=None,
    obj: models.Model | None = None,
    label: str = "",
    object_type: str = "",
    object_pk: Any = "",
    result: str = Result.SUCCESS,
    detail: dict | None = None,
    user_label: str = "",
    area_code: str | None = None,
    address: str | None = None,
) -> AuditEntry:
    """Write one audit line (the caller's transaction, if any, holds it).

    `actor`: the user who acted (None for the system or an unknown name; say who in `user_label`).
    `obj`: the object acted on; its type, pk, label and place are read from it unless given.
    `area_code`: the place that scopes the line for an office; default the object's, else the
    actor's. `address`: default the address of the request being served.
    """
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_pk = object_pk or obj.pk
        label = label or str(obj)
    if area_code is None:
        area_code = (area_of(obj) if obj is not None else "") or (actor_area(user) if user else "")
    return AuditEntry.objects.create(
        user=user,
        user_label=(user_label or (user.display_name if user else ""))[:_USER_LABEL],
        address=address if address is not None else _address.get(),
        action=action,
        object_type=object_type,
        object_pk="" if object_pk is None else str(object_pk),
        object_label=str(label)[:_LABEL],
        result=result,
        area_code=area_code or "",
        detail=detail or {},
    )


def area_of(obj) -> str:
    """The 12-digit code of the place `obj` belongs to ("" when it has none): its `area_code`,
    its jurisdiction's code, or its station's jurisdiction's code, or a user's (`actor_area`)."""
    from liaison.models import Jurisdiction, User

    if isinstance(obj, User):
        return actor_area(obj)
    if isinstance(obj, Jurisdiction):
        return obj.code
    if getattr(obj, "area_code", ""):
        return obj.area_code
    if getattr(obj, "jurisdiction_id", None):
        return obj.jurisdiction.code
    if getattr(obj, "station_id", None):
        return obj.station.jurisdiction.code
    return ""


def actor_area(user) -> str:
    """Where a user works, as one 12-digit code: their jurisdiction, else the first place of their
    scope (their stations' or departments' jurisdictions); "" for a system administrator."""
    from liaison import access
    from liaison.jurisdictions import code_of

    if user.jurisdiction_id:
        return user.jurisdiction.code
    # Leave the user object as it was: a scope cached here (at sign-in, say) would outlive a
    # change of memberships made later in the same request or test.
    had_scope = hasattr(user, access._CACHE_ATTR)
    scope = access.scope_for(user)
    if not had_scope:
        access.forget_scope(user)
    prefixes = scope.station_jurisdiction_prefixes or scope.department_jurisdiction_prefixes
    return code_of(prefixes[0]) if prefixes else ""


def record_export(request, response, *, what: str = "", rows: int | None = None, **extra) -> None:
    """Record a download of exported data by `request.user` (called by AuditMiddleware): `what`
    (default the file's name), how many `rows` when the writer knows, and `extra` details."""
    match = getattr(request, "resolver_match", None)
    detail = {"what": what or _filename(response), "path": request.path, **extra}
    if match is not None:
        detail["view"] = match.view_name
    if rows is not None:
        detail["rows"] = rows
    record(
        Action.EXPORT,
        actor=request.user,
        object_type="export",
        label=detail["what"],
        detail=detail,
        address=client_address(request),
    )


def client_address(request) -> str | None:
    """The client's address as django-axes reads it (behind the configured proxy headers)."""
    from axes.helpers import get_client_ip_address

    try:
        return get_client_ip_address(request) or None
    except Exception:  # an address header we cannot parse is no reason to lose the line
        return request.META.get("REMOTE_ADDR") or None


def _filename(response) -> str:
    disposition = response.get("Content-Disposition", "")
    return getattr(response, "filename", "") or disposition.rpartition("filename")[2].strip("*=\"' ")


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AuditMiddleware:
    """Puts the client's address where `record` finds it, and records every export: a response
    marked `audit_export` (a dict: `what`, `rows`) or any Excel download, when it succeeded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _address.set(client_address(request))
        try:
            response = self.get_response(request)
            marked = getattr(response, "audit_export", None)
            is_xlsx = response.get("Content-Type", "").startswith(_XLSX)
            if response.status_code == 200 and (marked is not None or is_xlsx):
                user = getattr(request, "user", None)
                if user is not None and user.is_authenticated:
                    record_export(request, response, **(marked or {}))
            return response
        finally:
            _address.reset(token)


class AuditedAdminMixin:
    """Records the admin's additions, changes and deletions of a model as `audit_action` lines."""

    audit_action = Action.ACCOUNT

    def log_addition(self, request, obj, message):
        record(self.audit_action, actor=request.user, obj=obj, detail={"change": "added", "admin": _text(message)})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        record(self.audit_action, actor=request.user, obj=obj, detail={"change": "changed", "admin": _text(message)})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            record(self.audit_action, actor=request.user, obj=obj, detail={"change": "deleted"})
        return super().log_deletions(request, queryset)


def _text(message) -> Any:
    # The admin passes a list of dicts (JSON-able) or a string.
    return message if isinstance(message, list | str) else str(message)


# -- sign-in signals ----------------------------------------------------------------------------


def _signed_in(sender, request, user, **kwargs):
    record(Action.SIGN_IN, actor=user, address=client_address(request) if request else None)


def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(Action.SIGN_OUT, actor=user, address=client_address(request) if request else None)


def _failed(sender, credentials, request=None, **kwargs):
    from liaison.models import User

    username = str((credentials or {}).get("username", ""))[:_USER_LABEL]
    user = User.objects.filter(username=username).first() if username else None
    record(
        Action.SIGN_IN_FAILED,
        actor=user,
        user_label=username,
        result=Result.FAILURE,
        address=client_address(request) if request is not None else None,
    )


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    from liaison.models import User

    # Axes may signal one lock twice in one request (the failure handler, then the check).
    if request is not None:
        if getattr(request, "_audit_locked_out", False):
            return
        request._audit_locked_out = True
    username = str(username or "")[:_USER_LABEL]
    user = User.objects.filter(username=username).first() if username else None
    record(
        Action.LOCKOUT,
        actor=user,
        user_label=username,
        result=Result.FAILURE,
        address=ip_address or (client_address(request) if request is not None else None),
    )


def connect() -> None:
    """Connect the sign-in signals (from `LiaisonConfig.ready`)."""
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(_signed_in, dispatch_uid="audit-sign-in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit-sign-out")
    user_login_failed.connect(_failed, dispatch_uid="audit-sign-in-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit-lockout")


MIN_RETENTION_DAYS = 180


@checks.register(checks.Tags.security)
def check_retention(app_configs=None, **kwargs):
    """等保 2.0 asks for six months of audit log: refuse a shorter `AUDIT_RETENTION_DAYS`."""
    if getattr(settings, "AUDIT_RETENTION_DAYS", 0) < MIN_RETENTION_DAYS:
        return [
            checks.Error(
                f"AUDIT_RETENTION_DAYS must be at least {MIN_RETENTION_DAYS} (six months of audit log).",
                id="liaison.E014",
            )
        ]
    return []


# -- reading a line back --------------------------------------------------------------------------------

_KEYS = {
    "rows": gettext_lazy("rows"),
    "field": gettext_lazy("field"),
    "purpose": gettext_lazy("purpose"),
    "date": gettext_lazy("date"),
    "working_day": gettext_lazy("working day"),
    "name": gettext_lazy("name"),
    "role": gettext_lazy("role"),
    "what": gettext_lazy("what"),
    "view": gettext_lazy("page"),
    "kind": gettext_lazy("kind"),
    "title": gettext_lazy("title"),
    "admin": gettext_lazy("in the admin"),
    "before": gettext_lazy("before"),
    "after": gettext_lazy("after"),
}
_CHANGES = {"added": gettext_lazy("added"), "changed": gettext_lazy("changed"), "deleted": gettext_lazy("deleted")}


def detail_text(detail: dict | None) -> str:
    """A line's detail in the reader's language (the page and its Excel): a status change as
    "move: from → to" through its workflow's own labels, the other facts as "label: value"."""
    from liaison.workflow import ENGINES

    detail = dict(detail or {})
    parts = []
    engine = ENGINES.get(detail.pop("workflow", ""))
    if engine is not None:
        parts.append(engine.describe(detail.pop("move", ""), detail.pop("from", ""), detail.pop("to", "")))
    if "change" in detail:
        change = detail.pop("change")
        parts.append(str(_CHANGES.get(change, change)))
    for key, value in detail.items():
        if isinstance(value, bool):
            value = gettext("yes") if value else gettext("no")
        elif isinstance(value, dict):  # settings before and after a change: "field=value, ..."
            value = "，".join(f"{k}={'—' if v in (None, '') else v}" for k, v in value.items())
        parts.append(f"{_KEYS.get(key, key)}：{value}")
    return "；".join(parts)
