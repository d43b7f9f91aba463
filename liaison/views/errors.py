"""Friendly error pages: never a stack trace, always a way back."""

import sys

from django.http import Http404, HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from liaison.faults import is_outage, outage_response


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    # A session save that failed because the database went away is an outage, not a bad request.
    if is_outage(exception):
        return outage_response()
    # No request context: liaison.middleware answers before authentication has run.
    return HttpResponseBadRequest(loader.get_template("400.html").render({}))


def server_error(request):
    # Called while the exception is handled: a lost database (in a middleware, outside the
    # view) answers the outage page instead.
    if is_outage(sys.exception()):
        return outage_response()
    # No request context: the failure may be in a context processor itself.
    return HttpResponseServerError(loader.get_template("500.html").render({}))


def preview(request, code):
    """DEBUG only: look at an error page without causing the error."""
    pages = {
        400: bad_request,
        403: permission_denied,
        404: page_not_found,
        500: lambda r, e=None: server_error(r),
        503: lambda r, e=None: outage_response(),
    }
    if code not in pages:
        raise Http404
    return pages[code](request, None)
