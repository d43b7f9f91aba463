"""No page or file with personal data is kept by a browser or proxy, no personal data lands in the
access log, and error reports never carry what a user typed."""

import logging
import runpy
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.log import AdminEmailHandler

from liaison.models import Job
from liaison.web import NO_STORE
from stations.models import StationDocument

PHONE = "13812345678"


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and "private" in response.get("Cache-Control", "")


def _plain_get_urls(resolver=None, prefix="", namespace=""):
    """Every named URL of the URL conf that takes no argument (admin aside)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _plain_get_urls(entry, prefix, ns)
        elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.regex.groups:
            yield f"{namespace}{entry.name}"


@pytest.fixture
def files(world, ledger, client_for):
    """A station document (uploaded by staff) and a finished export job of the office."""
    pdf = SimpleUploadedFile("名单.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    client_for(world.staff).post(
        reverse("stations:document_add", args=[world.S1.pk]),
        {"kind": "rules", "title": "名单", "year": "2026", "file": pdf},
    )
    job = Job.objects.create(owner=world.admin, kind="test.export", title="导出", status=Job.Status.SUCCEEDED)
    job.result_file.save("export.xlsx", ContentFile(f"{PHONE}".encode()))
    job.result_name = "export.xlsx"
    job.save()
    return {"document": StationDocument.objects.get(station=world.S1), "job": job}


def test_every_page_and_download_with_personal_data_is_no_store(world, ledger, files, client_for):
    admin = client_for(world.admin)
    urls = [
        reverse("job_download", args=[files["job"].pk]),
        reverse("job_detail", args=[files["job"].pk]),
        reverse("notices:outbox"),
        reverse("notices:inbox"),
        reverse("petitions:ledger"),
        reverse("petitions:export"),
        reverse("petitions:detail", args=[ledger.a.pk]),
        reverse("petitions:receipt", args=[ledger.a.pk]),
        reverse("stations:station_detail", args=[world.S1.pk]),
        reverse("stations:station_list"),
        reverse("stations:representative_detail", args=[world.R1.pk]),
        reverse("stations:representative_list"),
        reverse("stations:document_download", args=[files["document"].pk]),
        reverse("public:station", args=[world.S1.public_code]),  # a public page, to a signed-in user
    ]
    answered = {}
    for url in urls:
        response = admin.get(url)
        answered[url] = response.status_code
        assert response.status_code == 200, (url, response.status_code)
        assert response["Cache-Control"] == NO_STORE, (url, response.get("Cache-Control"))
    assert len(answered) == 14


def test_every_plain_url_is_no_store_for_a_signed_in_user(world, client_for):
    """Whatever a view does, a signed-in user's answer is never stored: every argument-free URL of the conf."""
    admin = client_for(world.admin)
    names = sorted(set(_plain_get_urls()))
    assert len(names) > 40
    for name in names:
        response = admin.get(reverse(name))
        assert _no_store(response), (name, response.status_code, response.get("Cache-Control"))


def test_downloads_are_no_store_even_without_sign_in(client, world):
    response = client.get(reverse("public:station_qr", args=[world.S1.public_code]))
    assert response.status_code == 200
    if response.has_header("Content-Disposition"):
        assert _no_store(response)
    # A public page for visitors keeps its own caching (nothing personal on it).
    page = client.get(reverse("public:station", args=[world.S1.public_code]))
    assert page.status_code == 200 and "no-store" not in page.get("Cache-Control", "")


def test_static_assets_stay_cacheable_for_signed_in_users(world):
    """WhiteNoise answers static files before the middleware in production; served otherwise, they keep their caching."""
    from django.http import FileResponse

    from liaison.web import PrivateResponseMiddleware

    def asset(request):
        response = FileResponse(ContentFile(b"body{}", name="liaison.css"), as_attachment=False)
        response["Cache-Control"] = "max-age=315360000, public, immutable"
        return response

    request = RequestFactory().get(django_settings.STATIC_URL + "css/liaison.css")
    request.user = world.admin
    response = PrivateResponseMiddleware(asset)(request)
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    request = RequestFactory().get("/jobs/1/download/")
    request.user = world.admin
    assert PrivateResponseMiddleware(asset)(request)["Cache-Control"] == NO_STORE


