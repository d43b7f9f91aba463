"""The jurisdiction rules of `liaison.jurisdictions`, on the shared two-district world (conftest)."""

import pytest

from liaison import jurisdictions as J
from liaison.models import Jurisdiction
from petitions.models import DeadlineRule, Department, Petition, Route, Urgency
from tests.factories import DepartmentFactory

# -- codes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, prefix",
    [
        ("110000000000", "11"),
        ("110100000000", "1101"),
        ("110119000000", "110119"),
        ("110119100000", "110119100"),
        ("110119100201", "110119100201"),
    ],
)
def test_prefix_of_reads_the_level_from_the_trailing_zeros(code, prefix):
    assert J.prefix_of(code) == prefix
    assert J.code_of(prefix) == code


def test_codes_above_at_each_level():
    community = "110119100201"
    assert J.codes_above(community) == [
        "110000000000",
        "110100000000",
        "110119000000",
        "110119100000",
        "110119100201",
    ]
    assert J.codes_above(community, include_self=False) == J.codes_above(community)[:-1]
    # A township, given as its code or as its prefix: the same answer, without repeats.
    assert J.codes_above("110119100000") == J.codes_above("110119100") == J.codes_above(community)[:4]
    assert J.codes_above("110119") == ["110000000000", "110100000000", "110119000000"]
    assert J.codes_above("1101") == ["110000000000", "110100000000"]
    assert J.codes_above("110000000000") == ["110000000000"]
    assert J.codes_above("11", include_self=False) == []
    assert J.codes_above("") == []


def test_code_at_a_level():
    assert J.code_at("110119100201", "province") == "110000000000"
    assert J.code_at("110119100201", "county") == "110119000000"
    assert J.code_at("110119100201", "township") == "110119100000"
    assert J.code_at("110119100", "county") == "110119000000"


def test_codes_above_any_joins_several_places():
    assert J.codes_above_any(["110119100", "110105001"]) == {
        "110000000000",
        "110100000000",
        "110119000000",
        "110119100000",
        "110105000000",
        "110105001000",
    }
    assert J.codes_above_any([]) == set()


def test_the_model_s_ancestors_are_the_module_s(world):
    for row in Jurisdiction.objects.all():
        assert row.ancestor_codes() == J.codes_above(row.prefix, include_self=False), row.code
        assert row.ancestor_codes() == J.codes_above(row.code, include_self=False), row.code
        assert len(row.prefix) == J.LEVEL_DIGITS[row.level]


# -- under --------------------------------------------------------------------------------------------


def _codes(q):
    return set(Jurisdiction.objects.filter(q).values_list("code", flat=True))


def test_under_q_at_each_level_matches_the_subtree_and_no_sibling(world):
    j = world.j
    every = {r.code for r in (j.P, j.C, j.K, j.T1, j.C1, j.T2, j.C2, j.K2, j.T3, j.C3)}
    assert _codes(J.under_q(j.P, "code")) == every
    assert _codes(J.under_q(j.C, "code")) == every - {j.P.code}
    assert _codes(J.under_q(j.K, "code")) == {j.K.code, j.T1.code, j.C1.code, j.T2.code, j.C2.code}
    assert _codes(J.under_q(j.T1, "code")) == {j.T1.code, j.C1.code}  # not the sibling township T2
    assert _codes(J.under_q(j.C1, "code")) == {j.C1.code}
    # Each answer is exactly "the code starts with the prefix".
    for row in Jurisdiction.objects.all():
        assert _codes(J.under_q(row, "code")) == {c for c in every if c.startswith(row.prefix)}, row.code


def test_under_q_takes_prefixes_and_several_places(world):
    j = world.j
    assert _codes(J.under_q("110119101", "code")) == {j.T2.code, j.C2.code}
    assert _codes(J.under_q([j.T1, "110105001"], "code")) == {j.T1.code, j.C1.code, j.T3.code, j.C3.code}
    assert _codes(J.under_q([], "code")) == set()
    # A 12-digit string is a code: the county's code names the county's subtree, not its row alone.
    assert _codes(J.under_q(j.K.code, "code")) == _codes(J.under_q(j.K, "code"))
    assert _codes(J.under_q(j.C1.code, "code")) == {j.C1.code}
    with pytest.raises(ValueError):
        J.under_q("", "code")


