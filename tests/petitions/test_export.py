"""Excel export of the ledger: the offices' layout, masking per role, scope, filters, sync vs job."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import load_workbook

from liaison.models import Job, Role
from petitions.ledger.export import COLUMNS, TITLE_ROWS, iter_rows
from petitions.models import Petition, Status
from tests.factories import UserFactory, make_petition

URL = reverse("petitions:export")
HEADER_ROW = TITLE_ROWS + 1
COL = {c.key: i for i, c in enumerate(COLUMNS)}


def sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def rows_of(ws) -> list[tuple]:
    return list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))


def by_number(ws) -> dict[str, tuple]:
    return {r[COL["tracking_number"]]: r for r in rows_of(ws)}


def all_text(ws) -> str:
    return "\n".join(str(v) for r in ws.iter_rows(values_only=True) for v in r if v is not None)


def download(client, query="") -> bytes:
    response = client.get(URL + query)
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    return b"".join(response.streaming_content)


# -- layout ------------------------------------------------------------------------------------


def test_header_title_and_cell_types(ledger, world, client_for):
    Petition.objects.filter(pk=ledger.a.pk).update(due_on=date(2026, 1, 31), handling_summary="已安排维修")
    ws = sheet(download(client_for(world.staff)))

    header = [c.value for c in ws[HEADER_ROW]]
    assert header == [str(c.label) for c in COLUMNS]
    assert header[0] == "序号"  # translated already; the others follow the offices' order
    assert [c.key for c in COLUMNS][:12] == [
        "number",
        "received_on",
        "name",
        "phone",
        "content",
        "category",
        "representatives",
        "department",
        "due_on",
        "handling",
        "feedback",
        "satisfaction",
    ]
    assert world.H1.name in ws["A1"].value  # the title names the scope
    assert ws.freeze_panes == f"C{HEADER_ROW + 1}"
    assert ws.column_dimensions["E"].width >= 40

    row = by_number(ws)[ledger.a.tracking_number]
    assert row[COL["number"]] in (1, 2, 3)
    assert isinstance(row[COL["received_on"]], date) and row[COL["due_on"]].date() == date(2026, 1, 31)
    assert row[COL["content"]] == ledger.a.content
    assert row[COL["representatives"]] == world.R1.name
    assert row[COL["department"]] == world.D.name
    assert row[COL["handling"]] == "已安排维修"
    assert row[COL["status"]] == str(Status.REGISTERED.label)
    content_cell = ws.cell(row=HEADER_ROW + 1, column=COL["content"] + 1)
    assert content_cell.alignment.wrap_text
    assert [r[COL["number"]] for r in rows_of(ws)] == [1, 2, 3]


def test_text_that_looks_like_a_formula_stays_text(world, client_for):
    make_petition(station=world.S1, content='=HYPERLINK("http://evil")反映噪声')
    ws = sheet(download(client_for(world.staff)))
    cell = ws.cell(row=HEADER_ROW + 1, column=COL["content"] + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


# -- masking and scope ---------------------------------------------------------------------------


def test_department_never_sees_a_confidential_petitioner(ledger, world, client_for):
    ws = sheet(download(client_for(world.dept)))
    rows = by_number(ws)
    assert set(rows) == {ledger.a.tracking_number, ledger.b.tracking_number}
    confidential = rows[ledger.b.tracking_number]
    assert confidential[COL["name"]] == gettext("Confidential")  # 保密
    assert not confidential[COL["phone"]]
    assert rows[ledger.a.tracking_number][COL["name"]] == "张*"
    assert rows[ledger.a.tracking_number][COL["phone"]] == "138****5678"
    text = all_text(ws)
    assert "13812345678" not in text and "13812340000" not in text and "李四" not in text


def test_staff_file_has_full_phones_and_only_their_stations(ledger, world, client_for):
    ws = sheet(download(client_for(world.staff)))
    rows = by_number(ws)
    assert set(rows) == {ledger.a.tracking_number, ledger.b.tracking_number, ledger.c.tracking_number}
    assert rows[ledger.a.tracking_number][COL["phone"]] == "13812345678"
    assert rows[ledger.a.tracking_number][COL["name"]] == "张三"
    assert rows[ledger.b.tracking_number][COL["name"]] == "李四"  # staff call residents back
    text = all_text(ws)
    assert ledger.d.content not in text and ledger.e.content not in text


@pytest.mark.parametrize(
    "who, expected",
    [
        ("office", {"a", "b", "c", "d"}),
        ("office_t1", {"a", "b", "c"}),
        ("office_k2", {"e"}),
        ("rep", {"a"}),
        ("nobody", set()),
        ("admin", {"a", "b", "c", "d", "e"}),
    ],
)
def test_each_role_exports_its_own_ledger_masked(ledger, world, client_for, who, expected):
    ws = sheet(download(client_for(getattr(world, who))))
    rows = by_number(ws)
    assert set(rows) == {getattr(ledger, k).tracking_number for k in expected}
    if who in ("office", "rep") and "a" in expected:
        assert rows[ledger.a.tracking_number][COL["phone"]] == "138****5678"
        assert "13812345678" not in all_text(ws)


def test_without_the_permission_it_is_forbidden(world, client_for):
    clerk = UserFactory(username="clerk", role=Role.ADMIN)  # an admin role without superuser has no permissions
    assert client_for(clerk).get(URL).status_code == 403
    assert client_for(world.staff).post(URL).status_code == 405


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


# -- filters -------------------------------------------------------------------------------------


def test_the_ledgers_filters_apply(ledger, world, client_for):
    Petition.objects.filter(pk=ledger.a.pk).update(status=Status.ASSIGNED)
    ws = sheet(download(client_for(world.office), f"?status={Status.ASSIGNED}"))
    assert set(by_number(ws)) == {ledger.a.tracking_number}
    ws = sheet(download(client_for(world.office), "?q=垃圾"))
    assert set(by_number(ws)) == {ledger.c.tracking_number}
    assert "垃圾" in ws["A2"].value  # the line under the title says what was filtered


# -- sync vs job ---------------------------------------------------------------------------------


def test_a_large_export_runs_as_a_job_with_every_row(
    ledger, world, client_for, settings, django_capture_on_commit_callbacks
):
    settings.LIAISON_EXPORT_SYNC_ROWS = 1
    client = client_for(world.dept)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL)
    job = Job.objects.get(owner=world.dept)
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.kind == "petition_export" and job.status == Job.Status.SUCCEEDED, job.message
    assert job.progress_total == job.progress_done == 2
    with job.result_file.open("rb") as fh:
        ws = sheet(fh.read())
    rows = by_number(ws)
    assert set(rows) == {ledger.a.tracking_number, ledger.b.tracking_number}
    assert rows[ledger.b.tracking_number][COL["name"]] == gettext("Confidential")
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 200


def test_a_job_whose_owner_lost_the_permission_fails(
    ledger, world, client_for, settings, django_capture_on_commit_callbacks
):
    settings.LIAISON_EXPORT_SYNC_ROWS = 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(world.office).get(URL)
    world.office.role = Role.ADMIN  # no superuser: no permissions any more
    world.office.save()
    for callback in callbacks:
        callback()
    job = Job.objects.get(owner=world.office)
    assert job.status == Job.Status.FAILED and not job.result_file


# -- queries -------------------------------------------------------------------------------------


def test_rows_cost_one_query_per_chunk_not_per_row(world, django_assert_max_num_queries):
    for i in range(30):
        p = make_petition(
            station=world.S1,
            representatives=[world.R1],
            department=world.D,
            content=f"第{i}件：路面破损",
            is_confidential=i % 3 == 0,
        )
        Petition.objects.filter(pk=p.pk).update(due_on=date.today() - timedelta(days=i))
    queryset = Petition.objects.visible_to(world.office)
    with django_assert_max_num_queries(4):
        rows = list(iter_rows(queryset, world.office))
    assert len(rows) == 30 and all(r["representatives"] == world.R1.name for r in rows)
    assert sum(r["overdue"] for r in rows) == 29
