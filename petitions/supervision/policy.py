"""Who may do what to a supervision notice (督办单) or a commitment: one answer for the pages'
buttons, the views' refusals and the services.

Scope first (`selectors.notices_visible_to`, `commitments_visible_to`: outside it, "not found"),
then the rules here. `may_*` answers whether the user may act on the object at all (the views and
services refuse with 403 / PermissionDenied); `can_*` adds the object's state, for the buttons.

- answer a notice: a member of its department with the supervision view (once, while open);
- report progress on a commitment: the office (`supervise_petition`) or a member of its department
  (while open);
- record the follow-up visit to a kept commitment: the office, or station staff and representatives
  (`follow_up_commitment`);
- press a department (issue it a notice, record its commitment): who holds `supervise_petition`,
  a department the item shares or one of `departments_for_supervision`; working-body staff only
  the departments their bodies coordinate (`may_press`).
"""

from django.contrib.auth.models import AnonymousUser

from liaison.access import scope_for
from liaison.models import Role, User
from petitions.models import Commitment, SupervisionNotice
from petitions.supervision.selectors import FOLLOW_UP, SUPERVISE, VIEW_SUPERVISION


def _is_member(user: User, department) -> bool:
    return department.members.filter(pk=user.pk).exists()


def may_answer(user: User, notice: SupervisionNotice) -> bool:
    """A member of the notice's department who sees supervision."""
    return user.has_perm(VIEW_SUPERVISION) and _is_member(user, notice.department)


def can_answer(user: User | AnonymousUser, notice: SupervisionNotice) -> bool:
    return notice.state == SupervisionNotice.State.OPEN and user.is_authenticated and may_answer(user, notice)


def may_progress(user: User, commitment: Commitment) -> bool:
    """The office, or a member of the commitment's department."""
    return user.has_perm(SUPERVISE) or _is_member(user, commitment.department)


def can_progress(user: User | AnonymousUser, commitment: Commitment) -> bool:
    return commitment.state == Commitment.State.OPEN and user.is_authenticated and may_progress(user, commitment)


def may_follow_up(user: User) -> bool:
    """The office, or those who make the follow-up visits (station staff, representatives)."""
    return user.has_perm(SUPERVISE) or user.has_perm(FOLLOW_UP)


def can_follow_up(user: User | AnonymousUser, commitment: Commitment) -> bool:
    return commitment.state == Commitment.State.DONE and may_follow_up(user)


def presses_own_departments_only(user: User) -> bool:
    """Working-body staff press only the departments their bodies coordinate, even on an item
    another department shares."""
    return user.role == Role.WORKING_BODY and not user.is_superuser


def may_press(user: User, department) -> bool:
    """May `user` (who holds `supervise_petition`) send `department` a notice or record its
    commitment, as far as who they are goes? The services add the item's and the scope's rules."""
    return not presses_own_departments_only(user) or department.pk in scope_for(user).department_ids
