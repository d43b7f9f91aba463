"""The performance record (履职档案): figures, scores, rules, ranking, report and the public page.

Figures are checked against counts computed here, independently, from generated data; the score
against the rules applied by hand. Every page has its role matrix (404 outside the scope, 403
without the capability).
"""

import io
import itertools
import random
from collections import Counter, defaultdict
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from liaison.models import Role
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import petition_mark_follow_up, petition_reply_online
from petitions.models import PetitionEvent, PetitionRepresentative, Rating, Suggestion
from stations.models import (
    DEFAULT_SCORING,
    Activity,
    EventKind,
    PerformanceReport,
    ReceptionEvent,
    RosterEntry,
    ScoringRule,
)
from stations.performance import services as perf
from stations.performance.figures import Figures, figures_for
from stations.performance.scoring import Rule
from tests.factories import MembershipFactory, RepresentativeFactory, UserFactory, make_petition

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
HELD, SCHEDULED, CANCELLED, DRAFT = "held", "scheduled", "cancelled", "draft"


def day_in(year, rng):
    """A date of `year` not after today (items are not received in the future)."""
    start = date(year, 1, 1)
    last = min(date(year, 12, 31), timezone.localdate())
    return start + timedelta(days=rng.randint(0, max(0, (last - start).days)))


def make_event(station, when, status=HELD, kind=EventKind.RECEPTION):
    return ReceptionEvent.objects.create(
        station=station, kind=kind, date=when, start_time=time(9), end_time=time(11), place="会议室", status=status
    )


def give_account(rep):
    if rep.user_id is None:
        rep.user = UserFactory(username=f"u-{rep.code}", role=Role.REPRESENTATIVE)
        rep.save(update_fields=["user"])
    return rep.user


def make_suggestion(*, lead, created_at, co_signers=(), number, satisfaction="", rated_at=None, actor):
    s = Suggestion.objects.create(
        number=number,
        title=f"建议{number}",
        content="关于改善道路的建议",
        jurisdiction=lead.jurisdiction,
        lead_representative=lead,
        created_by=actor,
        created_at=created_at,
        satisfaction=satisfaction,
        rated_at=rated_at,
    )
    s.co_signers.set(co_signers)
    return s


