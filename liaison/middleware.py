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
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

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


SIGNED_IN_AT = "liaison_signed_in_at"


def stamp_sign_in(sender, request=None, user=None, **kwargs) -> None:
    """user_logged_in: remember when the session began (connected in LiaisonConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


class SessionLifetimeMiddleware:
    """End a session `LIAISON_SESSION_MAX_SECONDS` (12 h) after sign-in, however busy it was.

    The idle timeout (SESSION_COOKIE_AGE, renewed on every request) ends a session
    nobody uses; this ends one somebody keeps using, e.g. a stolen cookie. A session
    from before this rule gets its stamp on its next request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            began = request.session.get(SIGNED_IN_AT)
            if began is None:
                request.session[SIGNED_IN_AT] = int(time.time())
            elif time.time() - began > settings.LIAISON_SESSION_MAX_SECONDS:
                logout(request)
                messages.info(request, _("You signed in more than 12 hours ago. For safety, please sign in again."))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
