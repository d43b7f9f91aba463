"""The audit log (issue 14, "Audit"): every recorded action writes one line with who, from where,
what, on which object and the result; the office searches it within its jurisdiction."""

import io
from datetime import date

import pytest
from django.core import checks
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from liaison import audit
from liaison.calendar_services import calendar_day_delete, calendar_day_set
from liaison.models import AuditEntry, Job, Role
from petitions.handling.services import petition_assign
from stations.models import Membership
from stations.network.services import membership_add, membership_remove, membership_set_role

pytestmark = pytest.mark.django_db
A = AuditEntry.Action


def login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def lines(action, **filters):
    return list(AuditEntry.objects.filter(action=action, **filters).order_by("at", "pk"))


# -- sign-in ------------------------------------------------------------------------------------


def test_sign_in_and_out_are_lines_with_the_address(world):
    client = Client()
    assert login(client, "office", world.password, ip="10.1.2.3").status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")
    [signed_in] = lines(A.SIGN_IN, user=world.office)
    [signed_out] = lines(A.SIGN_OUT, user=world.office)
    assert signed_in.address == signed_out.address == "10.1.2.3"
    assert signed_in.user_label == world.office.display_name and signed_in.result == "success"
    # The office's own place scopes its sign-in lines.
    assert signed_in.area_code == world.j.K.code


def test_failed_sign_ins_are_kept_after_a_success(world):
    client = Client()
    for _ in range(2):
        login(client, "office", "wrong-password-x", ip="10.9.9.9")
    login(client, "no-such-user", "wrong-password-x", ip="10.9.9.9")
    assert login(client, "office", world.password, ip="10.9.9.9").status_code == 302
    failed = lines(A.SIGN_IN_FAILED)
    # Axes resets its counter on success; the audit log keeps all three failures.
    assert [(f.user_label, f.user_id, f.result, f.address) for f in failed] == [
        ("office", world.office.pk, "failure", "10.9.9.9"),
        ("office", world.office.pk, "failure", "10.9.9.9"),
        ("no-such-user", None, "failure", "10.9.9.9"),
    ]
    assert "wrong-password-x" not in str([f.detail for f in failed])


def test_lockout_is_a_line(world):
    client = Client()
    for _ in range(5):
        login(client, "office", "wrong-password-x", ip="10.7.7.7")
    [locked] = lines(A.LOCKOUT)
    assert (locked.user_id, locked.user_label, locked.address, locked.result) == (
        world.office.pk,
        "office",
        "10.7.7.7",
        "failure",
    )


# -- reveal, export -----------------------------------------------------------------------------


def test_reveal_is_a_line_without_the_value(world, ledger, client_for):
    office = client_for(world.office)
    office.post(
        reverse("petitions:reveal", args=[ledger.a.pk]),
        {"field": "petitioner_phone", "purpose": "contact"},
        REMOTE_ADDR="10.3.3.3",
    )
    [line] = lines(A.REVEAL)
    assert (line.user_id, line.object_type, line.object_pk, line.address) == (
        world.office.pk,
        "petitions.petition",
        str(ledger.a.pk),
        "10.3.3.3",
    )
    assert line.detail == {"field": "petitioner_phone", "purpose": "contact"} and line.area_code == ledger.a.area_code
    assert "13812345678" not in f"{line.object_label} {line.detail}"


def test_every_excel_export_is_a_line_with_its_rows(world, ledger, client_for):
    staff = client_for(world.staff)
    response = staff.get(reverse("petitions:export"))
    assert response.status_code == 200
    written = len(list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows())) - 3
    [line] = lines(A.EXPORT, user=world.staff)
    assert line.detail["rows"] == written == 3  # a, b, c: the staff's stations
    assert line.detail["view"] == "petitions:export" and line.object_label.endswith(".xlsx")
    # An export written during the request (xlsx_response) counts its rows too.
    office = client_for(world.office)
    assert office.get(reverse("stations:station_export")).status_code == 200
    [station_export] = lines(A.EXPORT, user=world.office)
    assert station_export.detail["rows"] == 5  # the stations of 延庆区: H-1, S-1, P-1, H-2, S-2


def test_a_job_download_is_a_line(world, client_for):
    job = Job.objects.create(
        owner=world.office, kind="petition_export", title="导出", status=Job.Status.SUCCEEDED, progress_total=253
    )
    job.result_file.save("x.xlsx", ContentFile(b"done"))
    response = client_for(world.office).get(reverse("job_download", args=[job.pk]), REMOTE_ADDR="10.4.4.4")
    assert response.status_code == 200
    [line] = lines(A.EXPORT)
    assert (line.detail["job"], line.detail["kind"], line.detail["what"], line.detail["rows"]) == (
        job.pk,
        "petition_export",
        "导出",
        253,
    )
    assert line.user_id == world.office.pk and line.address == "10.4.4.4"
    # Refused downloads are not exports.
    client_for(world.office_t1).get(reverse("job_download", args=[job.pk]))
    assert len(lines(A.EXPORT)) == 1


