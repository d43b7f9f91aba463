"""SMS backends. `settings.LIAISON_SMS_BACKEND` names the one in use.

A backend has `send(*, phone, text) -> reference` and raises on failure (the
outbox retries with backoff). Providers differ (阿里云短信, 腾讯云短信, a
government SMS gateway); each is a small class here.
"""

import json
import urllib.request

from django.conf import settings


class OutboxSmsBackend:
    """Sends nothing: the text stays in the outbox, where administrators read it.

    The default, so the product runs without a provider; the outbox page shows
    every SMS that would have gone out, exactly once.
    """

    def send(self, *, phone: str, text: str) -> str:
        return "kept-in-outbox"


class HttpSmsBackend:
    """Posts JSON {phone, text, sign} with a bearer token to LIAISON_SMS_GATEWAY_URL.

    The gateway answers 2xx with an optional JSON {"id": ...}; anything else
    raises, so the outbox retries.
    """

    timeout = 10

    def send(self, *, phone: str, text: str) -> str:
        if not settings.LIAISON_SMS_GATEWAY_URL:
            raise RuntimeError("LIAISON_SMS_GATEWAY_URL is not set")
        payload = json.dumps({"phone": phone, "text": text, "sign": settings.LIAISON_SMS_SIGN_NAME}).encode()
        request = urllib.request.Request(
            settings.LIAISON_SMS_GATEWAY_URL,
            data=payload,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.LIAISON_SMS_GATEWAY_TOKEN}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            body = response.read(4096)
        try:
            return str(json.loads(body or b"{}").get("id", ""))
        except ValueError:
            return ""
