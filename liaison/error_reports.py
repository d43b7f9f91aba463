"""Error reports (mail to ADMINS, the debug page) never carry what a user typed (PIPL).

Named in settings (`DEFAULT_EXCEPTION_REPORTER`, `DEFAULT_EXCEPTION_REPORTER_FILTER`); the
logging set-up imports the reporter before the apps are loaded, so this module imports
nothing of the project.
"""

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

__all__ = ["PrivateExceptionReporter", "PrivateExceptionReporterFilter"]


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (mail to ADMINS, the debug page) never carry what a user typed.

    Every POST value is replaced, whatever the view declares with
    `sensitive_post_parameters`, and so is the query string (a phone typed into
    a search box). The path, the user and the traceback stay.
    """

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        for key in ("QUERY_STRING", "RAW_URI", "REQUEST_URI", "HTTP_REFERER"):
            if meta.get(key):
                meta[key] = self.cleansed_substitute
        return meta


class PrivateExceptionReporter(ExceptionReporter):
    """The error report with the query string's values and the request URL's query replaced (see the filter)."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None:
            hidden = self.filter.cleansed_substitute
            data["request_GET_items"] = [(key, hidden) for key in self.request.GET]
            data["request_insecure_uri"] = str(data.get("request_insecure_uri", "")).split("?", 1)[0]
        return data