# -- changes ------------------------------------------------------------------------------------


def test_a_status_move_is_a_line_from_the_workflow_engine(world, ledger):
    petition_assign(actor=world.office, petition=ledger.d, department=world.D)
    [line] = lines(A.STATUS, object_pk=str(ledger.d.pk))
    assert line.user_id == world.office.pk and line.object_type == "petitions.petition"
    assert line.detail["workflow"] == "petition" and line.detail["to"] == "assigned"
    assert line.detail["from"] != line.detail["to"]
    assert line.area_code == ledger.d.area_code


def test_network_changes_are_lines(world):
    membership = membership_add(
        station=world.S1, representative=world.R4, role=Membership.Role.MEMBER, actor=world.staff
    )
    pk = membership.pk
    membership_set_role(membership=membership, role=Membership.Role.HEAD, actor=world.staff)
    membership_remove(membership=membership, actor=world.staff)
    network = lines(A.NETWORK, object_type="stations.membership")
    assert [line.detail["change"] for line in network] == ["added", "changed", "deleted"]
    assert network[1].detail["role"] == ["member", "head"]
    assert {line.area_code for line in network} == {world.S1.jurisdiction.code}
    assert all(line.object_pk == str(pk) and "赵丽华" in line.object_label for line in network)


def test_calendar_changes_are_lines(world):
    # The deployment's entries: the province's office and the system administrator (calendar_services.writer).
    calendar_day_set(actor=world.admin, date=date(2031, 1, 2), is_working_day=False, name="test")
    day = calendar_day_set(actor=world.admin, date=date(2031, 1, 2), is_working_day=True, name="test")
    calendar_day_delete(actor=world.admin, day=day)
    assert [(line.detail["change"], line.detail["working_day"]) for line in lines(A.CALENDAR)] == [
        ("added", False),
        ("changed", True),
        ("deleted", True),
    ]


def test_account_changes_in_the_admin_are_lines(world, client_for):
    admin = client_for(world.admin)
    url = reverse("admin:liaison_user_change", args=[world.staff.pk])
    response = admin.post(
        url,
        {
            "username": "staff",
            "full_name": "新名字",
            "phone": "",
            "email": "",
            "role": Role.DEPARTMENT,
            "jurisdiction": "",
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [line] = lines(A.ACCOUNT)
    assert line.user_id == world.admin.pk and line.object_pk == str(world.staff.pk)
    assert line.detail["change"] == "changed"
    assert {"Full name", "Role"} <= set(line.detail["admin"][0]["changed"]["fields"])
    # Accounts are disabled, never deleted.
    assert admin.get(reverse("admin:liaison_user_delete", args=[world.staff.pk])).status_code == 403


# -- the search page ----------------------------------------------------------------------------


def _entry(area_code, action=A.SIGN_IN, label="x", user=None):
    return audit.record(action, actor=user, user_label=label, area_code=area_code, address="10.0.0.8")


def test_the_office_searches_its_jurisdiction_and_the_admin_everything(world, client_for):
    yanqing = _entry(world.j.C1.code, label="延庆的人")
    chaoyang = _entry(world.j.C3.code, label="朝阳的人")
    nowhere = _entry("", label="系统")
    url = reverse("audit_log")

    def shown(user, query=""):
        response = client_for(user).get(url + query)
        assert response.status_code == 200
        return {row.pk for row in response.context["rows"]}

    assert {yanqing.pk} <= shown(world.office) and not {chaoyang.pk, nowhere.pk} & shown(world.office)
    assert {chaoyang.pk} <= shown(world.office_k2) and yanqing.pk not in shown(world.office_k2)
    assert {yanqing.pk, chaoyang.pk, nowhere.pk} <= shown(world.admin)
    assert shown(world.admin, "?user=朝阳") == {chaoyang.pk}
    assert shown(world.admin, "?action=sign_in&address=10.0.0.8") == {yanqing.pk, chaoyang.pk, nowhere.pk}
    for user in (world.staff, world.rep, world.dept):
        assert client_for(user).get(url).status_code == 403


def test_the_search_exports_to_excel_and_the_export_is_a_line(world, client_for):
    for _ in range(3):
        _entry(world.j.C1.code, label="延庆的人")
    _entry(world.j.C3.code, label="朝阳的人")
    response = client_for(world.office).get(reverse("audit_log") + "?format=xlsx&user=延庆")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    ws = load_workbook(io.BytesIO(response.content)).active
    text = "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert text.count("延庆的人") == 3 and "朝阳的人" not in text
    [line] = lines(A.EXPORT, user=world.office)
    assert line.detail["rows"] == 3 and line.detail["view"] == "audit_log"


def test_retention_below_six_months_is_refused(settings):
    settings.AUDIT_RETENTION_DAYS = 179
    assert [e.id for e in audit.check_retention()] == ["liaison.E014"]
    settings.AUDIT_RETENTION_DAYS = 180
    assert audit.check_retention() == []
    assert not [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id == "liaison.E014"]
