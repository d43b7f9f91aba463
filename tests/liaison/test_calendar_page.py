"""The working-day calendar page: reference data for everyone; the deployment's entries for the
province-level office and the administrator, local entries for every other office."""

import re
from datetime import date

import pytest
from django.urls import reverse

from liaison import calendar_services, workdays
from liaison.calendar_services import CalendarImportError
from liaison.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world):
    """The shared world, a province-level committee office (it writes the deployment's entries) and
    the office of 康庄镇 (office_t2), the township next to office_t1's."""
    from liaison.models import Role
    from tests.factories import UserFactory

    world.office_p = UserFactory(username="office_p", role=Role.COMMITTEE_OFFICE, jurisdiction=world.j.P)
    world.office_t2 = UserFactory(username="office_t2", role=Role.COMMITTEE_OFFICE, jurisdiction=world.j.T2)
    return world


@pytest.fixture(autouse=True)
def _fresh_calendar():
    workdays.forget()
    yield
    workdays.forget()


def cell(html: str, day: str) -> str:
    """The <td> of one date in the year grid."""
    match = re.search(rf'<td class="([^"]*)" data-date="{day}"', html)
    assert match, f"no cell for {day}"
    return match.group(1)


def add(client, year, **data):
    payload = {"day-date": "", "day-kind": "holiday", "day-name": ""}
    payload.update({f"day-{k}": v for k, v in data.items()})
    return client.post(reverse("calendar:day_add", args=[year]), payload)


def test_signed_out_is_sent_to_sign_in(client):
    for url in [reverse("calendar:index"), reverse("calendar:year", args=[2026])]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(reverse("calendar:day_add", args=[2027]), {"day-date": "2027-01-01", "day-kind": "holiday"})
    assert response.status_code == 302 and not CalendarDay.objects.exists()