@pytest.fixture
def generated(world):
    """A year of activity for the world's representatives and a few more, plus activity of the
    previous year and of other kinds that must not count. Returns the expected figures per rep."""
    w = world
    rng = random.Random(58)
    extra = [RepresentativeFactory(level="township", jurisdiction=w.j.T1) for _ in range(4)]
    for rep in extra:
        MembershipFactory(representative=rep, station=rng.choice([w.S1, w.H1]))
    reps = [w.R1, w.R2, w.R3, w.R4, *extra]
    for rep in reps:
        give_account(rep)
    stations = [w.H1, w.S1, w.S2, w.S3]
    expected = defaultdict(Counter)
    marks = {}  # (rep, petition) -> the years of its follow-up events, whether the mark is on, the year received

    # Reception days: only scheduled and held events of the year count.
    for _ in range(40):
        year = rng.choice([YEAR, YEAR, YEAR, YEAR - 1])
        status = rng.choice([HELD, HELD, HELD, SCHEDULED, CANCELLED, DRAFT])
        kind = rng.choice([EventKind.RECEPTION, EventKind.RECEPTION, EventKind.VOTER_MEETING, EventKind.CAMPAIGN])
        event = make_event(rng.choice(stations), day_in(year, rng), status, kind)
        for rep in rng.sample(reps, rng.randint(0, 3)):
            attended = rng.choice([True, False, None]) if status == HELD else None
            RosterEntry.objects.create(event=event, representative=rep, attended=attended)
            if year == YEAR and status in (HELD, SCHEDULED):
                expected[rep.pk]["rostered"] += 1
                if status == HELD and attended:
                    expected[rep.pk]["attended"] += 1
                elif status == HELD:
                    expected[rep.pk]["missed"] += 1

    # Petitions received; online ones answered in time, late, or not at all; follow-up marks.
    for i in range(45):
        year = rng.choice([YEAR, YEAR, YEAR - 1])
        receivers = rng.sample(reps, rng.randint(0, 2))
        online = rng.random() < 0.4
        petition = make_petition(
            station=rng.choice(stations),
            representatives=receivers,
            actor=w.staff,
            received_on=day_in(year, rng),
            channel="qr" if online else "on_site",
            content=f"第{i}件：小区路灯不亮",
            petitioner_name="张三",
            petitioner_phone="13812345678",
        )
        for rep in receivers:
            if year == YEAR:
                expected[rep.pk]["received"] += 1
                expected[rep.pk]["online"] += int(online)
        if online and receivers:
            rep = receivers[0]
            fate = rng.choice(["in_time", "late", "none"])
            if fate == "late":
                type(petition).objects.filter(pk=petition.pk).update(
                    first_reply_due_at=timezone.now() - timedelta(hours=1)
                )
            if fate != "none":
                petition_reply_online(actor=rep.user, petition=petition, text="您好，已收到，我会跟进。")
            if fate == "in_time" and year == YEAR:
                expected[rep.pk]["online_24h"] += 1
        for rep in receivers:
            if rng.random() < 0.35:
                petition_mark_follow_up(actor=rep.user, petition=petition, on=True)
                marks[(rep.pk, petition.pk)] = {"event_years": {YEAR}, "on": True, "received_year": year}
                if rng.random() < 0.3:
                    petition_mark_follow_up(actor=rep.user, petition=petition, on=False)  # still followed up
                    marks[(rep.pk, petition.pk)]["on"] = False
            if rng.random() < 0.3:
                Rating.objects.create(
                    petition=petition, rater="representative", representative=rep, satisfaction="satisfied"
                )
                expected[rep.pk]["ratings"] += 1
        if rng.random() < 0.3:
            Rating.objects.create(
                petition=petition, rater="resident", satisfaction="basically"
            )  # not a representative's
    # Marks made last year count last year; a mark still on counts in the year the item was received.
    for old in PetitionEvent.objects.filter(kind=PetitionEventKind.FOLLOW_UP_MARKED).order_by("pk")[:4]:
        PetitionEvent.objects.filter(pk=old.pk).update(at=old.at.replace(year=YEAR - 1))
        marks[(w_rep_of(old, reps).pk, old.petition_id)]["event_years"] = {YEAR - 1}
    # A mark set without an event (imported data) on an item of this year, and one on last year's item.
    links = list(PetitionRepresentative.objects.filter(follow_up=False).order_by("pk"))
    for link in links[:3]:
        PetitionRepresentative.objects.filter(pk=link.pk).update(follow_up=True)
        key = (link.representative_id, link.petition_id)
        marks.setdefault(key, {"event_years": set(), "on": True, "received_year": link.received_on.year})["on"] = True
    for (rep_pk, _petition), mark in marks.items():
        if YEAR in mark["event_years"] or (mark["on"] and mark["received_year"] == YEAR):
            expected[rep_pk]["follow_ups"] += 1

    # Suggestions led and co-signed; satisfaction forms of the lead.
    for i in range(14):
        year = rng.choice([YEAR, YEAR, YEAR - 1])
        lead = rng.choice(reps)
        others = rng.sample([r for r in reps if r != lead], rng.randint(0, 3))
        rated = rng.random() < 0.5
        when = timezone.make_aware(timezone.datetime.combine(day_in(year, rng), time(10)))
        make_suggestion(
            lead=lead,
            created_at=when,
            co_signers=others,
            number=f"S-{i}",
            actor=w.office,
            satisfaction="satisfied" if rated else "",
            rated_at=when if rated else None,
        )
        if year == YEAR:
            expected[lead.pk]["led"] += 1
            for r in others:
                expected[r.pk]["cosigned"] += 1
            if rated:
                expected[lead.pk]["ratings"] += 1
    return {"reps": reps, "expected": expected, "extra": extra}


