"""Every rule about the jurisdiction tree, in one place.

The code system
---------------
A jurisdiction is keyed by its official 12-digit administrative code, read 2-2-2-3-3:
province (2 significant digits), city (4), county or district (6), street or township (9),
community or village (12); the digits after the significant ones are zeros. So
`110119100201` (东关村) lies in township `110119100000`, county `110119000000`, city
`110100000000` and province `110000000000`. A *prefix* is the significant digits of a
jurisdiction (`Jurisdiction.prefix`: `110119` for the county); a *code* is always 12 digits
(`Petition.area_code`, `Jurisdiction.code`).

The rules
---------
- Ancestors (`codes_above`, `codes_above_any`, `code_at`): the codes of the jurisdictions that
  contain a place are its prefix cut at each level and padded with zeros; no query is needed.
- Under (`under_q`, `is_under`): a place lies in a jurisdiction when its code starts with the
  jurisdiction's prefix. In SQL this is always the closed range
  `prefix000… <= code <= prefix999…`, never `LIKE 'prefix%'`: a range is served by any btree
  index on the code column whatever the database's collation (`petition_ledger_by_area` on
  `area_code`, the unique index on `Jurisdiction.code`), while LIKE needs the C collation or a
  pattern-ops index, which `area_code` does not have. For 12-digit codes the two are the same
  set; the closed upper bound needs no carry (a half-open bound would have to increment `99`).
- At or above (`at_or_above_q`): rows attached to a jurisdiction that contains a place
  (a county campaign concerns each township below it).
- The nearest rule above a place (`nearest_above`): rules that an office may override for its
  jurisdiction (deadline rules, scoring rules) apply from the deepest jurisdiction above the
  place that has one, else from the default row (no jurisdiction).
- Which departments an office may give work to: three rules, one per purpose, which differ on
  purpose (see each function): `departments_for_assignment`, `departments_for_supervision`,
  `departments_for_visit`.

This module imports no model at load time (`liaison.models` imports it), so the functions that
query fetch their models lazily.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from liaison.models import Jurisdiction

    # A place, or several: a prefix or 12-digit code, a Jurisdiction, or an iterable of those.
    Where = str | Jurisdiction | Iterable[str | Jurisdiction]

CODE_LENGTH = 12
# Significant digits per level, shallowest first.
LEVEL_DIGITS: dict[str, int] = {"province": 2, "city": 4, "county": 6, "township": 9, "community": 12}
DIGITS: tuple[int, ...] = tuple(LEVEL_DIGITS.values())


# -- codes -----------------------------------------------------------------------------------------


def code_of(prefix: str) -> str:
    """The 12-digit code of a prefix: `110119` → `110119000000`."""
    return prefix.ljust(CODE_LENGTH, "0")


def prefix_of(code: str) -> str:
    """The significant digits of a 12-digit code, judged by its trailing zeros: `110119100000` →
    `110119100`. Official codes never have an all-zero part below a non-zero one, so this is the
    code's level; for a Jurisdiction row prefer `Jurisdiction.prefix`, which reads its `level`."""
    for n in DIGITS:
        if not code[n:].strip("0"):
            return code[:n]
    return code


def code_at(code: str, level: str) -> str:
    """The 12-digit code of the jurisdiction at `level` containing `code` (a code or a prefix at
    least that deep): `code_at("110119100201", "county")` → `110119000000`."""
    return code_of(code[: LEVEL_DIGITS[level]])


def codes_above(code: str, *, include_self: bool = True) -> list[str]:
    """The 12-digit codes of the jurisdictions containing `code` (a prefix or a 12-digit code),
    province first, without repeats. `include_self=False` leaves out the place itself.

    `110119100201` → `110000000000`, `110100000000`, `110119000000`, `110119100000`,
    `110119100201`. An empty code has no ancestors. A prefix whose length is no level's (not a
    real jurisdiction) yields the levels above it only.
    """
    if not code:
        return []
    significant = len(prefix_of(code)) if len(code) >= CODE_LENGTH else len(code)
    lengths = [n for n in DIGITS if n < significant or (include_self and n == significant)]
    return list(dict.fromkeys(code_of(code[:n]) for n in lengths))


