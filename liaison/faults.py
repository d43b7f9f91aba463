"""The database is away (PostgreSQL restarting, a failover): answer 503, not 500 or 400.

During the outage every request that needs the database fails with
`OperationalError` or `InterfaceError`. Wherever that happens (in a view, a
context processor, a middleware, or the session save after the view), the
answer is the "nothing you saved is lost" page with status 503 and
Retry-After, rendered without the database and without a request context. A
5xx answer is never followed by a session write (SessionMiddleware skips it),
so no second error follows. Django reconnects on the next request
(`CONN_HEALTH_CHECKS`), so the site recovers by itself.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

log = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def is_outage(exc: BaseException | None) -> bool:
    """True if `exc`, or an exception it was raised while handling, means the database is unreachable."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OUTAGE_ERRORS):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def outage_response() -> HttpResponse:
    """The 503 page: no database, no session, no context processors (they read the database)."""
    response = HttpResponse(loader.get_template("503.html").render({}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turns a lost database in a view (or its template's context processors) into the 503 page.

    Failures outside the view (another middleware, the session save) reach the error
    handlers in `liaison/views/errors.py`, which answer the same page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            log.warning("database unavailable: %s %s answered 503 (%s)", request.method, request.path, exception)
            return outage_response()
        return None