def w_rep_of(event, reps):
    return next(r for r in reps if r.user_id == event.actor_id)


FIGURES = [
    "rostered",
    "attended",
    "missed",
    "received",
    "online",
    "online_24h",
    "led",
    "cosigned",
    "follow_ups",
    "ratings",
]


def expected_score(counter, quota, rules=None):
    rules = rules or {a: DEFAULT_SCORING[a] for a in Activity.values}
    counts = {
        "attended": counter["attended"],
        "missed": counter["missed"],
        "quota_met": 1 if quota and counter["attended"] >= quota else 0,
        "received": counter["received"],
        "online_24h": counter["online_24h"],
        "led": counter["led"],
        "cosigned": counter["cosigned"],
        "follow_up": counter["follow_ups"],
        "rating": counter["ratings"],
    }
    total = Decimal(0)
    for activity, (points, cap, weight) in rules.items():
        raw = points * counts[activity]
        if cap is not None:
            raw = max(-cap, min(cap, raw))
        total += raw * weight
    return total.quantize(Decimal("0.1"))


# --------------------------------------------------------------------------- figures and scores


def test_figures_match_an_independent_count(world, generated):
    got = figures_for([r.pk for r in generated["reps"]], YEAR)
    assert any(sum(c.values()) for c in generated["expected"].values())
    for rep in generated["reps"]:
        exp = generated["expected"][rep.pk]
        figures = got.get(rep.pk, Figures())
        assert {k: getattr(figures, k) for k in FIGURES} == {k: exp[k] for k in FIGURES}, rep.name


def test_score_follows_the_default_rules(world, generated, settings):
    rows = perf.ranking(world.admin, YEAR)
    by_pk = {row.representative.pk: row for row in rows}
    for rep in generated["reps"]:
        quota = settings.LIAISON_RECEPTION_QUOTAS[rep.level]
        assert by_pk[rep.pk].score == expected_score(generated["expected"][rep.pk], quota), rep.name
    scores = [row.score for row in rows]
    assert scores == sorted(scores, reverse=True)
    # Equal scores share a rank; the next rank skips.
    for a, b in itertools.pairwise(rows):
        assert (a.rank == b.rank) == (a.score == b.score)


def test_caps_weights_and_penalties(world):
    rule = Rule(activity="missed", points=Decimal("-2"), cap=Decimal("5"), weight=Decimal("1.5"))
    assert rule.score(1) == Decimal("-3.0")
    assert rule.score(10) == Decimal("-7.5")  # capped at -5, then weighted
    assert Rule(activity="led", points=Decimal("5"), cap=None, weight=Decimal("1")).score(7) == Decimal("35")


def test_ranking_takes_a_bounded_number_of_queries(world, generated, django_assert_max_num_queries, client_for):
    for _ in range(60):  # more representatives must not mean more queries
        rep = RepresentativeFactory(jurisdiction=world.j.T2)
        event = make_event(world.S2, date(YEAR, 1, 5))
        RosterEntry.objects.create(event=event, representative=rep, attended=True)
    with django_assert_max_num_queries(12):  # with the offices' quotas
        rows = perf.ranking(world.office, YEAR)
    assert len(rows) > 60
    client = client_for(world.office)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("performance:ranking"), {"year": YEAR})
    assert response.status_code == 200


# --------------------------------------------------------------------------- rules


def rules_post(rows, **changes):
    """The rules page's POST: every activity as shown, with `changes` {activity: {field: value}}."""
    data = {}
    for row in rows:
        a = row["activity"]
        own = changes.get(a, {}).get("own", bool(row["own"]))
        if own:
            data[f"{a}-own"] = "on"
        for name in ("points", "cap", "weight"):
            value = changes.get(a, {}).get(name, getattr(row["rule"], name))
            data[f"{a}-{name}"] = "" if value is None else str(value)
    return data