def codes_above_any(prefixes: Iterable[str]) -> set[str]:
    """The codes of the jurisdictions at or above any of the prefixes (a scope's several areas)."""
    return {c for p in prefixes for c in codes_above(p)}


def _prefixes(where: Where) -> list[str]:
    """The prefixes `where` names: a string, a Jurisdiction (its level's prefix) or an iterable of
    them. A 12-digit string is a code, read as its significant digits (`prefix_of`), so a county's
    code names the county's subtree, not the county's row alone."""
    if isinstance(where, str) or hasattr(where, "prefix"):
        where = [where]
    found = []
    for item in where:
        prefix = item.prefix if not isinstance(item, str) else prefix_of(item) if len(item) == CODE_LENGTH else item
        if not prefix:
            # "Under nothing" would mean everything in SQL (a range from 000… to 999…) but
            # nothing to startswith-minded callers: refuse rather than guess.
            raise ValueError("An empty prefix names no jurisdiction.")
        found.append(prefix)
    return found


# -- under -----------------------------------------------------------------------------------------


def under_q(where: Where, field: str = "area_code") -> Q:
    """Rows whose code column `field` lies in `where` (a prefix, a 12-digit code, a Jurisdiction,
    or an iterable of them; the jurisdiction itself included). Matches nothing for an empty
    iterable; an empty prefix is a ValueError.

    `field` is the path to a 12-digit code column: `area_code`, `code`, `jurisdiction__code`,
    `station__jurisdiction__code`. See the module docstring for why a range and not LIKE.
    """
    q = Q(pk__in=[])
    for prefix in _prefixes(where):
        q |= Q(**{f"{field}__gte": code_of(prefix), f"{field}__lte": prefix.ljust(CODE_LENGTH, "9")})
    return q


def is_under(code: str, where: Where) -> bool:
    """Whether the 12-digit `code` lies in `where` (as `under_q`, in Python)."""
    return bool(code) and any(code.startswith(p) for p in _prefixes(where))


def at_or_above_q(where: Where, field: str = "jurisdiction__code") -> Q:
    """Rows whose code column `field` is one of the jurisdictions containing any place of `where`
    (those places included). Matches nothing for an empty iterable."""
    codes = codes_above_any(_prefixes(where))
    return Q(**{f"{field}__in": sorted(codes)}) if codes else Q(pk__in=[])


# -- the nearest rule above a place ------------------------------------------------------------------


def nearest_above(rules: QuerySet | Iterable, area_code: str, *, field: str = "jurisdiction"):
    """The rule of the deepest jurisdiction at or above the place `area_code` that has one, else
    the default rule (`field` NULL), else None.

    `rules` is a queryset of rules already narrowed to the question (a route and urgency, an
    activity): one query, the candidates only. It may instead be rows already loaded (with
    `field` select-related), searched in Python without a query, for callers that answer many
    places from one load (the scoring rules of a ranking). Rows whose jurisdiction is not above
    the place are ignored. An empty `area_code` gets the default.
    """
    above = codes_above(area_code)
    if isinstance(rules, QuerySet):
        rules = rules.filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__code__in": above})).select_related(field)
    depth = {code: n for n, code in enumerate(above, start=1)}
    best, best_depth = None, -1
    for rule in rules:
        # The default row is depth 0; a row of a jurisdiction not above the place, -1 (ignored).
        rule_depth = 0 if getattr(rule, f"{field}_id") is None else depth.get(getattr(rule, field).code, -1)
        if rule_depth > best_depth:  # strict: of two equal rows the first wins
            best, best_depth = rule, rule_depth
    return best if best_depth >= 0 else None


