"""One small engine for every status workflow: petitions, suggestions, reception events and plans.

A workflow is a table of moves over one model's status field: from which statuses each move
may start, on which status it lands (none: the status stays; several: the service chooses
one of them, and the table names them all), and which Django permission it asks (none: the
workflow's policy decides who, or only another service runs the move). Each app declares its
tables in its own `workflow.py`; its `policy.py` narrows them to one user and one item.

The services use the engine in two steps, inside their transaction:

- `check(move, status, user)` before acting: the actor's permission, then the state
  (`PermissionDenied`, then the workflow's `InvalidTransition`);
- `apply(obj, move, to=...)` to change the status: it checks the state again and sets the
  status field to a target the table names; then `save(obj, fields)` stores the status with
  the service's other fields, and the service writes its history row from the `Transition`.

Nothing else writes a status field (tests/liaison/test_status_writes.py scans the code);
`apply_many` moves every row of a queryset at once for the bulk moves (publishing a plan).
Who may do a move to a given item beyond the table's permission (their department's share,
the lead representative...) is the policy's; whether the item is theirs at all is the
scoped querysets'.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet


class InvalidTransition(Exception):
    """A move tried from a status it does not start from.

    `move` and `status` say which; each workflow gives its own subclass a message fit for
    the person who tried (the item's current status, "reload the page").
    """

    def __init__(self, move: Any, status: str, message: str = ""):
        self.move, self.status = move, status
        super().__init__(message or f"{move} cannot start from the status {status!r}")


@dataclass(frozen=True)
class Rule:
    """One move of a table.

    `targets`: () when the status stays (the move records something beside it), one status
    when the move always lands there, several when the service chooses among them (each one
    named here, so no service lands anywhere the table does not say).
    `permission`: the Django permission a person needs to start the move; None when the
    workflow's policy decides who (or no person starts it: another service runs it).
    """

    sources: frozenset
    targets: tuple = ()
    permission: str | None = None
    label: Any = ""

    def __post_init__(self):
        # Accept any iterable (and a single status for `targets`); store the immutable forms.
        object.__setattr__(self, "sources", frozenset(self.sources))
        targets = (self.targets,) if isinstance(self.targets, str) else tuple(self.targets)
        object.__setattr__(self, "targets", targets)

    @property
    def target(self) -> str | None:
        """The status the move lands on when it has exactly one; None when it stays or the service chooses."""
        return self.targets[0] if len(self.targets) == 1 else None


@dataclass(frozen=True)
class Transition:
    """What `apply` did: the service writes its history row from it (no status change: `changed` False)."""

    move: Any
    from_status: str
    to_status: str
    actor: Any = None

    @property
    def changed(self) -> bool:
        return self.from_status != self.to_status


class StatusSet(frozenset):
    """A named group of statuses ("open", "in hand"...) with what it means, declared once beside
    its workflow's table; every page and query that needs the group imports it.

    A frozenset (`in`, `|`, `-`, `status__in=` work as usual; the result of `|` or `-` is a plain
    frozenset until wrapped in a StatusSet of its own) that carries its meaning in `__doc__`.
    """

    def __new__(cls, statuses, doc: str = ""):
        return super().__new__(cls, statuses)

    def __init__(self, statuses, doc: str = ""):
        self.__doc__ = doc

    def __repr__(self) -> str:
        return f"StatusSet({sorted(self)!r})"


def _has_perm(user, permission: str) -> bool:
    # Django answers False for inactive and anonymous users; None is nobody.
    return user is not None and user.has_perm(permission)


# Every workflow by its name (the audit log reads a status line back through it).
ENGINES: dict[str, "Workflow"] = {}


class Workflow:
    """The table of one workflow and the only way to change its status field.

    `statuses`: every value of the field (a TextChoices class or its values); each rule's
    sources and targets must be among them. `initial`: the statuses a new row may be created
    in (rows are created by their service; a later change is a move). `error(move, status)`
    builds the InvalidTransition the workflow raises (default: the generic one).
    """

    def __init__(
        self,
        *,
        name: str,
        statuses: Iterable[str],
        rules: Mapping[Any, Rule],
        field: str = "status",
        initial: Iterable[str] = (),
        error: Callable[[Any, str], InvalidTransition] | None = None,
    ):
        self.name, self.field = name, field
        self.statuses = frozenset(str(s) for s in statuses)
        # Each status's label (a TextChoices class gives them), for the audit log's lines.
        self.labels = dict(getattr(statuses, "choices", ()))
        ENGINES[name] = self
        self.rules = dict(rules)
        self.initial = frozenset(initial)
        self._error = error or InvalidTransition
        unknown = self.initial - self.statuses
        for move, rule in self.rules.items():
            unknown |= (rule.sources | set(rule.targets)) - self.statuses
            if not rule.sources:
                raise ValueError(f"{name}: the move {move} starts from no status")
        if unknown:
            raise ValueError(f"{name}: unknown statuses {sorted(unknown)}")

    def __repr__(self) -> str:
        return f"<Workflow {self.name}: {len(self.rules)} moves>"

    def __getitem__(self, move) -> Rule:
        return self.rules[move]

    def __contains__(self, move) -> bool:
        return move in self.rules

    def error(self, move, status: str) -> InvalidTransition:
        return self._error(move, status)

    # -- asking ---------------------------------------------------------------------------------

    def check(self, move, status: str, user=None, *, permission: bool = True) -> Rule:
        """The rule of `move` if `user` holds its permission and it may start from `status`.

        The permission first (`PermissionDenied`), then the state (the workflow's
        InvalidTransition): someone who may never do it is not told about the state.
        `permission=False` checks the state alone, for a caller that has decided who acts
        by other means (a resident with a rating code, a daily task).
        """
        rule = self.rules[move]
        if permission and rule.permission is not None and not _has_perm(user, rule.permission):
            raise PermissionDenied
        if status not in rule.sources:
            raise self.error(move, status)
        return rule

    def can(self, move, status: str, user) -> bool:
        """`check` as a yes or no: the state allows the move and the user holds its permission (if any)."""
        rule = self.rules[move]
        return status in rule.sources and (rule.permission is None or _has_perm(user, rule.permission))

    def moves_from(self, status: str) -> list:
        """The moves that may start from `status`, in the table's order."""
        return [move for move, rule in self.rules.items() if status in rule.sources]

    # -- changing -------------------------------------------------------------------------------

    def apply(self, obj, move, *, actor=None, to: str | None = None) -> Transition:
        """Move `obj` (not saved): check the state again, set the status field to the target.

        `to` names the target when the rule has several (it must be one of them); a rule with
        one target lands there; a rule with none keeps the status. Raises the workflow's
        InvalidTransition when the status is not a source; ValueError for a target the table
        does not name (a programming error, never a user's). `actor` is recorded on the
        returned Transition for the history row; who may act was `check`'s and the policy's.
        """
        rule = self.rules[move]
        old = getattr(obj, self.field)
        if old not in rule.sources:
            raise self.error(move, old)
        new = self._target(move, rule, old, to)
        setattr(obj, self.field, new)
        transition = Transition(move, old, new, actor)
        obj._workflow_transition = transition  # for the audit line `save` writes
        return transition

    def save(self, obj, fields: Iterable[str] = ()) -> None:
        """Save `obj` after `apply`: the status field and `fields` (`update_fields`; the status is
        written here so that no service names it). Side effect: one audit line for the move
        (liaison.audit), so every workflow's status changes are recorded in one place."""
        obj.save(update_fields=sorted({*fields, self.field}))
        transition = obj.__dict__.pop("_workflow_transition", None)
        if transition is not None:
            self._audit(transition, obj=obj)

    def apply_many(self, queryset: QuerySet, move, *, actor=None, **fields) -> int:
        """Move every row of `queryset` whose status is a source of `move` to its one target,
        setting `fields` too, in one UPDATE; returns the number of rows moved. Rows in other
        statuses are left as they are (a bulk move takes what it may). One audit line records
        the move, by `actor`, and how many rows it moved."""
        rule = self.rules[move]
        if rule.target is None:
            raise ValueError(f"{self.name}: {move} has no single target for a bulk move")
        moved = queryset.filter(**{f"{self.field}__in": rule.sources}).update(**{self.field: rule.target}, **fields)
        if moved:
            self._audit(
                Transition(move, ",".join(sorted(rule.sources)), rule.target, actor),
                object_type=queryset.model._meta.label_lower,
                rows=moved,
            )
        return moved

    def describe(self, move: str, from_status: str, to_status: str) -> str:
        """A status line in the reader's language: the move's label, then from → to."""
        rule = next((r for m, r in self.rules.items() if str(m) == move), None)
        label = str(rule.label) if rule is not None and rule.label else move
        return f"{label}：{self.labels.get(from_status, from_status)} → {self.labels.get(to_status, to_status)}"

    def _audit(self, transition: Transition, *, obj=None, object_type: str = "", rows: int | None = None) -> None:
        from liaison import audit

        detail = {
            "workflow": self.name,
            "move": str(transition.move),
            "from": transition.from_status,
            "to": transition.to_status,
        }
        if rows is not None:
            detail["rows"] = rows
        audit.record(audit.Action.STATUS, actor=transition.actor, obj=obj, object_type=object_type, detail=detail)

    def _target(self, move, rule: Rule, old: str, to: str | None) -> str:
        if not rule.targets:
            if to not in (None, old):
                raise ValueError(f"{self.name}: {move} keeps the status; it cannot land on {to!r}")
            return old
        if to is None:
            if len(rule.targets) > 1:
                raise ValueError(f"{self.name}: {move} lands on one of {rule.targets}; say which")
            return rule.targets[0]
        if to not in rule.targets:
            raise ValueError(f"{self.name}: {move} lands on one of {rule.targets}, not {to!r}")
        return to
