"""The role × level matrix: for each page that lists, opens or acts on an item, what the owning
office, an office above, a sibling office and an office below get.

- the owning (handling) office: acts (200 on the move pages, the item in its triage list);
- an office above: reads (200 on the item page, the item in its ledger), supervises and presses
  for progress (200), but every routing, editing and closing page answers 403 and a POST writes
  nothing;
- a sibling office (another district, another township) and an office below: 404, the item is
  in none of their lists.

Two items: one of a district-level station (延庆区's, owner 延庆区) and one of a township station
(西关村, owner 延庆镇). Five offices: 北京市 (city), 延庆区, 朝阳区, 延庆镇, 康庄镇.
"""

import pytest
from django.urls import reverse

from liaison.models import Jurisdiction, OutboxMessage, Role
from petitions.handling import services as handling
from petitions.models import Petition, PetitionEvent
from tests.factories import DepartmentFactory, JurisdictionFactory, StationFactory, UserFactory, make_petition

L = Jurisdiction.Level
OWNER, ABOVE, SIBLING, BELOW = "owner", "above", "sibling", "below"

# Who each office is to each item.
RELATION = {
    "district": {"city": ABOVE, "office": OWNER, "office_k2": SIBLING, "office_t1": BELOW, "office_t2": BELOW},
    "township": {"city": ABOVE, "office": ABOVE, "office_k2": SIBLING, "office_t1": OWNER, "office_t2": SIBLING},
}

# Page → the answer for each relation, for an item waiting to be routed ("new") or in hand.
ACT, READ, NOT_FOUND, REFUSED = 200, 200, 404, 403
PAGES = {
    # (url name, args after the item, item state): {relation: status}
    ("petitions:detail", (), "new"): {OWNER: READ, ABOVE: READ, SIBLING: NOT_FOUND, BELOW: NOT_FOUND},
    ("petitions:receipt", (), "new"): {OWNER: READ, ABOVE: READ, SIBLING: NOT_FOUND, BELOW: NOT_FOUND},
    ("petitions:update", (), "new"): {OWNER: ACT, ABOVE: REFUSED, SIBLING: NOT_FOUND, BELOW: NOT_FOUND},
    ("petitions:act", ("triage",), "new"): {OWNER: ACT, ABOVE: REFUSED, SIBLING: NOT_FOUND, BELOW: NOT_FOUND},
    ("petitions:act", ("assign",), "new"): {OWNER: ACT, ABOVE: REFUSED, SIBLING: NOT_FOUND, BELOW: NOT_FOUND},
    ("petitions:act", ("consult",), "new"): {OWNER: ACT, ABOVE: REFUSED, SIBLING: NOT_FOUND, BELOW: NOT_FOUND},
    ("petitions:act", ("cannot_handle",), "new"): {OWNER: ACT, ABOVE: REFUSED, SIBLING: NOT_FOUND, BELOW: NOT_FOUND},
    ("petitions:act", ("suspend",), "in_hand"): {OWNER: ACT, ABOVE: REFUSED, SIBLING: NOT_FOUND, BELOW: NOT_FOUND},
    ("petitions:act", ("urge",), "in_hand"): {OWNER: ACT, ABOVE: ACT, SIBLING: NOT_FOUND, BELOW: NOT_FOUND},
    ("petitions:act", ("close",), "rated"): {OWNER: ACT, ABOVE: REFUSED, SIBLING: NOT_FOUND, BELOW: NOT_FOUND},
    ("petitions:act", ("feed_back",), "answered"): {
        OWNER: ACT,
        ABOVE: REFUSED,
        SIBLING: NOT_FOUND,
        BELOW: NOT_FOUND,
    },
    ("petitions:letter", (), "answered"): {OWNER: READ, ABOVE: READ, SIBLING: NOT_FOUND, BELOW: NOT_FOUND},
}
# The escalation page: the owner escalates (an office above exists for both items); the city,
# above everything, has nowhere to escalate to, and an office above the owner may not.
ESCALATE = {OWNER: ACT, ABOVE: REFUSED, SIBLING: NOT_FOUND, BELOW: NOT_FOUND}

# Lists: is the item in it?
LISTS = {
    "petitions:ledger": {OWNER: True, ABOVE: True, SIBLING: False, BELOW: False},
    "petitions:triage": {OWNER: True, ABOVE: False, SIBLING: False, BELOW: False},
}