def test_the_nearest_rule_applies(world, client_for):
    t1_rep = RepresentativeFactory(jurisdiction=world.j.T1, level="township")
    event = make_event(world.S1, date(YEAR, 1, 6))
    for rep in (world.R1, world.R2, world.R3, t1_rep):
        RosterEntry.objects.create(event=event, representative=rep, attended=True)

    def attended_points(rep):
        return perf.record_for(rep, YEAR).lines[0].points

    assert [attended_points(r) for r in (world.R1, world.R2, world.R3, t1_rep)] == [Decimal("3.0")] * 4

    # The county office (延庆区) sets its own points: its representatives and those of its townships follow.
    office = client_for(world.office)
    rows = perf_rows(world.office)
    response = office.post(reverse("performance:rules"), rules_post(rows, attended={"own": True, "points": "10"}))
    assert response.status_code == 302
    assert [attended_points(r) for r in (world.R1, world.R2, world.R3, t1_rep)] == [
        Decimal("10.0"),
        Decimal("10.0"),
        Decimal("3.0"),
        Decimal("10.0"),
    ]
    assert ScoringRule.objects.get(jurisdiction=world.j.K, activity="attended").updated_by == world.office

    # The township office (延庆镇) sets its own: nearer, so it wins for its representatives only.
    rows = perf_rows(world.office_t1)
    assert rows[0]["inherited_from"] == "延庆区"
    response = client_for(world.office_t1).post(
        reverse("performance:rules"), rules_post(rows, attended={"points": "20"})
    )
    assert response.status_code == 302
    assert [attended_points(r) for r in (world.R1, world.R2, t1_rep)] == [
        Decimal("10.0"),
        Decimal("10.0"),
        Decimal("20.0"),
    ]

    # Unticking the township's own row follows the county again; the score changes with it.
    before = perf.record_for(t1_rep, YEAR).score
    rows = perf_rows(world.office_t1)
    client_for(world.office_t1).post(
        reverse("performance:rules"), rules_post(rows, attended={"own": False, "points": "20"})
    )
    assert attended_points(t1_rep) == Decimal("10.0")
    assert perf.record_for(t1_rep, YEAR).score == before - Decimal("10")


def perf_rows(user):
    from stations.performance.views import _rule_rows

    return _rule_rows(user)


def test_the_administrator_sets_the_defaults(world, client_for):
    rows = perf_rows(world.admin)
    response = client_for(world.admin).post(
        reverse("performance:rules"), rules_post(rows, led={"points": "8", "cap": ""})
    )
    assert response.status_code == 302
    rule = ScoringRule.objects.get(jurisdiction__isnull=True, activity="led")
    assert (rule.points, rule.cap) == (Decimal("8.0"), None)


