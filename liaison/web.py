"""The web kernel every app's views share: capability checks, private responses, safe redirects.

Scope is not decided here: views fetch objects through the scoped querysets
(`visible_to(user)`), so an object outside the user's scope is 404 before any
of these checks runs. What is decided here is the order of the answers on a
signed-in page (sign-in redirect, then 403 for a missing capability), that a
page holding personal data is never kept by a browser or proxy cache, and
that a `next` address taken from a request never leads off the site.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase, StreamingHttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

__all__ = [
    "PermissionMixin",
    "PrivateResponseMiddleware",
    "is_local_url",
    "no_store",
    "require_perm",
    "safe_next",
]

NO_STORE = "private, no-store"


def require_perm(user: "AbstractBaseUser | AnonymousUser", perm: str) -> None:
    """Raise `PermissionDenied` (403) unless `user` holds the Django permission `perm`.

    Precondition: the caller has already made sure the user is signed in (or is
    content with a 403 for visitors) and, for one object, has fetched it through
    the scoped queryset, so that "outside the scope" stays a 404.
    """
    if not user.has_perm(perm):
        raise PermissionDenied


class PermissionMixin(LoginRequiredMixin):
    """Sign-in first (redirect), then the capability `permission` (403); `nav_active` to the template.

    Views of one object (a `pk` in the URL) check the capability only after
    fetching it through the scoped queryset in `get_object`, so an object
    outside the scope is 404 for everyone, permitted or not.
    """

    permission = ""
    nav_active = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and self.permission and not self.kwargs.get("pk"):
            require_perm(request.user, self.permission)
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset: Any = None) -> Any:
        obj = super().get_object(queryset)
        require_perm(self.request.user, self.permission)
        return obj

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["nav_active"] = self.nav_active
        return context


def no_store[R: HttpResponseBase](response: R) -> R:
    """Mark `response` as never to be stored by a browser or a shared cache, and return it.

    Side effect: replaces the response's `Cache-Control` header. Every page or
    file that shows residents' names, phones or petitions goes through this, so
    the back button on a shared office computer does not bring them back after
    sign-out.
    """
    response["Cache-Control"] = NO_STORE
    return response


def is_local_url(request: HttpRequest, url: str) -> bool:
    """Whether `url` stays on this site (relative, or this host; https when the request is).

    Used for every address that came from a request or from stored data before
    redirecting to it, so that no link can send a signed-in user elsewhere.
    """
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` address of the form (POST) or the query string (GET) when it is local, else `default`.

    Forms post `next` in their body; pages opened with `?next=` carry it in the
    query string until their form is sent, so both are read, the body first.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_local_url(request, target) else default


class PrivateResponseMiddleware:
    """Every response to a signed-in user, and every download, is `no_store` (static assets aside).

    The one rule behind "no page or file with personal data is kept by a browser
    or proxy": a view that forgets `no_store` is covered, and a new page needs
    nothing. Public pages for visitors keep their own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        user = getattr(request, "user", None)
        download = isinstance(response, StreamingHttpResponse) or response.has_header("Content-Disposition")
        if download or (user is not None and user.is_authenticated):
            no_store(response)
        return response