# -- which departments an office may give work to -----------------------------------------------------
#
# Three rules, one per purpose. They differ, and each is kept as the pages and services that
# use it have always behaved:
# - assignment: an office's own level and the township (street) offices below it; a department
#   user only to its own departments, as on-the-spot handling records;
# - supervision and visits also reach up (a county bureau handles and visits a village's
#   matters); a supervision notice from a department user goes to its own departments only,
#   while a visit may also involve the departments above a department user's area;
# - station staff and representatives are offered no department to assign to, but the
#   supervision and visit lists offer them those at, below and above their stations (whether
#   they may act at all is a permission, not this module's question);
# - a working body's staff supervise and invite only the departments their bodies coordinate.


def _department_model():
    return apps.get_model("petitions", "Department")


def departments_for_assignment(user) -> QuerySet:
    """Active departments `user` may assign an item (or a suggestion) to, or record as having
    taken it over on the spot.

    An administrator: every active department. A committee office: the departments of its own
    level of government (those of its own jurisdiction: a district office the district's bureaus)
    and the township and street offices below it (township-level departments under its
    jurisdiction), never a department above, nor a bureau of a level below (a district bureau is
    the district office's to assign, not the city's). A department user: its own active
    departments. Station staff and representatives: none.
    """
    from liaison.access import scope_for

    Department = _department_model()
    scope = scope_for(user)
    active = Department.objects.filter(is_active=True)
    if scope.everything:
        return active
    q = Q(pk__in=scope.department_ids)
    for prefix in scope.jurisdiction_prefixes:
        q |= Q(jurisdiction__code=code_of(prefix))
        q |= under_q(prefix, "jurisdiction__code") & Q(jurisdiction__level="township")
    return active.filter(q)


ASSIGNMENT_RULE_HELP = gettext_lazy(
    "An office assigns to the departments of its own level and to the township and street offices below it."
)


def departments_for_supervision(user, *, include_inactive: bool = False) -> QuerySet:
    """Departments `user` may send a supervision notice to or record a commitment of: those that
    may handle the items the user sees. Ordered by jurisdiction code, then name; loads only
    `pk` and `name`.

    An administrator: every department. A department user: its own departments only; working-body
    staff: the departments their bodies coordinate, only (both are `scope.department_ids`). Anyone
    else (an office, station staff, a representative): the departments of the user's
    jurisdictions (an office's, a station's) and of those below them, and of every jurisdiction
    above them (a county bureau handles a village's item). Active departments only unless
    `include_inactive` (the ledger's department filter, which must still find old items).
    """
    from liaison.access import scope_for

    Department = _department_model()
    scope = scope_for(user)
    if scope.everything:
        found = Department.objects.all()
    else:
        q = Q(pk__in=scope.department_ids)
        if not scope.department_ids:
            prefixes = scope.jurisdiction_prefixes + scope.station_jurisdiction_prefixes
            q |= under_q(prefixes, "jurisdiction__code") | at_or_above_q(prefixes, "jurisdiction__code")
        found = Department.objects.filter(q)
    if not include_inactive:
        found = found.filter(is_active=True)
    return found.only("pk", "name").order_by("jurisdiction__code", "name")


def departments_for_visit(user) -> QuerySet:
    """Active departments `user` may invite to a department-head visit at a station (the visit's
    department on a reception event), with their jurisdiction loaded.

    An administrator: every active department. Working-body staff: the active departments their
    bodies coordinate, only (their scope has departments and no area of its own). Anyone else:
    the active departments of the user's jurisdictions (an office's, a station's, a department
    user's area) and of those below and above them (a district bureau visits a village station),
    plus a department user's own departments.
    """
    from liaison.access import scope_for

    scope = scope_for(user)
    queryset = _department_model().objects.filter(is_active=True).select_related("jurisdiction")
    if scope.everything:
        return queryset
    own = scope.jurisdiction_prefixes + scope.station_jurisdiction_prefixes + scope.department_jurisdiction_prefixes
    return queryset.filter(
        under_q(own, "jurisdiction__code") | at_or_above_q(own, "jurisdiction__code") | Q(pk__in=scope.department_ids)
    )
