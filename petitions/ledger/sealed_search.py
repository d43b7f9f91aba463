"""Personal data never travels in a URL: a ledger search for a phone or ID number is kept in
the session, and the address carries a token instead (`q=@k3J9xQ`).

A search box is a GET form, so what is typed lands in the address, the browser's history, a
proxy's log and the Referer of the next request. When the words hold a run of seven or more
digits (a mobile or landline number, an ID number), the ledger and its export answer with a
redirect to the same address with the words replaced by a token kept in this session; the
pages read the words back from the session (`unsealed`), so the filter form, its links, the
sort headers and the export all carry the token. A token from another session finds nothing.
"""

import re
import secrets

from django.http import HttpRequest, QueryDict

PREFIX = "@"
SESSION_KEY = "sealed_searches"
KEEP = 20  # the most recent searches a session keeps
_PERSONAL = re.compile(r"\d{7,}")
# An item's tracking number (`YYMM-XXXXXXXX`, petitions.ledger.models.new_tracking_number) is no one's
# personal data, though its digits may run on once the dash is dropped. Its year never starts with 0,
# so a landline with a four-digit area code (0755-86012345) is not taken for one.
_TRACKING = re.compile(r"\b[1-9]\d(?:0[1-9]|1[0-2])-[0-9A-Z]{8}\b", re.IGNORECASE)


def holds_personal_data(words: str) -> bool:
    """A run of seven or more digits once tracking numbers are set aside and spaces and dashes
    dropped (010-69181547, 138 1234 5678, an ID number)."""
    return bool(_PERSONAL.search(re.sub(r"[\s\-－]", "", _TRACKING.sub(" ", words))))


def seal(request: HttpRequest) -> str | None:
    """The address to redirect to when the search words hold personal data, else None."""
    words = request.GET.get("q", "")
    if not words or words.startswith(PREFIX) or not holds_personal_data(words):
        return None
    sealed = dict(request.session.get(SESSION_KEY, {}))
    token = next((t for t, w in sealed.items() if w == words), None) or secrets.token_urlsafe(6)
    sealed[token] = words
    request.session[SESSION_KEY] = dict(list(sealed.items())[-KEEP:])
    params = request.GET.copy()
    params["q"] = PREFIX + token
    params.pop("cursor", None)
    return f"{request.path}?{params.urlencode()}"


def unsealed(request: HttpRequest) -> QueryDict:
    """The query with the search words read back from the session (a token it does not know: no words)."""
    words = request.GET.get("q", "")
    if not words.startswith(PREFIX):
        return request.GET
    params = request.GET.copy()
    params["q"] = request.session.get(SESSION_KEY, {}).get(words[len(PREFIX) :], "")
    return params
