"""Excel rosters: template, import (all-or-nothing, every bad row reported), scoped export."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from openpyxl import Workbook, load_workbook

from liaison.auth import ROLE_PERMISSIONS
from liaison.models import Job, Role
from stations import roster
from stations.models import Membership, ProfessionalGroup, Representative, Station, StationKind
from stations.roster import REPRESENTATIVE_ROSTER, STATION_ROSTER

pytestmark = pytest.mark.django_db

LANGUAGE = "zh-hans"  # the site default: what the test client's requests (and so the jobs) run in


def labels(which, keys=None):
    with translation.override(LANGUAGE):
        columns = which.columns if keys is None else [which.column(k) for k in keys]
        return [str(c.label) for c in columns]


def choice_label(choice) -> str:
    """A choice as the user's language shows it (the importer also accepts the stored value)."""
    with translation.override(LANGUAGE):
        return str(choice.label)


def label(which, key):
    return labels(which, [key])[0]


def xlsx(header, rows, title_rows=()) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in [*title_rows, header, *rows]:
        ws.append(list(row))
    ws.append([])  # trailing blank rows are ignored
    ws.append([None, "  "])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def open_xlsx(content: bytes):
    return load_workbook(io.BytesIO(content))


def sheet_rows(content: bytes):
    return [list(r) for r in open_xlsx(content).worksheets[0].iter_rows(values_only=True)]


