"""/open311/v2/: one URL per GeoReport resource, `.json` or `.xml`; anything else answers a JSON 404."""

from django.urls import path, re_path

from petitions.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns = [
    path("openapi.json", views.openapi, name="openapi"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/.]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<number>[^/.]+)" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/.]+)" + FMT, views.token, name="token"),
    re_path(r"^servicerequestupdates" + FMT, views.updates, name="updates"),
    re_path(r"^(?P<rest>[\s\S]*)$", views.not_found),  # any character, line breaks too
]
