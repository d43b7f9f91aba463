"""The web kernel: capability checks in their order, private responses, and `next` that stays on the site."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.views.generic import DetailView, TemplateView

from liaison.models import Role
from liaison.web import PermissionMixin, is_local_url, no_store, require_perm, safe_next
from stations.models import Station
from tests.factories import UserFactory

VIEW_STATION = "stations.view_station"


@pytest.fixture
def rf():
    return RequestFactory()


def test_require_perm_passes_a_holder_and_refuses_everyone_else(world):
    require_perm(world.office, VIEW_STATION)
    with pytest.raises(PermissionDenied):
        require_perm(world.dept, "stations.change_station")
    with pytest.raises(PermissionDenied):
        require_perm(AnonymousUser(), VIEW_STATION)


class _Page(PermissionMixin, TemplateView):
    permission = VIEW_STATION
    nav_active = "stations"

    def render_to_response(self, context, **kwargs):
        return HttpResponse(context["nav_active"])


class _Detail(PermissionMixin, DetailView):
    permission = "stations.change_station"

    def get_queryset(self):
        return Station.objects.visible_to(self.request.user)

    def render_to_response(self, context, **kwargs):
        return HttpResponse(self.object.code)


def _as(rf, user, path="/page/"):
    request = rf.get(path)
    request.user = user
    return request


def test_a_list_page_asks_a_visitor_to_sign_in_then_checks_the_capability(world, rf):
    visitor = _Page.as_view()(_as(rf, AnonymousUser()))
    assert visitor.status_code == 302 and "/page/" in visitor["Location"]
    assert _Page.as_view()(_as(rf, world.office)).content == b"stations"
    nobody = UserFactory(username="no_role", role=Role.ADMIN)  # neither superuser nor in a group
    with pytest.raises(PermissionDenied):
        _Page.as_view()(_as(rf, nobody))


def test_an_object_outside_the_scope_is_404_before_the_capability_is_asked(world, rf):
    view = _Detail.as_view()
    with pytest.raises(Http404):  # S-3 is in the other district: not found, permitted or not
        view(_as(rf, world.office), pk=world.S3.pk)
    assert view(_as(rf, world.office), pk=world.S1.pk).content == b"S-1"
    with pytest.raises(PermissionDenied):  # R-1's account sees S-1, which R-1 heads, but may not change it
        view(_as(rf, world.rep), pk=world.S1.pk)


def test_no_store_marks_the_response_private_and_returns_it():
    response = HttpResponse("x")
    response["Cache-Control"] = "public, max-age=600"
    assert no_store(response) is response
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("data", "secure", "expected"),
    [
        ({"next": "/petitions/7/"}, False, "/petitions/7/"),
        ({"next": "https://evil.example/"}, False, "/fallback/"),
        ({"next": "//evil.example/x"}, False, "/fallback/"),
        ({"next": "javascript:alert(1)"}, False, "/fallback/"),
        ({"next": "http://testserver/petitions/"}, False, "http://testserver/petitions/"),
        ({"next": "http://testserver/petitions/"}, True, "/fallback/"),  # no downgrade from https
        ({}, False, "/fallback/"),
    ],
)
def test_safe_next_follows_only_local_addresses(rf, data, secure, expected):
    request = rf.post("/act/", data, secure=secure)
    assert safe_next(request, "/fallback/") == expected


def test_safe_next_reads_the_form_first_then_the_query_string(rf):
    assert safe_next(rf.post("/act/?next=/from-query/", {"next": "/from-form/"}), "/") == "/from-form/"
    assert safe_next(rf.post("/act/?next=/from-query/"), "/") == "/from-query/"
    assert safe_next(rf.get("/edit/", {"next": "/back/"}), "/") == "/back/"


def test_is_local_url_refuses_empty_and_foreign_addresses(rf):
    request = rf.get("/")
    assert is_local_url(request, "/inbox/") and not is_local_url(request, "")
    assert not is_local_url(request, "https://example.org/")