@pytest.fixture
def levels(world):
    w = world
    w.city = UserFactory(username="office_city", role=Role.COMMITTEE_OFFICE, jurisdiction=w.j.P)
    w.office_t2 = UserFactory(username="office_t2", role=Role.COMMITTEE_OFFICE, jurisdiction=w.j.T2)
    w.SK = StationFactory(code="S-K", name="延庆区人大代表之家", kind="home", jurisdiction=w.j.K)
    c1b = JurisdictionFactory(code="110119100202", name="西关村", level=L.COMMUNITY, parent=w.j.T1)
    w.ST = StationFactory(code="S-T1", name="西关村联络站", kind="station", jurisdiction=c1b, parent=w.H1)
    # The township's own office (a department of the township level), answered by `dept` too.
    w.DT1 = DepartmentFactory(name="延庆镇人民政府", jurisdiction=w.j.T1)
    w.DT1.members.add(w.dept)
    return w


def _item(w, where, state):
    station = w.SK if where == "district" else w.ST
    owner = w.office if where == "district" else w.office_t1
    p = make_petition(station=station, actor=w.staff if where == "district" else None, content=f"{where} {state} 事项")
    if state == "new":
        return p
    handling.petition_assign(actor=owner, petition=p, department=w.D if where == "district" else w.DT1)
    handling.petition_accept(actor=w.dept, petition=p)
    if state == "in_hand":
        return p
    handling.petition_reply(actor=w.dept, petition=p, outcome="A", text="已办结。")
    if state == "answered":
        return p
    handling.petition_feed_back(actor=owner, petition=p, method="phone", text="已电话告知。")
    handling.petition_rate(actor=owner, petition=p, satisfaction="satisfied", for_resident=True)
    return p


def _cases():
    for where, relations in RELATION.items():
        for office, relation in relations.items():
            yield pytest.param(where, office, relation, id=f"{where}-{office}-{relation}")


@pytest.mark.parametrize(("where", "office", "relation"), list(_cases()))
def test_each_office_gets_what_its_level_allows(levels, client_for, where, office, relation):
    w = levels
    user = getattr(w, office)
    client = client_for(user)
    items = {state: _item(w, where, state) for state in ("new", "in_hand", "answered", "rated")}
    for (name, args, state), expected in PAGES.items():
        p = items[state]
        response = client.get(reverse(name, args=[p.pk, *args]))
        assert response.status_code == expected[relation], (name, args, state, response.status_code)
    escalate = client.get(reverse("petitions:act", args=[items["new"].pk, "escalate"]))
    assert escalate.status_code == ESCALATE[relation]
    for name, expected in LISTS.items():
        html = client.get(reverse(name)).content.decode()
        assert (items["new"].tracking_number in html) is expected[relation], name
    # A POST that routes the item: the owner's goes through; anyone else's is refused and writes nothing.
    p = items["new"]
    events_before = PetitionEvent.objects.filter(petition=p).count()
    outbox_before = OutboxMessage.objects.count()
    response = client.post(
        reverse("petitions:act", args=[p.pk, "consult"]), {"version": p.version, "text": "经了解，答复如下。"}
    )
    p.refresh_from_db()
    if relation == OWNER:
        assert response.status_code == 302 and p.status == "consulted"
    else:
        assert response.status_code == {ABOVE: 403, SIBLING: 404, BELOW: 404}[relation]
        assert p.status == "registered"
        assert PetitionEvent.objects.filter(petition=p).count() == events_before
        assert OutboxMessage.objects.count() == outbox_before


def test_the_matrix_covers_every_relation():
    seen = {relation for relations in RELATION.values() for relation in relations.values()}
    assert seen == {OWNER, ABOVE, SIBLING, BELOW}
    assert all(set(expected) == seen for expected in (*PAGES.values(), ESCALATE, *LISTS.values()))


def test_an_escalated_item_moves_between_the_lists(levels, client_for):
    """After escalation the office above acts and the owner reads; sent back, the other way round."""
    w = levels
    p = _item(w, "township", "new")
    handling.petition_escalate(actor=w.office_t1, petition=p, office=w.OK, reason="需区级协调")
    assign = reverse("petitions:act", args=[p.pk, "assign"])
    assert client_for(w.office).get(assign).status_code == 200
    assert client_for(w.office_t1).get(assign).status_code == 403
    assert client_for(w.office_t1).get(reverse("petitions:detail", args=[p.pk])).status_code == 200
    assert p.tracking_number in client_for(w.office).get(reverse("petitions:triage")).content.decode()
    assert p.tracking_number not in client_for(w.office_t1).get(reverse("petitions:triage")).content.decode()
    send_down = reverse("petitions:act", args=[p.pk, "send_down"])
    assert client_for(w.office).get(send_down).status_code == 200
    response = client_for(w.office).post(
        send_down, {"version": Petition.objects.get(pk=p.pk).version, "explanation": "请镇里办理。"}
    )
    assert response.status_code == 302
    assert client_for(w.office_t1).get(assign).status_code == 200
    assert client_for(w.office).get(assign).status_code == 403
