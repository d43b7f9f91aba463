"""No petition leaks through the Excel export or the public tracking page (the rest of the
scope tests, and the fixtures and helpers used here, are in test_scope.py)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from petitions.ledger.privacy import Access, access, mask_name, mask_phone
from tests.petitions.test_scope import (  # noqa: F401  (scoped is a fixture)
    ACCOUNTS,
    ITEMS,
    NAMES,
    PHONES,
    SEES,
    TRACKING,
    WORDS,
    assert_petitioners,
    export_numbers,
    export_sheet,
    html,
    item,
    numbers,
    numbers_in,
    scoped,
)

pytestmark = pytest.mark.django_db

# -- the Excel export --------------------------------------------------------------------------


@pytest.mark.parametrize("account", ACCOUNTS)
def test_export_holds_exactly_the_scope_masked(scoped, world, client_for, account):
    user = getattr(world, account)
    response = client_for(user).get(reverse("petitions:export"))
    assert response.status_code == 200
    rows, text = export_sheet(response)
    assert {row["tracking_number"] for row in rows} == numbers(scoped, SEES[account])
    assert len(rows) == len(SEES[account])
    assert numbers_in(text, scoped) == numbers(scoped, SEES[account])
    assert_petitioners(text, scoped, user, SEES[account], where="export")
    for row in rows:
        key = next(k for k in ITEMS if item(scoped, k).tracking_number == row["tracking_number"])
        level = access(user, item(scoped, key))
        if level is Access.FULL:
            assert (row["phone"] or "") == PHONES[key]
        elif level is Access.MASKED:
            assert row["phone"] == mask_phone(PHONES[key])
        else:
            assert not row["phone"]


def test_export_department_sees_confidential_as_such(scoped, world, client_for):
    from django.utils.translation import gettext

    rows, text = export_sheet(client_for(world.dept).get(reverse("petitions:export")))
    by_number = {row["tracking_number"]: row for row in rows}
    b = by_number[scoped.b.tracking_number]
    assert b["name"] == gettext("Confidential")  # 保密
    assert not b["phone"]
    assert "13812340000" not in text and "李四" not in text and "李*" not in text
    assert by_number[scoped.a.tracking_number]["name"] == "张*"


@pytest.mark.parametrize("account", ACCOUNTS)
def test_export_search_stays_in_scope(scoped, world, client_for, account):
    client = client_for(getattr(world, account))
    for key, word in WORDS.items():
        found = export_numbers(client.get(reverse("petitions:export"), {"q": word}))
        assert found == numbers(scoped, {key} & set(SEES[account])), (account, word)


def test_large_export_job_stays_in_scope(scoped, world, client_for, settings, django_capture_on_commit_callbacks):
    """Above the synchronous limit the export runs as a job for its owner: same rows, same masking."""
    from liaison.models import Job

    settings.LIAISON_EXPORT_SYNC_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.dept).get(reverse("petitions:export"))
    assert response.status_code == 302
    job = Job.objects.get(owner=world.dept)
    assert job.status == Job.Status.SUCCEEDED, job.status
    with job.result_file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()), read_only=True).active
        cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    found = {c for c in cells if TRACKING.fullmatch(c)}
    assert found == numbers(scoped, SEES["dept"])
    assert "13812340000" not in "\n".join(cells) and "13812345678" not in "\n".join(cells)
    # The file is its owner's: another account gets 404 for the job and its download.
    for other in (world.office, world.staff):
        for name in ("job_detail", "job_download"):
            assert client_for(other).get(reverse(name, args=[job.pk])).status_code == 404, (other, name)
    assert client_for(world.dept).get(reverse("job_download", args=[job.pk])).status_code == 200


# -- the public tracking page ------------------------------------------------------------------


@pytest.fixture
def track_freely(settings):
    settings.LIAISON_RATE_TRACK_IP = "1000/60"


def test_public_tracking_never_shows_the_petitioner(scoped, world, client, track_freely):
    """Nor another item's number: c is handled together with a, and each page names only itself."""
    from petitions.ledger.services import petition_link

    petition_link(actor=world.staff, petition=scoped.c, target=scoped.a)
    secrets = [PHONES[k] for k in ITEMS] + [mask_phone(PHONES[k]) for k in ITEMS]
    secrets += [n for k in ITEMS if (n := NAMES[k])] + [mask_name(n) for k in ITEMS if (n := NAMES[k])]
    secrets += ["东关村三巷5号", "三巷", "内部备注"]
    for key in ITEMS:
        petition = item(scoped, key)
        response = client.get(reverse("tracking:detail", args=[petition.tracking_number]))
        assert response.status_code == 200, key
        text = html(response)
        assert petition.tracking_number in text
        assert numbers_in(text, scoped) == {petition.tracking_number}
        for secret in secrets:
            assert secret not in text, (key, secret)
        assert "/files/" not in text  # no attachment of any item
        if petition.is_confidential:
            assert petition.content[:6] not in text  # not even an excerpt of a confidential item
    lookup = client.get(reverse("tracking:lookup"), {"number": scoped.a.tracking_number.lower()})
    assert lookup.status_code == 302


def test_public_tracking_of_an_unknown_number_is_404(scoped, client, track_freely):
    assert client.get(reverse("tracking:detail", args=["2501-ZZZZZZZZ"])).status_code == 404