def test_index_redirects_to_this_year_in_shanghai(world, client_for):
    from django.utils import timezone

    response = client_for(world.rep).get(reverse("calendar:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("calendar:year", args=[timezone.localdate().year])


@pytest.mark.parametrize("who", ["admin", "office_p", "office", "office_t1", "staff", "rep", "dept", "nobody"])
def test_every_role_sees_the_calendar(world, client_for, who):
    response = client_for(getattr(world, who)).get(reverse("calendar:year", args=[2026]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "holiday" in cell(html, "2026-10-01")
    assert "makeup" in cell(html, "2026-10-10")
    assert "weekend" in cell(html, "2026-10-11")
    assert cell(html, "2026-10-12") == ""  # an ordinary working day
    can_change = who in ("admin", "office_p", "office", "office_t1")  # every office: its own entries
    assert ('id="add-entry"' in html) is can_change
    assert ('id="bulk-entry"' in html) is can_change
    assert ('id="local-help"' in html) is (who in ("office", "office_t1"))  # they add local entries only


def test_the_list_groups_official_holidays_with_their_source(world, client_for):
    response = client_for(world.rep).get(reverse("calendar:year", args=[2026]))
    specials = response.context["specials"]
    national = [s for s in specials if s.start == date(2026, 10, 1)]
    assert len(national) == 1 and national[0].end == date(2026, 10, 7) and national[0].days == 7
    assert national[0].source == "official" and not national[0].is_working_day
    assert national[0].name == "国庆节"  # the package's Chinese name on the Chinese page
    makeup = [s for s in specials if s.start == date(2026, 2, 14)]
    assert makeup and makeup[0].is_working_day and makeup[0].days == 1
    assert 'id="year-unknown"' not in response.content.decode()


def test_an_unknown_year_warns_and_shows_only_weekends(world, client_for):
    response = client_for(world.rep).get(reverse("calendar:year", args=[2027]))
    html = response.content.decode()
    assert response.context["known"] is False
    assert 'id="year-unknown"' in html
    assert "holiday" not in cell(html, "2027-01-01") and "weekend" in cell(html, "2027-01-02")
    assert response.context["specials"] == []
    assert response.context["previous_year"] == 2026 and response.context["next_year"] == 2028
    # A township office cannot publish the year: it is told who does.
    township = client_for(world.office_t1).get(reverse("calendar:year", args=[2027])).content.decode()
    assert 'id="year-unknown"' in township and "省级人大常委会工作机构登记之前" in township
    assert "省级人大常委会工作机构登记之前" not in html


def test_years_outside_the_range_are_404(world, client_for):
    assert client_for(world.rep).get(reverse("calendar:year", args=[1999])).status_code == 404
    assert client_for(world.rep).get(reverse("calendar:year", args=[2101])).status_code == 404


@pytest.mark.parametrize("who", ["staff", "rep", "dept"])
def test_only_the_offices_may_enter_dates(world, client_for, who):
    client = client_for(getattr(world, who))
    assert add(client, 2027, date="2027-01-01", name="元旦").status_code == 403
    response = client.post(reverse("calendar:import", args=[2027]), {"bulk-lines": "2027-01-01 元旦 休"})
    assert response.status_code == 403
    entry = CalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦")
    assert client.post(reverse("calendar:day_delete", args=[entry.pk])).status_code == 403
    assert CalendarDay.objects.count() == 1


def test_office_enters_a_holiday_and_the_calendar_changes(world, client_for):
    client = client_for(world.office_p)
    assert workdays.is_working_day(date(2027, 1, 1))
    response = add(client, 2027, date="2027-01-01", name="元旦")
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("calendar:year", args=[2027]) + "#entries"
    )
    entry = CalendarDay.objects.get()
    assert (entry.date, entry.is_working_day, entry.name, entry.created_by) == (
        date(2027, 1, 1),
        False,
        "元旦",
        world.office_p,
    )
    assert not workdays.is_working_day(date(2027, 1, 1)) and workdays.year_is_known(2027)

    html = client.get(reverse("calendar:year", args=[2027])).content.decode()
    assert cell(html, "2027-01-01").split() == ["holiday", "office"]
    assert 'id="year-unknown"' not in html
    assert 'class="office-entry" data-date="2027-01-01"' in html

    add(client, 2027, date="2027-02-20", kind="working", name="春节")
    assert workdays.is_working_day(date(2027, 2, 20))
    html = client.get(reverse("calendar:year", args=[2027])).content.decode()
    assert cell(html, "2027-02-20").split() == ["makeup", "office"]


def test_a_duplicate_date_is_refused_and_the_input_kept(world, client_for):
    client = client_for(world.office_p)
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦")
    response = add(client, 2027, date="2027-01-01", kind="working", name="补班测试")
    assert response.status_code == 400
    form = response.context["day_form"]
    assert "2027-01-01" in form.errors["date"][0] and "元旦" in form.errors["date"][0]
    html = response.content.decode()
    assert 'value="补班测试"' in html and 'value="2027-01-01"' in html
    assert re.search(r'value="working"[^>]*checked', html)
    assert CalendarDay.objects.get().name == "元旦"


def test_bad_input_says_what_to_fix(world, client_for):
    response = add(client_for(world.office_p), 2027, date="2027-13-01", name="x")
    assert response.status_code == 400 and "date" in response.context["day_form"].errors
    assert not CalendarDay.objects.exists()


def test_office_deletes_an_entry(world, client_for):
    entry = CalendarDay.objects.create(date=date(2026, 10, 9), is_working_day=False, name="调整")
    assert not workdays.is_working_day(date(2026, 10, 9))
    response = client_for(world.office_p).post(reverse("calendar:day_delete", args=[entry.pk]))
    assert response.status_code == 302 and not CalendarDay.objects.exists()
    assert workdays.is_working_day(date(2026, 10, 9))  # back to the official calendar
    assert client_for(world.office_p).get(reverse("calendar:day_delete", args=[entry.pk])).status_code == 405


def test_bulk_import_saves_every_line(world, client_for):
    lines = "2027-01-01 元旦 休\n\n# 春节\n2027-02-06\t春节\t班\n2027/02/11 春节 休\n2027-10-01 国庆节 holiday"
    response = client_for(world.office_p).post(reverse("calendar:import", args=[2027]), {"bulk-lines": lines})
    assert response.status_code == 302
    entries = {(e.date, e.is_working_day, e.name) for e in CalendarDay.objects.all()}
    assert entries == {
        (date(2027, 1, 1), False, "元旦"),
        (date(2027, 2, 6), True, "春节"),
        (date(2027, 2, 11), False, "春节"),
        (date(2027, 10, 1), False, "国庆节"),
    }
    assert workdays.is_working_day(date(2027, 2, 6)) and not workdays.is_working_day(date(2027, 2, 11))


def test_bulk_import_with_a_bad_line_saves_nothing_and_names_the_line(world, client_for):
    lines = "2027-01-01 元旦 休\n2027-02-30 春节 休\n2027-02-06 春节\n2027-01-01 元旦 休"
    response = client_for(world.office_p).post(
        reverse("calendar:import", args=[2027]), {"bulk-lines": lines}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    errors = response.context["import_form"].errors["lines"]
    assert [e.split(":")[0] for e in errors] == ["Line 2", "Line 3", "Line 4"]
    assert "2027-02-30" in errors[0] and "already on line 1" in errors[2]
    assert not CalendarDay.objects.exists()
    assert "2027-02-06 春节" in response.content.decode()  # the pasted text is kept


def test_import_refuses_to_overwrite_a_different_entry_but_skips_an_identical_one(world):
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦")
    result = calendar_services.calendar_days_import(
        actor=world.office_p, lines=["2027-01-01 元旦 休", "2027-01-02 元旦 休"]
    )
    assert (len(result.added), result.unchanged) == (1, 1)
    with pytest.raises(CalendarImportError) as raised:
        calendar_services.calendar_days_import(
            actor=world.office_p, lines=["2027-05-01 劳动节 休", "2027-01-01 元旦 班"]
        )
    assert raised.value.line_errors[0][0] == 2
    assert not CalendarDay.objects.filter(date=date(2027, 5, 1)).exists()


def test_parse_lines_reports_every_kind_of_mistake():
    parsed, errors = calendar_services.parse_lines(
        ["2027-01-01 元旦 休", "tomorrow 休", "2027-01-03 元旦", "1999-01-01 x 休", "2027-01-04 " + "长" * 80 + " 休"]
    )
    assert [p.date for p in parsed] == [date(2027, 1, 1)]
    assert [n for n, _ in errors] == [2, 3, 4, 5]


# Local entries (issue 15): the township office 延庆镇 (office_t1) under the district 延庆区 (office).


@pytest.fixture
def entries(world):
    """The deployment's New Year, a district holiday, a township holiday, a district holiday the
    township works (its local entry wins inside it), and the next township's holiday."""
    set_ = calendar_services.calendar_day_set
    return {
        "deployment": set_(actor=world.office_p, date=date(2027, 1, 1), is_working_day=False, name="元旦"),
        "district": set_(actor=world.office, date=date(2027, 1, 5), is_working_day=False, name="区庆"),
        "township": set_(actor=world.office_t1, date=date(2027, 1, 6), is_working_day=False, name="镇庆"),
        "district_8th": set_(actor=world.office, date=date(2027, 1, 8), is_working_day=False, name="区休"),
        "township_8th": set_(actor=world.office_t1, date=date(2027, 1, 8), is_working_day=True, name="镇补班"),
        "next_door": set_(actor=world.office_t2, date=date(2027, 1, 7), is_working_day=False, name="康庄镇庆"),
    }


def delete_url(entry) -> str:
    return reverse("calendar:day_delete", args=[entry.pk])


def test_a_township_office_sees_the_entries_above_read_only_and_deletes_its_own(world, client_for, entries):
    response = client_for(world.office_t1).get(reverse("calendar:year", args=[2027]))
    html = response.content.decode()
    assert cell(html, "2027-01-01").split() == ["holiday", "office"]
    assert cell(html, "2027-01-05").split() == ["holiday", "local"]  # the district's
    assert cell(html, "2027-01-06").split() == ["holiday", "local"]  # its own
    assert cell(html, "2027-01-07") == ""  # the next township's holiday is not its
    assert cell(html, "2027-01-08").split() == ["makeup", "local"]  # its make-up day over the district's holiday
    rows = {s.start: s for s in response.context["specials"]}
    assert set(rows) == {date(2027, 1, d) for d in (1, 5, 6, 8)}
    assert (rows[date(2027, 1, 5)].office, rows[date(2027, 1, 5)].can_change) == ("延庆区人大常委会", False)
    assert (rows[date(2027, 1, 6)].office, rows[date(2027, 1, 6)].can_change) == ("延庆镇人大主席团", True)
    assert rows[date(2027, 1, 1)].can_change is False
    assert rows[date(2027, 1, 8)].beneath == ["区休 (节假日), 延庆区人大常委会"]
    # A delete button for its own entries only; the one above is labelled with its office.
    assert delete_url(entries["township"]) in html and delete_url(entries["township_8th"]) in html
    for other in ("deployment", "district", "district_8th", "next_door"):
        assert delete_url(entries[other]) not in html, other
    assert "本地登记：延庆区人大常委会" in html
    assert 'id="local-help"' in html and 'id="local-entries"' not in html


def test_the_district_office_sees_its_own_entries_and_not_those_of_the_townships_below(world, client_for, entries):
    html = client_for(world.office).get(reverse("calendar:year", args=[2027])).content.decode()
    assert cell(html, "2027-01-05").split() == ["holiday", "local"]
    assert cell(html, "2027-01-06") == "" and cell(html, "2027-01-07") == ""
    assert cell(html, "2027-01-08").split() == ["holiday", "local"]
    assert delete_url(entries["district"]) in html and delete_url(entries["deployment"]) not in html


@pytest.mark.parametrize("who", ["rep", "staff", "office_p"])
def test_everyone_else_sees_the_deployment_calendar(world, client_for, entries, who):
    html = client_for(getattr(world, who)).get(reverse("calendar:year", args=[2027])).content.decode()
    assert cell(html, "2027-01-01").split() == ["holiday", "office"]
    assert all(cell(html, f"2027-01-0{d}") == "" for d in (5, 6, 7))
    assert 'id="local-entries"' not in html


def test_the_administrator_sees_every_offices_local_entries(world, client_for, entries):
    response = client_for(world.admin).get(reverse("calendar:year", args=[2027]))
    html = response.content.decode()
    listed = [(e.office.name, e.date.day) for e in response.context["local_entries"]]
    assert listed == [
        ("延庆区人大常委会", 5),
        ("延庆区人大常委会", 8),
        ("延庆镇人大主席团", 6),
        ("延庆镇人大主席团", 8),
        ("康庄镇人大主席团", 7),
    ]
    assert all(delete_url(entries[k]) in html for k in entries)
    assert cell(html, "2027-01-05") == ""  # its own calendar is the deployment's


def test_a_township_office_adds_a_local_entry_on_a_date_the_deployment_has(world, client_for, entries):
    client = client_for(world.office_t1)
    response = add(client, 2027, date="2027-01-01", kind="working", name="镇补班")
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=date(2027, 1, 1), office=world.OT1).is_working_day
    assert CalendarDay.objects.get(date=date(2027, 1, 1), office=None).name == "元旦"  # untouched
    # Its own entry of that date it must delete first, as the deployment writers must theirs.
    response = add(client, 2027, date="2027-01-01", name="again")
    assert response.status_code == 400 and "镇补班" in response.context["day_form"].errors["date"][0]