def test_a_wrong_number_is_refused_in_plain_chinese_and_kept(world, client_for):
    rows = perf_rows(world.office)
    data = rules_post(rows, attended={"own": True, "points": "十分"}, missed={"own": True, "cap": "-3"})
    response = client_for(world.office).post(reverse("performance:rules"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "十分" in html  # what was typed is kept
    assert not ScoringRule.objects.filter(jurisdiction=world.j.K).exists()  # nothing saved
    from django.utils.translation import gettext

    assert gettext("Enter a number, for example 2 or -1.5.") in html
    assert gettext("The limit cannot be negative; leave it empty for no limit.") in html


@pytest.mark.parametrize(
    "who,get,post",
    [
        ("admin", 200, 302),
        ("office", 200, 302),
        ("office_t1", 200, 302),
        ("staff", 403, 403),
        ("rep", 403, 403),
        ("dept", 403, 403),
    ],
)
def test_rules_role_matrix(world, client_for, who, get, post):
    client = client_for(getattr(world, who))
    assert client.get(reverse("performance:rules")).status_code == get
    data = rules_post(perf_rows(world.admin))
    assert client.post(reverse("performance:rules"), data).status_code == post


# --------------------------------------------------------------------------- ranking


@pytest.mark.parametrize(
    "who,status",
    [
        ("admin", 200),
        ("office", 200),
        ("office_k2", 200),
        ("staff", 200),
        ("rep", 403),
        ("dept", 403),
        ("nobody", 200),
    ],
)
def test_ranking_role_matrix(world, client_for, who, status):
    assert client_for(getattr(world, who)).get(reverse("performance:ranking")).status_code == status


def test_ranking_signed_out_goes_to_sign_in(world, client):
    response = client.get(reverse("performance:ranking"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_ranking_shows_each_role_its_own_representatives(world, generated, client_for):
    def codes(user, **params):
        response = client_for(user).get(reverse("performance:ranking"), {"year": YEAR, **params})
        return {row.representative.code for row in response.context["page_obj"].object_list}

    extra = {r.code for r in generated["extra"]}
    assert codes(world.office) == {"R-1", "R-2", "R-4"} | extra
    assert codes(world.office_k2) == {"R-3"}
    assert codes(world.staff) == {"R-1"} | extra  # the representatives of H1 and the stations below it
    assert codes(world.nobody) == set()
    assert codes(world.admin) == {"R-1", "R-2", "R-3", "R-4"} | extra
    assert codes(world.office, jurisdiction=world.j.T2.pk) == {"R-2"}
    assert codes(world.office, level="city") == {"R-4"}
    # A jurisdiction outside the office's scope is not a choice: the filter is ignored, not widened.
    assert codes(world.office_k2, jurisdiction=world.j.T1.pk) == {"R-3"}


def test_ranking_sorts_by_a_figure(world, generated, client_for):
    response = client_for(world.admin).get(reverse("performance:ranking"), {"year": YEAR, "sort": "-received"})
    received = [row.figures.received for row in response.context["page_obj"].object_list]
    assert received == sorted(received, reverse=True)
    response = client_for(world.admin).get(reverse("performance:ranking"), {"year": YEAR, "sort": "name"})
    names = [row.representative.name for row in response.context["page_obj"].object_list]
    assert names == sorted(names)


def test_ranking_exports_to_excel(world, generated, client_for, settings):
    response = client_for(world.office).get(reverse("performance:ranking"), {"year": YEAR, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 3 + len(generated["extra"])  # not R-3 of the other district
    col = {name: i for i, name in enumerate(header)}
    from django.utils.translation import gettext as _

    reps = {r.code: r for r in generated["reps"]}
    for line in body:
        rep = reps[line[col[_("Representative number")]]]
        exp = generated["expected"][rep.pk]
        assert line[col[_("Attended")]] == exp["attended"]
        assert line[col[_("Petitions received")]] == exp["received"]
        assert line[col[_("Answered within 24 hours")]] == exp["online_24h"]
        assert line[col[_("Suggestions led")]] == exp["led"]
        assert line[col[_("Co-signed")]] == exp["cosigned"]
        assert Decimal(str(line[col[_("Score")]])) == expected_score(exp, settings.LIAISON_RECEPTION_QUOTAS[rep.level])
    ranks = [line[col[_("Rank")]] for line in body]
    assert ranks == sorted(ranks) and ranks[0] == 1


# --------------------------------------------------------------------------- the record


@pytest.fixture
def colleague(world):
    """A second representative of S1, with an account: the same station as `rep`, not `rep`."""
    r = RepresentativeFactory(code="R-5", name="孙志强", jurisdiction=world.j.T1, level="township")
    MembershipFactory(representative=r, station=world.S1)
    give_account(r)
    return r


@pytest.mark.parametrize(
    "who,target,status",
    [
        ("rep", "R1", 200),  # own
        ("rep", "colleague", 403),  # in scope (same station), but not their record
        ("rep", "R2", 404),
        ("staff", "R1", 200),
        ("staff", "colleague", 200),
        ("staff", "R2", 404),
        ("office", "R1", 200),
        ("office", "R4", 200),
        ("office", "R3", 404),
        ("office_k2", "R1", 404),
        ("office_t1", "R2", 404),
        ("dept", "R1", 404),
        ("admin", "R3", 200),
    ],
)
def test_record_role_matrix(world, colleague, client_for, who, target, status):
    rep = colleague if target == "colleague" else getattr(world, target)
    client = client_for(getattr(world, who))
    assert client.get(reverse("performance:record", args=[rep.pk, YEAR])).status_code == status
    assert client.get(reverse("performance:report", args=[rep.pk, YEAR])).status_code == status
    assert client.get(reverse("performance:report_print", args=[rep.pk, YEAR])).status_code == status


def test_my_record_opens_the_representatives_own(world, client_for):
    response = client_for(world.rep).get(reverse("performance:mine"))
    assert response.status_code == 302
    assert response["Location"] == reverse("performance:record", args=[world.R1.pk, YEAR])
    assert client_for(world.dept).get(reverse("performance:mine")).status_code == 404
    assert client_for(world.admin).get(reverse("performance:mine"))["Location"] == reverse("performance:ranking")


def test_record_page_shows_the_figures(world, generated, client_for):
    exp = generated["expected"][world.R1.pk]
    response = client_for(world.rep).get(reverse("performance:record", args=[world.R1.pk, YEAR]))
    record = response.context["record"]
    assert {k: getattr(record.figures, k) for k in FIGURES} == {k: exp[k] for k in FIGURES}
    html = response.content.decode()
    assert f'data-figure="received"><div class="figure-value">{exp["received"]}<' in html


# --------------------------------------------------------------------------- the annual report


def report_url(world):
    return reverse("performance:report", args=[world.R1.pk, YEAR])


def test_the_draft_is_built_from_the_record(world, generated, client_for):
    exp = generated["expected"][world.R1.pk]
    response = client_for(world.rep).get(report_url(world))
    record = perf.record_for(world.R1, YEAR)
    text = response.context["form"].initial["text"]
    assert text == perf.report_draft(record)
    assert response.context["form"].initial["version"] == 0
    for value in (YEAR, exp["rostered"], exp["attended"], exp["received"], exp["online_24h"], exp["led"]):
        assert str(value) in text
    assert len(text.split("\n\n")) >= 6  # whole paragraphs, one per part of the record


def test_the_representative_saves_their_report_and_a_stale_page_is_refused(world, client_for):
    client = client_for(world.rep)
    response = client.post(report_url(world), {"text": "第一稿：今年我参加了接待日。", "version": 0})
    assert response.status_code == 302
    report = PerformanceReport.objects.get(representative=world.R1, year=YEAR)
    assert (report.version, report.updated_by, report.text) == (1, world.rep, "第一稿：今年我参加了接待日。")

    # A second page built before that save (version 0) must not overwrite it.
    response = client.post(report_url(world), {"text": "旧页面上写的另一稿", "version": 0})
    assert response.status_code == 200
    assert "旧页面上写的另一稿" in response.content.decode()  # what was typed is kept
    assert response.context["form"].non_field_errors()
    report.refresh_from_db()
    assert (report.version, report.text) == (1, "第一稿：今年我参加了接待日。")
    # The refused form now carries the stored version: saving it again is a deliberate overwrite.
    assert response.context["form"]["version"].value() == "1"
    response = client.post(report_url(world), {"text": "第二稿", "version": 1})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.version, report.text) == (2, "第二稿")


def test_a_form_error_keeps_the_text(world, client_for):
    too_long = "长" * 20001
    response = client_for(world.rep).post(report_url(world), {"text": too_long, "version": 0})
    assert response.status_code == 200
    assert too_long in response.content.decode()
    assert not PerformanceReport.objects.exists()


@pytest.mark.parametrize("who", ["office", "staff", "admin"])
def test_only_the_representative_edits_their_report(world, client_for, who):
    client = client_for(getattr(world, who))
    assert client.post(report_url(world), {"text": "别人写的", "version": 0}).status_code == 403
    response = client.get(report_url(world))
    assert response.status_code == 200 and not response.context["can_edit"]
    assert not PerformanceReport.objects.exists()


def test_the_print_view_shows_the_saved_text(world, client_for):
    perf.performance_report_save(
        actor=world.rep, representative=world.R1, year=YEAR, text="第一段。\n\n第二段。", version=0
    )
    response = client_for(world.office).get(reverse("performance:report_print", args=[world.R1.pk, YEAR]))
    assert response.context["paragraphs"] == ["第一段。", "第二段。"]
    assert "@page { size: A4" in response.content.decode()


# --------------------------------------------------------------------------- the public page


def test_the_public_page_shows_figures_and_no_personal_data(world, generated, client):
    exp = generated["expected"][world.R1.pk]
    response = client.get(reverse("public:representative_record", args=[world.R1.pk]), {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="received"><dt>' in html
    f = response.context["f"]
    assert {k: getattr(f, k) for k in FIGURES} == {k: exp[k] for k in FIGURES}
    for private in ("张三", "13812345678", "小区路灯不亮", world.R1.private_phone, "您好，已收到", "建议S-"):
        assert private not in html
    assert "score" not in response.context  # no evaluation on the public page
    assert response["Cache-Control"].startswith("public") or "public" in response["Cache-Control"]


def test_the_public_page_is_linked_from_the_station_page_and_hides_inactive_representatives(world, client):
    response = client.get(reverse("public:station", args=[world.S1.public_code]))
    assert reverse("public:representative_record", args=[world.R1.pk]) in response.content.decode()
    world.R1.is_active = False
    world.R1.save()
    assert client.get(reverse("public:representative_record", args=[world.R1.pk])).status_code == 404
    assert client.get(reverse("public:representative_record", args=[world.R2.pk]), {"year": "1999"}).status_code == 404


def test_the_public_page_takes_few_queries(world, generated, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert client.get(reverse("public:representative_record", args=[world.R1.pk])).status_code == 200


def test_default_rules_come_from_the_migration(db):
    rules = {r.activity: r for r in ScoringRule.objects.filter(jurisdiction__isnull=True)}
    assert set(rules) == set(Activity.values)
    for activity, (points, cap, weight) in DEFAULT_SCORING.items():
        assert (rules[activity].points, rules[activity].cap, rules[activity].weight) == (points, cap, weight)


def test_a_save_from_a_page_without_the_report_is_refused(world, colleague):
    """A page built before the first save (version 0) does not overwrite it; nobody else writes it."""
    perf.performance_report_save(actor=world.rep, representative=world.R1, year=YEAR, text="甲", version=0)
    with pytest.raises(perf.ReportConflict):
        perf.performance_report_save(actor=world.rep, representative=world.R1, year=YEAR, text="乙", version=0)
    with pytest.raises(PermissionDenied):
        perf.performance_report_save(actor=colleague.user, representative=world.R1, year=YEAR, text="丙", version=1)
    assert PerformanceReport.objects.get(representative=world.R1, year=YEAR).text == "甲"


@pytest.mark.skipif(
    "postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="concurrent transactions need PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_saves_at_the_same_moment_let_one_in(world):
    """Two tabs save the first version at once: no row to lock yet, so the unique row decides;
    the other is refused as stale (not a server error) and nothing is lost silently."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(2)
    results = []

    def save(text):
        try:
            barrier.wait(timeout=10)
            perf.performance_report_save(actor=world.rep, representative=world.R1, year=YEAR, text=text, version=0)
            results.append(("saved", text))
        except perf.ReportConflict:
            results.append(("refused", text))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("甲稿", "乙稿")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(kind for kind, _text in results) == ["refused", "saved"]
    winner = next(text for kind, text in results if kind == "saved")
    report = PerformanceReport.objects.get(representative=world.R1, year=YEAR)
    assert (report.text, report.version) == (winner, 1)