def test_under_q_on_the_petitions_area_code_and_through_a_join(ledger, world):
    j = world.j
    under_t1 = set(Petition.objects.filter(J.under_q(j.T1)).values_list("pk", flat=True))
    assert under_t1 == {ledger.a.pk, ledger.b.pk, ledger.c.pk}  # not d (T2, the sibling) nor e
    under_k = set(Petition.objects.filter(J.under_q(j.K)).values_list("pk", flat=True))
    assert under_k == {ledger.a.pk, ledger.b.pk, ledger.c.pk, ledger.d.pk}
    assert set(Department.objects.filter(J.under_q(j.K, "jurisdiction__code"))) == {world.D}


def test_under_q_is_a_range_not_like(world):
    sql = str(Jurisdiction.objects.filter(J.under_q(world.j.K, "code")).query)
    assert "LIKE" not in sql.upper()
    assert "110119000000" in sql and "110119999999" in sql


def test_is_under(world):
    j = world.j
    assert J.is_under(j.C1.code, j.T1)
    assert J.is_under(j.C1.code, "110119")
    assert not J.is_under(j.C2.code, j.T1)
    assert not J.is_under("", j.P)


def test_at_or_above_q(world):
    j = world.j
    assert _codes(J.at_or_above_q(j.T1, "code")) == {j.P.code, j.C.code, j.K.code, j.T1.code}
    assert _codes(J.at_or_above_q([j.C1, j.T3], "code")) == {
        j.P.code,
        j.C.code,
        j.K.code,
        j.T1.code,
        j.C1.code,
        j.K2.code,
        j.T3.code,
    }
    assert _codes(J.at_or_above_q([], "code")) == set()


# -- the nearest rule above a place ---------------------------------------------------------------------


def _rules():
    return DeadlineRule.objects.filter(route=Route.DIRECT, urgency=Urgency.NORMAL)


def _rule(jurisdiction, days):
    return DeadlineRule.objects.create(
        jurisdiction=jurisdiction, route=Route.DIRECT, urgency=Urgency.NORMAL, working_days=days, co_working_days=1
    )


def test_nearest_above_default_own_and_parent_rules(world):
    j = world.j
    _rules().delete()
    assert J.nearest_above(_rules(), j.C1.code) is None

    default = _rule(None, 15)
    assert J.nearest_above(_rules(), j.C1.code) == default
    assert J.nearest_above(_rules(), "") == default

    county = _rule(j.K, 12)
    sibling = _rule(j.T2, 11)  # T2 is not above C1: ignored there
    assert J.nearest_above(_rules(), j.C1.code) == county
    assert J.nearest_above(_rules(), j.C2.code) == sibling
    assert J.nearest_above(_rules(), j.C3.code) == default  # the other district has none of its own

    township = _rule(j.T1, 9)
    assert J.nearest_above(_rules(), j.C1.code) == township  # the parent's, deeper than the county's
    own = _rule(j.C1, 5)
    assert J.nearest_above(_rules(), j.C1.code) == own
    assert J.nearest_above(_rules(), j.T1.code) == township  # a rule below the place never applies


def test_nearest_above_over_loaded_rows_asks_no_query(world, django_assert_num_queries):
    j = world.j
    _rules().delete()
    default, county, township = _rule(None, 15), _rule(j.K, 12), _rule(j.T1, 9)
    rows = list(_rules().select_related("jurisdiction"))
    with django_assert_num_queries(0):
        assert J.nearest_above(rows, j.C1.code) == township
        assert J.nearest_above(rows, j.C2.code) == county
        assert J.nearest_above(rows, j.C3.code) == default
        assert J.nearest_above([r for r in rows if r.jurisdiction_id], j.C3.code) is None