def run_import(client, url_name, content, capture) -> Job:
    upload = SimpleUploadedFile("名册.xlsx", content, content_type="application/octet-stream")
    with capture(execute=True):
        response = client.post(reverse(url_name), {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.latest("pk")
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    return job


STATION_KEYS = [
    "code",
    "name",
    "kind",
    "parent",
    "jurisdiction",
    "address",
    "latitude",
    "longitude",
    "opening_hours",
    "phone",
    "area_m2",
    "annual_budget",
    "is_active",
]


def station_row(
    code, name="新联络站", kind="station", parent="", jurisdiction="110119100201", phone="010-69101234", **extra
):
    values = {
        "code": code,
        "name": name,
        "kind": kind,
        "parent": parent,
        "jurisdiction": jurisdiction,
        "address": "测试路1号",
        "latitude": None,
        "longitude": None,
        "opening_hours": "周一至周五",
        "phone": phone,
        "area_m2": None,
        "annual_budget": None,
        "is_active": "是",
    }
    values.update(extra)
    return [values[k] for k in STATION_KEYS]


# --------------------------------------------------------------------------- template


@pytest.mark.parametrize(
    "which, url_name",
    [
        (STATION_ROSTER, "stations:station_import_template"),
        (REPRESENTATIVE_ROSTER, "stations:representative_import_template"),
    ],
)
def test_template_download_opens_with_header_dropdowns_and_instructions(world, client_for, which, url_name):
    response = client_for(world.office).get(reverse(url_name))
    assert response.status_code == 200
    assert response["Content-Type"] == roster.XLSX_CONTENT_TYPE
    with translation.override(LANGUAGE):
        filename = which.template_filename()
    assert response["Content-Disposition"] == content_disposition_header(True, filename)
    wb = open_xlsx(response.content)
    data, notes = wb.worksheets
    assert [c.value for c in data[1]] == labels(which)
    assert data["A1"].font.b and data.freeze_panes == "A2"
    assert data.max_row == 2  # the example row
    assert data.data_validations.dataValidation  # dropdowns for the enumerated columns
    with translation.override(LANGUAGE):
        assert notes.title == str(translation.gettext("Instructions"))
    described = {row[0] for row in notes.iter_rows(values_only=True)}
    assert set(labels(which)) <= described


@pytest.mark.parametrize(
    "which, keys",
    [
        (STATION_ROSTER, {"parent"}),  # 110119100-00 does not exist
        (REPRESENTATIVE_ROSTER, {"stations", "head_of"}),  # nor do 110119100-01 and -02
    ],
)
def test_the_template_example_row_reads_back(world, client_for, django_capture_on_commit_callbacks, which, keys):
    """The example row is valid apart from the references the user must replace."""
    client = client_for(world.office)
    content = client.get(reverse(f"stations:{which.key[:-1]}_import_template")).content
    job = run_import(client, f"stations:{which.key[:-1]}_import", content, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert {e["column"] for e in job.errors} == set(labels(which, keys))
    assert {e["row"] for e in job.errors} == {2}


# --------------------------------------------------------------------------- station import


def test_valid_station_file_creates_and_updates(world, client_for, django_capture_on_commit_callbacks):
    header = ["No.", *labels(STATION_ROSTER), "备注"]  # unknown columns are ignored
    rows = [
        [
            1,
            *station_row(
                "S-1",
                name="东关村联络站（新址）",
                parent="H-1",
                latitude=40.4655,
                longitude=115.985312,
                area_m2=120.0,
                annual_budget="20000.5",
            ),
        ],
        [
            2,
            *station_row("H-9", name="新代表之家", kind=choice_label(StationKind.HOME), jurisdiction=110119100000),
            "x",
        ],
        [3, *station_row("S-9", name="新村联络站", parent="H-9", is_active="否")],
        [4, *station_row("P-9", name="新联系点", kind="contact_point", parent="S-1", phone=13800000000)],
    ]
    job = run_import(
        client_for(world.office),
        "stations:station_import",
        xlsx(header, rows, title_rows=[["延庆区联络站名册"]]),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.errors == [] and job.percent == 100
    with translation.override(LANGUAGE):
        assert job.message == translation.gettext("Import finished: %(created)s created, %(updated)s updated.") % {
            "created": 3,
            "updated": 1,
        }
    world.S1.refresh_from_db()
    assert world.S1.name == "东关村联络站（新址）" and world.S1.latitude == Decimal("40.465500")
    assert world.S1.area_m2 == 120 and world.S1.annual_budget == Decimal("20000.50")
    home = Station.objects.get(code="H-9")
    assert home.kind == "home" and home.parent is None and home.jurisdiction == world.j.T1
    s9 = Station.objects.get(code="S-9")
    assert s9.parent == home and s9.is_active is False
    p9 = Station.objects.get(code="P-9")
    assert p9.parent == world.S1 and p9.phone == "13800000000" and p9.public_code


def test_invalid_station_file_reports_every_bad_row_and_writes_nothing(
    world, client_for, django_capture_on_commit_callbacks
):
    before = list(Station.objects.order_by("pk").values_list("pk", "name", "updated_at"))
    rows = [
        station_row("N-1", jurisdiction="999999999999"),  # row 2: no such code
        station_row("N-2", jurisdiction=world.j.C3.code),  # row 3: exists, outside 延庆区
        station_row("N-3"),  # row 4: fine
        station_row("N-3", name="重复"),  # row 5: duplicate number
        station_row("N-4", phone="12345"),  # row 6: malformed phone
        station_row("S-1", name="改名"),  # row 7: valid update, must not be written either
    ]
    job = run_import(
        client_for(world.office),
        "stations:station_import",
        xlsx(labels(STATION_ROSTER), rows),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    by_row = {e["row"]: e for e in job.errors}
    assert sorted(by_row) == [2, 3, 5, 6]
    code_label = label(STATION_ROSTER, "jurisdiction")
    assert by_row[2]["column"] == by_row[3]["column"] == code_label
    assert by_row[2]["message"] == by_row[3]["message"]  # outside the scope reads like missing
    assert by_row[5]["column"] == label(STATION_ROSTER, "code") and "4" in by_row[5]["message"]  # names the first row
    assert by_row[6]["column"] == label(STATION_ROSTER, "phone")
    assert "4" in job.message  # four problems
    assert list(Station.objects.order_by("pk").values_list("pk", "name", "updated_at")) == before


def test_missing_required_columns_and_bad_values(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.office)
    job = run_import(
        client,
        "stations:station_import",
        xlsx([label(STATION_ROSTER, "code"), label(STATION_ROSTER, "name")], [["X-1", "甲"]]),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert {e["column"] for e in job.errors} == set(labels(STATION_ROSTER, ["kind", "jurisdiction", "address"]))

    rows = [
        station_row("X-2", kind="山洞", latitude="北纬40", is_active="也许", area_m2="12.5"),
        station_row("X-3", kind="contact_point", name="", longitude=116),
    ]
    job = run_import(
        client, "stations:station_import", xlsx(labels(STATION_ROSTER), rows), django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    columns = {(e["row"], e["column"]) for e in job.errors}
    assert columns == {
        (2, label(STATION_ROSTER, "kind")),
        (2, label(STATION_ROSTER, "latitude")),
        (2, label(STATION_ROSTER, "is_active")),
        (2, label(STATION_ROSTER, "area_m2")),
        (3, label(STATION_ROSTER, "name")),
        (3, label(STATION_ROSTER, "parent")),
        (3, label(STATION_ROSTER, "latitude")),
    }
    assert not Station.objects.filter(code__startswith="X-").exists()


def test_upload_must_be_a_real_xlsx(world, client_for, settings):
    client = client_for(world.office)
    fake = SimpleUploadedFile("roster.xlsx", b"name,code\n", content_type=roster.XLSX_CONTENT_TYPE)
    response = client.post(reverse("stations:station_import"), {"file": fake})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    settings.LIAISON_MAX_UPLOAD_BYTES = 100
    big = SimpleUploadedFile("roster.xlsx", xlsx(labels(STATION_ROSTER), [station_row("Y-1")]))
    response = client.post(reverse("stations:station_import"), {"file": big})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not Job.objects.exists()


def test_unreadable_or_headerless_files_are_rejected(world, client_for, django_capture_on_commit_callbacks):
    import zipfile

    client = client_for(world.office)
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("xl/workbook.xml", "<not a workbook")
    job = run_import(client, "stations:station_import", broken.getvalue(), django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message and job.errors == []

    job = run_import(
        client, "stations:station_import", xlsx(["甲", "乙"], [["1", "2"]]), django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.errors[0]["row"] == 1


def test_a_conflicting_concurrent_write_rejects_the_whole_file(
    world, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import IntegrityError

    def collide(self):
        Station.objects.create(code="W-1", name="先到", jurisdiction=world.j.C1, address="甲", parent=world.H1)
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(roster.importing._StationImport, "write", collide)
    job = run_import(
        client_for(world.office),
        "stations:station_import",
        xlsx(labels(STATION_ROSTER), [station_row("W-1", parent="H-1")]),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message
    assert not Station.objects.filter(code="W-1").exists()  # rolled back


def test_import_page_explains_the_columns(world, client_for):
    response = client_for(world.office).get(reverse("stations:representative_import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("stations:representative_import_template") in html
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert response.context["nav_active"] == "representatives"
    for text in labels(REPRESENTATIVE_ROSTER):
        assert text in html


def test_too_many_rows_are_refused(world, client_for, settings, django_capture_on_commit_callbacks):
    settings.LIAISON_MAX_IMPORT_ROWS = 2
    rows = [station_row(f"Z-{i}") for i in range(3)]
    job = run_import(
        client_for(world.office),
        "stations:station_import",
        xlsx(labels(STATION_ROSTER), rows),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "2" in job.message
    assert not Station.objects.filter(code__startswith="Z-").exists()


# --------------------------------------------------------------------------- station staff


def test_station_staff_stay_inside_their_stations(world, client_for, django_capture_on_commit_callbacks):
    """world.staff runs H1 (and so S1, P1); S2, S3 and H2 are invisible to them."""
    rows = [
        station_row("N-1", parent="S-3", jurisdiction=world.j.C1.code),  # row 2: parent outside their stations
        station_row("N-2", parent="NOPE-1", jurisdiction=world.j.C1.code),  # row 3: no such parent
        station_row("N-3", kind="home", jurisdiction=world.j.T1.code),  # row 4: no parent at all
        station_row("S-3", parent="S-1", kind="contact_point"),  # row 5: number of an invisible station
        station_row("N-5", parent="H-1", jurisdiction=world.j.C2.code),  # row 6: jurisdiction outside their area
    ]
    job = run_import(
        client_for(world.staff),
        "stations:station_import",
        xlsx(labels(STATION_ROSTER), rows),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    by_row = {e["row"]: e for e in job.errors}
    assert sorted(by_row) == [2, 3, 4, 5, 6]
    assert by_row[2]["message"] == by_row[3]["message"] and by_row[2]["column"] == label(STATION_ROSTER, "parent")
    assert by_row[4]["column"] == label(STATION_ROSTER, "parent")
    assert by_row[5]["column"] == label(STATION_ROSTER, "code")
    assert "建国里" not in by_row[5]["message"] and "S-3" not in by_row[5]["message"]
    assert by_row[6]["column"] == label(STATION_ROSTER, "jurisdiction")
    world.S3.refresh_from_db()
    assert world.S3.kind == "station" and world.S3.parent is None
    assert not Station.objects.filter(code__startswith="N-").exists()

    rows = [station_row("P-2", kind="contact_point", parent="S-1")]
    job = run_import(
        client_for(world.staff),
        "stations:station_import",
        xlsx(labels(STATION_ROSTER), rows),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert Station.objects.visible_to(world.staff).filter(code="P-2").exists()


def test_station_staff_representative_rules(world, client_for, django_capture_on_commit_callbacks):
    header = labels(REPRESENTATIVE_ROSTER, ["code", "name", "level", "jurisdiction", "stations"])
    rows = [
        ["R-3", "王卫东", "county", world.j.T1.code, "S-1"],  # row 2: number of an invisible representative
        ["R-8", "新代表", "township", world.j.T1.code, ""],  # row 3: new, but attached to none of their stations
        ["R-9", "新代表二", "township", world.j.T1.code, "S-2"],  # row 4: a station outside their area
    ]
    job = run_import(
        client_for(world.staff),
        "stations:representative_import",
        xlsx(header, rows),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {(2, header[0]), (3, header[4]), (4, header[4])}
    assert not Representative.objects.filter(code__in=["R-8", "R-9"]).exists()
    assert Representative.objects.get(code="R-3").jurisdiction == world.j.K2


# --------------------------------------------------------------------------- representative import


def test_representative_import_with_memberships_and_a_head(world, client_for, django_capture_on_commit_callbacks):
    header = labels(REPRESENTATIVE_ROSTER)
    keys = [c.key for c in REPRESENTATIVE_ROSTER.columns]

    def rep_row(**values):
        base = {
            "gender": choice_label(Representative.Gender.FEMALE),
            "level": "township",
            "jurisdiction": world.j.T1.code,
            "public_phone": "010-69100001",
            "private_phone": "13912345678",
            "term_number": 17,
            "term_start": 2021,
            "term_end": 2026,
            "is_active": "是",
        }
        base.update(values)
        return [base.get(k) for k in keys]

    Membership.objects.create(representative=world.R4, station=world.P1, role="member")
    rows = [
        rep_row(
            code="R-9",
            name="孙丽",
            stations="S-1、P-1",
            head_of="H-1",
            professional_group=choice_label(ProfessionalGroup.EDUCATION),
        ),
        rep_row(
            code="R-4",
            name="赵丽华",
            level="city",
            jurisdiction=world.j.K.code,
            stations="S-2; S-1",
            head_of="P-1",
            work_unit="新单位",
        ),
    ]
    job = run_import(
        client_for(world.office),
        "stations:representative_import",
        xlsx(header, rows),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    new = Representative.objects.get(code="R-9")
    assert new.gender == "F" and new.term_number == 17 and new.private_phone == "13912345678"
    assert dict(new.memberships.values_list("station__code", "role")) == {
        "S-1": "member",
        "P-1": "member",
        "H-1": "head",
    }
    world.R4.refresh_from_db()
    assert world.R4.work_unit == "新单位" and world.R4.private_phone == "13912345678"
    assert dict(world.R4.memberships.values_list("station__code", "role")) == {
        "S-1": "member",
        "S-2": "member",
        "P-1": "head",
    }
    with translation.override(LANGUAGE):
        assert job.message == translation.gettext(
            "Import finished: %(created)s created, %(updated)s updated, %(memberships)s station memberships added."
        ) % {"created": 1, "updated": 1, "memberships": 5}
    assert Membership.objects.get(station=world.S1, role="head").representative == world.R1  # untouched


def test_representative_import_refuses_a_second_head_and_bad_terms(
    world, client_for, django_capture_on_commit_callbacks
):
    header = labels(
        REPRESENTATIVE_ROSTER,
        ["code", "name", "level", "jurisdiction", "stations", "head_of", "term_start", "term_end"],
    )
    rows = [
        ["R-7", "甲", "county", world.j.K.code, "", "S-1", None, None],  # S-1 is headed by R-1
        ["R-8", "乙", "county", world.j.K.code, "", "P-1", None, None],
        ["R-9", "丙", "county", world.j.K.code, "", "P-1", 2026, 2021],  # P-1 claimed twice; term backwards
        ["R-10", "丁", "county", world.j.K.code, "S-3", "", None, None],  # S-3 is outside 延庆区
    ]
    job = run_import(
        client_for(world.office),
        "stations:representative_import",
        xlsx(header, rows),
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {(2, header[5]), (4, header[5]), (4, header[7]), (5, header[4])}
    assert not Representative.objects.filter(code__in=["R-7", "R-8", "R-9", "R-10"]).exists()


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize("user", ["dept", "rep"])
@pytest.mark.parametrize(
    "url_name",
    [
        "stations:station_import",
        "stations:representative_import",
        "stations:station_import_template",
        "stations:representative_import_template",
        "stations:station_export",
        "stations:representative_export",
    ],
)
def test_users_without_the_permission_get_403(world, client_for, user, url_name):
    client = client_for(getattr(world, user))
    assert client.get(reverse(url_name)).status_code == 403
    if url_name.endswith("_import"):
        upload = SimpleUploadedFile("r.xlsx", xlsx(labels(STATION_ROSTER), [station_row("Q-1")]))
        assert client.post(reverse(url_name), {"file": upload}).status_code == 403
    assert not Job.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(world, client):
    response = client.get(reverse("stations:station_export"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# --------------------------------------------------------------------------- export


def test_export_contains_only_visible_rows_and_honours_the_filter(world, client_for):
    client = client_for(world.office_t1)  # 延庆镇 only
    response = client.get(reverse("stations:station_export"))
    assert response.status_code == 200 and response["Content-Type"] == roster.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_rows(response.content)
    with translation.override(LANGUAGE):
        assert rows[0] == [translation.gettext("No."), *labels(STATION_ROSTER)]
    names = [r[2] for r in rows[1:]]
    assert sorted(names) == sorted([world.H1.name, world.S1.name, world.P1.name])
    assert world.S2.name not in names and world.S3.name not in names
    assert [r[0] for r in rows[1:]] == [1, 2, 3]

    rows = sheet_rows(client.get(reverse("stations:station_export") + "?kind=home&sort=name").content)
    assert [r[2] for r in rows[1:]] == [world.H1.name]


def test_export_never_writes_formulas(world, client_for):
    Station.objects.filter(pk=world.S1.pk).update(address='=HYPERLINK("http://evil.example","点我")')
    content = client_for(world.office).get(reverse("stations:station_export") + "?q=S-1").content
    cell = open_xlsx(content).worksheets[0].cell(row=2, column=1 + 1 + STATION_KEYS.index("address"))
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_representative_export_and_private_phones(world, client_for, monkeypatch):
    rows = sheet_rows(client_for(world.office).get(reverse("stations:representative_export") + "?sort=code").content)
    header = rows[0]
    private = label(REPRESENTATIVE_ROSTER, "private_phone")
    assert private in header
    by_code = {r[1]: dict(zip(header, r, strict=False)) for r in rows[1:]}
    assert set(by_code) == {"R-1", "R-2", "R-4"}  # R-3 is in 朝阳区
    assert by_code["R-1"][private] == "13900000001"
    assert by_code["R-1"][label(REPRESENTATIVE_ROSTER, "stations")] == "S-1"
    assert by_code["R-1"][label(REPRESENTATIVE_ROSTER, "head_of")] == "S-1"

    without = frozenset(ROLE_PERMISSIONS[Role.COMMITTEE_OFFICE] - {"stations.view_private_phone"})
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.COMMITTEE_OFFICE, without)
    content = client_for(world.office).get(reverse("stations:representative_export")).content
    assert private not in sheet_rows(content)[0]
    assert b"13900000001" not in content


def test_export_then_reimport_changes_nothing_but_updates(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.office)
    content = client.get(reverse("stations:station_export")).content
    before = list(
        Station.objects.order_by("pk").values_list("code", "name", "kind", "parent_id", "jurisdiction_id", "phone")
    )
    job = run_import(client, "stations:station_import", content, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert (
        list(
            Station.objects.order_by("pk").values_list("code", "name", "kind", "parent_id", "jurisdiction_id", "phone")
        )
        == before
    )

    content = client_for(world.staff).get(reverse("stations:representative_export")).content
    job = run_import(
        client_for(world.staff), "stations:representative_import", content, django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    # R-1 is elected in 延庆区, which staff could not choose, but an unchanged code is accepted.
    assert job.status == Job.Status.SUCCEEDED, job.errors


def test_large_export_runs_as_a_job_for_its_owner_only(
    world, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(roster, "DIRECT_EXPORT_LIMIT", 1)
    client = client_for(world.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("stations:station_export") + "?kind=station")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.percent == 100 and job.kind == roster.STATION_EXPORT
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200
    rows = sheet_rows(b"".join(download.streaming_content))
    assert sorted(r[1] for r in rows[1:]) == ["S-1", "S-2"]  # filtered, and 朝阳区's S-3 left out
    assert client_for(world.office_t1).get(reverse("job_download", args=[job.pk])).status_code == 404


def test_export_and_import_queries_do_not_grow_with_rows(
    world, client_for, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from tests.factories import MembershipFactory, RepresentativeFactory, StationFactory

    for i in range(40):
        station = StationFactory(code=f"B-{i}", kind="contact_point", parent=world.S1, jurisdiction=world.j.C1)
        MembershipFactory(representative=RepresentativeFactory(jurisdiction=world.j.K), station=station)
    client = client_for(world.office)
    for url_name in ["stations:station_export", "stations:representative_export"]:
        with django_assert_max_num_queries(12):
            response = client.get(reverse(url_name))
        assert len(sheet_rows(response.content)) > 40

    rows = [station_row(f"C-{i}", kind="contact_point", parent="S-1") for i in range(60)]
    rows += [station_row(f"B-{i}", kind="contact_point", parent="S-1", name=f"改{i}") for i in range(40)]
    content = xlsx(labels(STATION_ROSTER), rows)
    with django_assert_max_num_queries(40):
        job = run_import(client, "stations:station_import", content, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert Station.objects.filter(code__startswith="C-").count() == 60
    assert Station.objects.get(code="B-7").name == "改7"
