"""SMS backends. `settings.LIAISON_SMS_BACKEND` names the one in use.

A backend has `send(*, phone, text, key) -> reference` and raises on failure (the
outbox retries with backoff). `text` is the message as the phone shows it, beginning with
the signature of the office it comes from (【延庆区人大常委会】, signed by `liaison.outbox.outbox_rows`
from `liaison.office_settings`); `signature_of(text)` reads it back for a provider that takes
the signature apart. `key` is the outbox key: the same for every attempt
at one message, so a backend passes it as the provider's idempotency key (阿里云
`OutId`, 腾讯云 `SessionContext`, a gateway's `Idempotency-Key`) and a re-send
after a lost answer or a killed worker is not sent twice. Providers differ (阿里云短信, 腾讯云短信, a
government SMS gateway); each is a small class here.
"""

import json
import urllib.request

from django.conf import settings


def signature_of(text: str) -> str:
    """The signature a signed text begins with, without its brackets (`LIAISON_SMS_SIGN_NAME`
    for a text without one)."""
    if text.startswith("【") and (end := text.find("】")) > 1:
        return text[1:end]
    return settings.LIAISON_SMS_SIGN_NAME


class OutboxSmsBackend:
    """Sends nothing: the text stays in the outbox, where administrators read it.

    The default, so the product runs without a provider; the outbox page shows
    every SMS that would have gone out, exactly once.
    """

    def send(self, *, phone: str, text: str, key: str = "") -> str:
        return "kept-in-outbox"


class HttpSmsBackend:
    """Posts JSON {phone, text, sign, out_id} with a bearer token to LIAISON_SMS_GATEWAY_URL:
    `text` whole, as the phone shows it; `sign` its signature (`signature_of`), for a gateway that
    checks it against the signatures registered with the carriers.

    The gateway answers 2xx with an optional JSON {"id": ...}; anything else
    raises, so the outbox retries.
    """

    def send(self, *, phone: str, text: str, key: str = "") -> str:
        if not settings.LIAISON_SMS_GATEWAY_URL:
            raise RuntimeError("LIAISON_SMS_GATEWAY_URL is not set")
        payload = json.dumps({"phone": phone, "text": text, "sign": signature_of(text), "out_id": key}).encode()
        request = urllib.request.Request(
            settings.LIAISON_SMS_GATEWAY_URL,
            data=payload,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.LIAISON_SMS_GATEWAY_TOKEN}",
                **({"Idempotency-Key": key} if key else {}),
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=settings.LIAISON_SMS_TIMEOUT_SECONDS) as response:
            body = response.read(4096)
        try:
            return str(json.loads(body or b"{}").get("id", ""))
        except ValueError:
            return ""
