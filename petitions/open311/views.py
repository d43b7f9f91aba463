"""GeoReport v2 endpoints: check the key, parse, call a selector or the service, render.

Every answer is JSON or XML as the URL's extension asks, errors included
([{"code": 404, "description": …}] / <errors><error>…</error></errors>).
"""

import functools
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt

from liaison import ratelimit
from liaison.middleware import has_control_characters
from petitions.open311 import selectors
from petitions.open311.auth import api_client
from petitions.open311.render import FORMATS, ApiError, error, respond
from petitions.open311.services import open311_request_create, parse_request

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-06T00:00:00+08:00"  # the date this API last changed shape
OPENAPI_PATH = Path(__file__).with_name("openapi.json")
CONTROL_CHARACTERS = "arguments must not contain NUL or other control characters"


def endpoint(*methods):
    """Allowed methods, CSRF exemption (a key, not a cookie, authenticates), the spec's errors."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def inner(request, *args, fmt="json", **kwargs):
            fmt = fmt.lower()
            if _has_control_characters(request, kwargs):
                response = error(fmt if fmt in FORMATS else "json", 400, CONTROL_CHARACTERS)
            elif fmt not in FORMATS:
                response = error("json", 404, "format not supported: use json or xml")
            elif request.method not in methods:
                response = error(fmt, 405, f"method not allowed: use {' or '.join(methods)}")
                response["Allow"] = ", ".join(methods)
            else:
                try:
                    response = view(request, *args, fmt=fmt, **kwargs)
                except ApiError as exc:
                    response = error(fmt, exc.code, exc.description)
                    if exc.retry_after:
                        response["Retry-After"] = str(exc.retry_after)
            add_never_cache_headers(response)
            return response

        return inner

    return wrap


def _has_control_characters(request, kwargs) -> bool:
    """The rule of liaison.middleware, which leaves this API to answer in its own format:
    no control character in the path or query, no NUL in a POST field (the XML drops the others)."""
    values = [*kwargs.values(), *request.GET.keys(), *(v for vs in request.GET.lists() for v in vs[1])]
    if any(has_control_characters(str(v)) for v in values):
        return True
    if request.method == "POST":
        values = [*request.POST.keys(), *(v for vs in request.POST.lists() for v in vs[1])]
        return any("\x00" in str(v) for v in values)
    return False


@endpoint("GET")
def discovery(request, fmt):
    url = settings.SITE_URL + reverse("open311:discovery", kwargs={"fmt": fmt}).rsplit("/", 1)[0] + "/"
    return respond(
        fmt,
        {
            "changeset": CHANGESET,
            "contact": "The committee office of the people's congress that serves your area",
            "key_service": "Ask the committee office for an API key; its system administrator creates it",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": url,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
        root="discovery",
    )


@endpoint("GET")
def services(request, fmt):
    api_client(request, required=False)
    return respond(fmt, selectors.services(), root="services", item="service")


@endpoint("GET")
def service_definition(request, fmt, code):
    api_client(request, required=False)
    return respond(fmt, selectors.service_definition(selectors.find_service(code)), root="service_definition")


@endpoint("GET", "POST")
def service_requests(request, fmt):
    if request.method == "POST":
        client = api_client(request, required=True)
        submission = open311_request_create(client=client, values=parse_request(client, request.POST))
        record = {
            "service_request_id": submission.petition.tracking_number,
            "token": submission.token,
            "service_notice": "Registered; the committee office routes it within 2 working days",
            "account_id": submission.account_id or None,
        }
        return respond(fmt, [record], root="service_requests", item="request")
    # Listing needs a key: a list open to anyone would hand out every item's tracking number.
    client = api_client(request, required=True)
    filters = selectors.parse_filters(client, request.GET)
    return respond(fmt, selectors.find_requests(client, filters), root="service_requests", item="request")


def _keyless_lookup(request) -> None:
    """A lookup without a key counts against the address's budget of the public tracking page
    (`LIAISON_RATE_TRACK_IP`, the same counter): numbers and tokens cannot be guessed through here."""
    rate = settings.LIAISON_RATE_TRACK_IP
    if not ratelimit.allow(f"track:ip:{ratelimit.client_ip(request)}", rate):
        raise ApiError(
            429, "too many lookups without an api_key; try again later", retry_after=ratelimit.retry_after(rate)
        )


@endpoint("GET")
def request_detail(request, fmt, number):
    client = api_client(request, required=False)
    if client is None:
        _keyless_lookup(request)
    return respond(fmt, [selectors.find_request(client, number)], root="service_requests", item="request")


@endpoint("GET")
def token(request, fmt, token):
    client = api_client(request, required=False)
    if client is None:
        _keyless_lookup(request)
    return respond(fmt, [selectors.find_token(client, token)], root="service_requests", item="request")


@endpoint("GET")
def updates(request, fmt):
    client = api_client(request, required=True)
    filters = selectors.parse_filters(client, request.GET)
    return respond(fmt, selectors.find_updates(client, filters), root="service_requests_updates", item="request_update")


@csrf_exempt
def not_found(request, rest=""):
    """Anything else under /open311/v2/, whatever the method: the spec's 404, in XML when asked for."""
    fmt = "xml" if rest.lower().endswith(".xml") else "json"
    if _has_control_characters(request, {"rest": rest}):
        return error(fmt, 400, CONTROL_CHARACTERS)
    return error(fmt, 404, "no such resource")


def openapi(request):
    if _has_control_characters(request, {}):
        return error("json", 400, CONTROL_CHARACTERS)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return FileResponse(OPENAPI_PATH.open("rb"), content_type="application/json")
