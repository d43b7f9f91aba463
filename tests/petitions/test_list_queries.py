"""Lists read a constant number of queries whatever the number of rows (issue 16: the department
desk read each row's category parent, 313 queries for a page). Each list is counted at two sizes
in the same test; the counts must be equal."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from petitions.handling import services as handling
from petitions.models import Category
from tests.factories import make_petition


def _items(world, n, category):
    items = []
    for i in range(n):
        p = make_petition(station=world.S1, actor=world.staff, content=f"东关村第{i}处路灯损坏", category=category)
        handling.petition_assign(actor=world.office, petition=p, department=world.D)
        items.append(p)
    return items


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_department_desk_and_the_triage_list_count_the_same_queries_for_few_rows_or_many(world, client_for):
    child = Category.objects.filter(parent__isnull=False).select_related("parent").order_by("pk").first()
    dept, office = client_for(world.dept), client_for(world.office)
    desk, triage = reverse("petitions:department"), reverse("petitions:triage")
    _items(world, 2, child)
    make_petition(station=world.S1, actor=world.staff, content="待分办一", category=child)
    few = (_count(dept, desk), _count(office, triage))
    _items(world, 25, child)
    for i in range(25):
        make_petition(station=world.S1, actor=world.staff, content=f"待分办{i}", category=child)
    many = (_count(dept, desk), _count(office, triage))
    assert many == few, f"desk, triage: {few} queries with 2 rows, {many} with 27"
    # The rows are there, with their category and its parent.
    assert f"{child.parent.name} › {child.name}" in dept.get(desk).content.decode()
