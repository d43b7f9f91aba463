"""Stored uploads are served safely: images inline only when their bytes are that image,
everything else (PDFs included, a PDF that is also an HTML page above all) as a download
with a safe content type and nosniff."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from petitions.models import PetitionAttachment
from stations.models import StationDocument

pytestmark = pytest.mark.django_db

# Starts as a PDF (so the upload check takes it), carries a page a browser would run if it
# ever rendered the file itself.
POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"
JPEG_HEAD = b"\xff\xd8\xff\xe0" + bytes(60)


def attach(petition, name, content_type, content):
    item = PetitionAttachment(petition=petition, original_name=name, content_type=content_type, size=len(content))
    item.file.save("f.bin", ContentFile(content), save=True)
    return item


def fetch(client, item):
    response = client.get(reverse("petitions:attachment", args=[item.petition_id, item.pk]))
    assert response.status_code == 200
    return response


def test_a_pdf_polyglot_uploaded_at_the_desk_is_a_download(world, ledger, client_for):
    staff = client_for(world.staff)
    upload = SimpleUploadedFile("说明.pdf", POLYGLOT, content_type="application/pdf")
    staff.post(reverse("petitions:attachment_add", args=[ledger.a.pk]), {"files": [upload]})
    item = ledger.a.attachments.get()
    response = fetch(staff, item)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "stored_type, content, inline, served_type",
    [
        ("image/jpeg", JPEG_HEAD, True, "image/jpeg"),  # a real image: shown in the page
        ("image/jpeg", POLYGLOT, False, "image/jpeg"),  # says image, is not: downloaded
        ("image/png", JPEG_HEAD, False, "image/png"),  # the wrong image type: downloaded
        ("application/pdf", POLYGLOT, False, "application/pdf"),
        ("text/html", b"<script>alert(1)</script>", False, "application/octet-stream"),
        ("image/svg+xml", b"<svg onload=alert(1)>", False, "application/octet-stream"),
    ],
)
def test_only_real_images_are_inline(world, ledger, client_for, stored_type, content, inline, served_type):
    item = attach(ledger.a, "x", stored_type, content)
    response = fetch(client_for(world.staff), item)
    assert response["Content-Disposition"].startswith("inline" if inline else "attachment")
    assert response["Content-Type"] == served_type
    assert response["X-Content-Type-Options"] == "nosniff"


def test_station_documents_are_downloads_with_a_safe_type(world, client_for):
    client = client_for(world.staff)
    document = StationDocument(
        station=world.S1, kind="rules", title="t", content_type="text/html", original_name="a", size=25
    )
    document.file.save("a.html", ContentFile(b"<script>alert(1)</script>"), save=True)
    response = client.get(reverse("stations:document_download", args=[document.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
