"""Image bombs: a picture whose header claims too many pixels is refused before it is decoded,
on every path that takes an image (desk files, QR form, station documents, event photos,
station and representative photos), with a message that says why."""

import io
import json
import os
import struct
import subprocess
import sys
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from liaison import uploads
from petitions.models import PetitionAttachment, StagedUpload
from stations.models import EventPhoto, ReceptionEvent, StationDocument
from stations.network.forms import RepresentativeProfileForm
from tests.factories import make_petition
from tests.security.images import bomb_jpeg_header, bomb_png

pytestmark = pytest.mark.django_db

REFUSED = "图片像素过多"  # the start of the message in Chinese


def bomb(name="bomb.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, bomb_png(), content_type="image/png")


def png(size) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "PNG")
    return SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")


def test_the_bomb_is_small_and_claims_144_million_pixels():
    data = bomb_png()
    assert 17_000 < len(data) < 18_000  # the 17.5 KB of the issue
    assert struct.unpack(">II", data[16:24]) == (12000, 12000)
    # Pillow itself now refuses it on open (twice the cap) instead of only warning.
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(data))


@pytest.mark.parametrize("make", [bomb_png, bomb_jpeg_header], ids=["png", "jpeg"])
def test_clean_image_refuses_a_bomb_with_a_message_that_says_why(make):
    with pytest.raises(ValidationError) as refused:
        uploads.clean_image(SimpleUploadedFile("x", make()))
    assert REFUSED in refused.value.messages[0] and "50" in refused.value.messages[0]


def test_the_cap_is_a_setting_and_counts_pixels_not_sides(settings):
    settings.LIAISON_MAX_IMAGE_PIXELS = 32 * 24
    assert uploads.clean_image(png((32, 24))).size > 0
    assert uploads.clean_image(png((24, 32))).size > 0
    with pytest.raises(ValidationError, match=REFUSED):
        uploads.clean_image(png((33, 24)))
    with pytest.raises(ValidationError, match=REFUSED):  # through the document check too
        uploads.clean_document(png((33, 24)))


def test_pillows_own_guard_is_the_cap():
    assert Image.MAX_IMAGE_PIXELS == django_settings.LIAISON_MAX_IMAGE_PIXELS == 50_000_000


def test_the_qr_form_refuses_a_bomb(client, world):
    cache.clear()
    url = reverse("public:station_petition", args=[world.S1.public_code])
    response = client.post(
        url,
        {"content": "村东头路灯坏了", "phone": "13812345678", "website": "", "photos": [bomb()]},
    )
    assert response.status_code == 200 and REFUSED in response.content.decode()  # the form again, with the message
    assert not StagedUpload.objects.exists()
    cache.clear()


def test_desk_attachments_refuse_a_bomb(world, client_for):
    petition = make_petition(station=world.S1)
    response = client_for(world.staff).post(
        reverse("petitions:attachment_add", args=[petition.pk]), {"files": [bomb()]}, follow=True
    )
    assert any(REFUSED in str(m) for m in response.context["messages"])
    assert not PetitionAttachment.objects.exists() and not StagedUpload.objects.exists()


def test_station_documents_refuse_a_bomb(world, client_for):
    response = client_for(world.staff).post(
        reverse("stations:document_add", args=[world.S1.pk]),
        {"kind": "rules", "title": "工作制度", "year": "2026", "file": bomb()},
    )
    assert response.status_code == 400 and REFUSED in response.content.decode()
    assert not StationDocument.objects.exists()


def test_event_photos_refuse_a_bomb(world, client_for):
    event = ReceptionEvent.objects.create(
        station=world.S1,
        date=timezone.localdate() - timedelta(days=1),
        start_time=time(9),
        end_time=time(11),
        status=ReceptionEvent.Status.SCHEDULED,
        place="村委会",
    )
    response = client_for(world.staff).post(
        reverse("reception:photo_add", args=[event.pk]), {"photo": bomb(), "caption": "现场"}
    )
    assert response.status_code == 400 and REFUSED in response.content.decode()
    assert not EventPhoto.objects.exists()


def test_representative_and_station_photo_fields_refuse_a_bomb(world):
    form = RepresentativeProfileForm(
        data={"public_phone": "", "private_phone": "", "bio": ""},
        files={"photo": bomb()},
        instance=world.R1,
        user=world.rep,
    )
    assert not form.is_valid() and REFUSED in form.errors["photo"][0]
    with pytest.raises(ValidationError, match=REFUSED):  # Pillow's own error, twice the cap, says why as well
        uploads.ImageField().clean(SimpleUploadedFile("x.png", bomb_png(12000, 12000)))


RSS_PROBE = """
import json, os, resource, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings.test"
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from liaison.uploads import clean_image
from tests.security.images import bomb_png
data = bomb_png()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    clean_image(SimpleUploadedFile("bomb.png", data))
    outcome = "accepted"
except ValidationError as error:
    outcome = error.messages[0]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kb": before, "after_kb": after, "outcome": outcome}))
"""


def run_rss_probe(**env) -> dict:
    root = Path(django_settings.BASE_DIR)
    result = subprocess.run(
        [sys.executable, "-c", RSS_PROBE],
        cwd=root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_refusing_the_bomb_does_not_raise_the_peak_memory():
    """In a fresh process: the peak resident size before and after refusing the 12000² PNG.

    Decoding it (what happened before) takes the peak up by some 600 MB; bench/image_bomb.py
    shows both.
    """
    probe = run_rss_probe()
    assert probe["outcome"] != "accepted"
    grown_mb = (probe["after_kb"] - probe["before_kb"]) / 1024
    assert grown_mb < 16, probe
