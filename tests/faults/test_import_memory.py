"""Large imports are refused before they are read: by the sheet's declared size, or (for a
sheet that declares none) by a streaming count that keeps nothing. Peak memory figures:
bench/import_memory.py."""

import io
import re
import time
import zipfile

import pytest
from django.conf import settings
from openpyxl import Workbook

from liaison.models import Job
from stations.models import Station
from stations.roster import STATION_ROSTER
from tests.stations.test_roster import labels, run_import, station_row

pytestmark = pytest.mark.django_db
TOO_MANY = "文件超过 300000 行，请拆分为多个文件。"


def declaring(rows_declared: int) -> bytes:
    """A real station roster of three rows whose sheet declares `rows_declared` rows below the header."""
    wb = Workbook()
    ws = wb.active
    for row in [labels(STATION_ROSTER), *(station_row(f"Z-{i}") for i in range(3))]:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    source, target = zipfile.ZipFile(io.BytesIO(out.getvalue())), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as patched:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(
                    rb'<dimension ref="[^"]+"', f'<dimension ref="A1:M{rows_declared + 1}"'.encode(), data
                )
                assert n == 1
            patched.writestr(item, data)
    return target.getvalue()


def undeclared(rows: int) -> bytes:
    """A generated file (openpyxl write-only) whose sheet declares no size."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(labels(STATION_ROSTER))
    for i in range(rows):
        ws.append(station_row(f"Y-{i}"))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_300001_declared_rows_are_refused_at_once(world, client_for, django_capture_on_commit_callbacks):
    assert settings.LIAISON_MAX_IMPORT_ROWS == 300_000
    started = time.monotonic()
    job = run_import(
        client_for(world.office), "stations:station_import", declaring(300_001), django_capture_on_commit_callbacks
    )
    elapsed = time.monotonic() - started
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message == TOO_MANY
    assert job.progress_total == 0  # refused before the progress bar was even sized: no row read
    assert not Station.objects.filter(code__startswith="Z-").exists()
    assert elapsed < 5, f"{elapsed:.1f}s"
    # Exactly at the limit the same file is read (and its three real rows imported).
    job = run_import(
        client_for(world.office), "stations:station_import", declaring(300_000), django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert Station.objects.filter(code__startswith="Z-").count() == 3


def test_a_sheet_declaring_no_size_is_counted_first(world, client_for, settings, django_capture_on_commit_callbacks):
    settings.LIAISON_MAX_IMPORT_ROWS = 50
    job = run_import(
        client_for(world.office), "stations:station_import", undeclared(51), django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "50" in job.message
    assert job.progress_total == 0
    job = run_import(
        client_for(world.office), "stations:station_import", undeclared(50), django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert Station.objects.filter(code__startswith="Y-").count() == 50


def test_workers_are_recycled_by_tasks_and_by_memory():
    from liaison.celery import app

    assert app.conf.worker_max_tasks_per_child == settings.CELERY_WORKER_MAX_TASKS_PER_CHILD > 0
    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD > 0
