"""Requests carrying control characters are answered 400 before any view sees them.

A NUL byte cannot be stored in PostgreSQL (psycopg refuses it), so `/track/%00/` or
`?q=%00` used to reach a query and answer 500; other control characters have no place
in an address either. The rule, once for every page:

- path and query string (names and values): no C0 control character (U+0000–U+001F)
  and no DEL;
- POST fields (names and values): no NUL. Line breaks, tabs, and the vertical tabs and
  form feeds that text pasted from Word carries stay allowed: residents paste letters.

Paths under `settings.LIAISON_OWN_INPUT_CHECK_PATHS` (the Open311 API) are left to
their own check, which answers in the API's error format (`petitions/open311/views.py`).
"""

import re

from django.conf import settings

from liaison.views.errors import bad_request

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def has_control_characters(value: str) -> bool:
    return bool(CONTROL.search(value))


def _query_is_clean(query) -> bool:
    return not any(
        has_control_characters(key) or any(has_control_characters(v) for v in values) for key, values in query.lists()
    )


def _post_is_clean(post) -> bool:
    return not any("\x00" in key or any("\x00" in v for v in values) for key, values in post.lists())


class ControlCharactersMiddleware:
    """Answer 400 to a request with control characters in its path, query or POST fields."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(tuple(settings.LIAISON_OWN_INPUT_CHECK_PATHS)):
            return self.get_response(request)
        if has_control_characters(request.path_info) or not _query_is_clean(request.GET):
            return bad_request(request)
        if request.method == "POST" and not _post_is_clean(request.POST):
            return bad_request(request)
        return self.get_response(request)