# -- access log --------------------------------------------------------------------------------


def _access_line(access_log_format: str) -> str:
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    class Response:
        status, sent, headers = "200 OK", 1234, [("Content-Type", "text/html")]

    cfg = Config()
    cfg.set("access_log_format", access_log_format)
    logger = Logger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/petitions/?q={PHONE}",
        "PATH_INFO": "/petitions/",
        "QUERY_STRING": f"q={PHONE}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.5",
        "HTTP_REFERER": f"https://liaison.example/petitions/?q={PHONE}",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    atoms = logger.atoms_wrapper_class(
        logger.atoms(Response(), [("X-FORWARDED-FOR", "203.0.113.9")], environ, timedelta(milliseconds=42))
    )
    return access_log_format % atoms


def test_the_access_log_has_the_path_without_the_query_string():
    conf = runpy.run_path(str(Path(django_settings.BASE_DIR) / "gunicorn.conf.py"))
    line = _access_line(conf["access_log_format"])
    assert '"GET /petitions/ HTTP/1.1" 200 1234 42ms' in line and "203.0.113.9" in line
    assert PHONE not in line
    # The format it replaced wrote the number (the request line carries the query string).
    assert PHONE in _access_line('%(h)s "%(r)s" %(s)s')


# -- error reports -----------------------------------------------------------------------------

# Form views whose POST carries personal data: (account, url name, args from the fixtures).
SENSITIVE_FORMS = [
    ("staff", "petitions:create", None),
    ("staff", "petitions:update", "a"),
    ("rep", "petitions:note_add", "a"),
    ("rep", "petitions:reply", "a"),
    ("office", "petitions:act", "a-triage"),
    ("staff", "stations:station_create", None),
    ("staff", "stations:station_update", "S1"),
    ("staff", "stations:representative_create", None),
    ("staff", "stations:representative_update", "R1"),
    ("rep", "stations:representative_profile", None),
    (None, "public:station_petition", "S1-public"),
    (None, "tracking:rate", "a-number"),
]


@pytest.mark.parametrize("account, name, arg", SENSITIVE_FORMS, ids=[n for _, n, _ in SENSITIVE_FORMS])
def test_form_views_with_personal_data_declare_every_post_parameter_sensitive(
    world, ledger, client, client_for, account, name, arg
):
    args = {
        None: [],
        "a": [ledger.a.pk],
        "a-triage": [ledger.a.pk, "triage"],
        "S1": [world.S1.pk],
        "R1": [world.R1.pk],
        "S1-public": [world.S1.public_code],
        "a-number": [ledger.a.tracking_number],
    }[arg]
    user_client = client_for(getattr(world, account)) if account else client
    response = user_client.post(reverse(name, args=args), {"petitioner_phone": PHONE, "private_phone": PHONE})
    assert response.status_code < 500, (name, response.status_code)
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__", name


def test_error_mail_never_carries_post_bodies_or_query_strings(settings):
    settings.ADMINS = ["ops@example.cn"]
    request = RequestFactory().post(
        f"/petitions/new/?q={PHONE}", {"petitioner_name": "张三", "petitioner_phone": PHONE, "content": "东关村三巷5号"}
    )
    request.user = None
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/p/",), None
        )
        import sys

        record.exc_info = sys.exc_info()
    record.request = request
    record.status_code = 500
    AdminEmailHandler().emit(record)
    [message] = mail.outbox
    assert "RuntimeError" in message.body and "petitioner_phone" in message.body  # the report is there...
    for secret in (PHONE, "张三", "东关村三巷5号"):
        assert secret not in message.body, secret  # ...without what was typed
