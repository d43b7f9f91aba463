"""Fuzz the Open311 API with schemathesis against its own published OpenAPI document.

Every operation, with and without a valid key: no answer is a server error, and every
answer conforms to the document (status code documented, content type, JSON body schema;
XML bodies must parse). Bounded: a fixed number of examples per operation, no shrinking,
no deadline, the whole run a few seconds on two cores.
"""

import json
import os
from pathlib import Path

import pytest
import schemathesis
from defusedxml import ElementTree as ET
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from petitions.models import ApiClient, Category, Petition

DOCUMENT = Path(__file__).parents[2] / "petitions" / "open311" / "openapi.json"
# Per operation and key mode: about 200 calls in all; OPEN311_FUZZ_EXAMPLES=500 digs deeper by hand.
EXAMPLES = int(os.environ.get("OPEN311_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schemathesis.deserializer("text/xml")
def _xml(ctx, response):
    # The document describes XML bodies as XML text carrying the JSON records: it must parse.
    ET.fromstring(response.content)
    return response.content.decode("utf-8")


@pytest.fixture
def app():
    """Django's WSGI application, kept on the test's connection (as Django's test client does)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(ledger, world):
    # The document's example of a new request names a service: make sure it is one.
    code = json.loads(DOCUMENT.read_text())["components"]["schemas"]["NewRequest"]["example"]["service_code"]
    if not Category.objects.filter(pk=int(code)).update(is_active=True):
        Category.objects.create(pk=int(code), name="fuzz")
    client = ApiClient(name="fuzz", jurisdiction=world.j.K, default_station=world.S1)
    raw = client.set_new_key()
    client.save()
    return raw


def operations():
    schema = schemathesis.openapi.from_dict(json.loads(DOCUMENT.read_text()))
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("keyed", [True, False], ids=["with-key", "without-key"])
@pytest.mark.parametrize("operation", operations(), ids=lambda op: f"{op.method.upper()} {op.path}")
def test_fuzz_open311(operation, keyed, api_key, app):

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(case=operation.as_strategy())
    def run(case):
        if keyed:
            case.query = {**(case.query or {}), "api_key": api_key}
            if isinstance(case.body, dict):
                case.body.pop("api_key", None)
        case.call_and_validate(app=app, checks=CHECKS)

    before = Petition.objects.count()
    run()
    if keyed and operation.method == "post":
        # The document's example files a real item: the success path is fuzzed too, not only the refusals.
        assert Petition.objects.count() > before