def test_nearest_above_asks_one_query(world, django_assert_num_queries):
    _rule(world.j.K, 12)
    with django_assert_num_queries(1):
        assert J.nearest_above(_rules(), world.j.C1.code).jurisdiction == world.j.K


# -- which departments an office may give work to ----------------------------------------------------------


@pytest.fixture
def departments(world):
    """D (county K) and D2 (county K2) from the world, plus one of township T1, one of the city
    above both counties and an inactive one of K."""
    j = world.j
    world.DT1 = DepartmentFactory(name="延庆镇城建科", jurisdiction=j.T1)
    world.DC = DepartmentFactory(name="市住房和城乡建设委员会", jurisdiction=j.C)
    world.Dx = DepartmentFactory(name="区旧机构", jurisdiction=j.K, is_active=False)
    return world


def _names(queryset):
    return {d.name for d in queryset}


def test_departments_for_assignment_reach_down_only(departments):
    w = departments
    assert set(J.departments_for_assignment(w.admin)) == {w.D, w.D2, w.DT1, w.DC}
    assert set(J.departments_for_assignment(w.office)) == {w.D, w.DT1}  # not the city's above
    assert set(J.departments_for_assignment(w.office_t1)) == {w.DT1}
    assert set(J.departments_for_assignment(w.dept)) == {w.D}
    assert set(J.departments_for_assignment(w.staff)) == set()
    assert set(J.departments_for_assignment(w.rep)) == set()
    assert set(J.departments_for_assignment(w.nobody)) == set()


def test_departments_for_supervision_reach_up_except_for_a_department(departments):
    w = departments
    assert _names(J.departments_for_supervision(w.admin)) == _names([w.D, w.D2, w.DT1, w.DC])
    assert _names(J.departments_for_supervision(w.office)) == _names([w.D, w.DT1, w.DC])
    assert _names(J.departments_for_supervision(w.office_t1)) == _names([w.DT1, w.D, w.DC])
    assert _names(J.departments_for_supervision(w.staff)) == _names([w.DT1, w.D, w.DC])  # H1 is in T1
    assert _names(J.departments_for_supervision(w.rep)) == _names([w.DT1, w.D, w.DC])  # S1 is in C1
    assert _names(J.departments_for_supervision(w.dept)) == _names([w.D])
    assert _names(J.departments_for_supervision(w.nobody)) == set()
    assert _names(J.departments_for_supervision(w.office, include_inactive=True)) == _names([w.D, w.DT1, w.DC, w.Dx])
    ordered = [d.name for d in J.departments_for_supervision(w.office)]
    assert ordered == [w.DC.name, w.D.name, w.DT1.name]  # by jurisdiction code


def test_departments_for_visit_reach_up_for_everyone(departments):
    w = departments
    assert set(J.departments_for_visit(w.admin)) == {w.D, w.D2, w.DT1, w.DC}
    assert set(J.departments_for_visit(w.office)) == {w.D, w.DT1, w.DC}
    assert set(J.departments_for_visit(w.office_t1)) == {w.DT1, w.D, w.DC}
    assert set(J.departments_for_visit(w.staff)) == {w.DT1, w.D, w.DC}
    assert set(J.departments_for_visit(w.dept)) == {w.D, w.DT1, w.DC}  # its area (K) and above and below
    assert set(J.departments_for_visit(w.nobody)) == set()


def test_the_three_department_rules_differ_where_documented(departments):
    w = departments
    # A township office assigns within its township, but presses and invites the county and city too.
    assert w.D not in J.departments_for_assignment(w.office_t1)
    assert w.D.pk in {d.pk for d in J.departments_for_supervision(w.office_t1)}
    assert w.D in J.departments_for_visit(w.office_t1)
    # A department user presses only its own department, but may be joined on a visit by those
    # above and below its area.
    assert {d.pk for d in J.departments_for_supervision(w.dept)} == {w.D.pk}
    assert w.DC in J.departments_for_visit(w.dept)
    # Station staff assign nowhere.
    assert not J.departments_for_assignment(w.staff).exists()
    assert J.departments_for_visit(w.staff).exists()
