"""Reads for the registration desk: the day's defaults, the form's scoped choices,
similar open items, and the receipt's QR code.

Everything starts from a scoped queryset (`visible_to(user)`), so a choice,
a default or a similar item outside the user's scope is never offered.
"""

import re
from dataclasses import dataclass, field
from datetime import date

import segno
from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse

from liaison.jurisdictions import LEVEL_DIGITS, code_at, under_q
from liaison.models import Jurisdiction
from petitions.ledger.search import bigrams
from petitions.models import Category, Petition
from stations.models import Membership, ReceptionEvent, Representative, RosterEntry, Station
from stations.reception.workflow import PUBLIC

# Events staff register petitions against: planned or held ones, never drafts or cancelled.
DESK_EVENT_STATUSES = PUBLIC
SIMILAR_LIMIT = 5
# Candidates read to rank by shared bigrams; the newest of the station or community first.
SIMILAR_CANDIDATES = 200
# The rarer-looking bigrams a query is reduced to (an OR of these finds the candidates).
SIMILAR_QUERY_BIGRAMS = 12
# Words residents use in almost every item; they say nothing about the matter.
_COMMON_BIGRAMS = frozenset(
    [
        "问题",
        "反映",
        "希望",
        "我们",
        "没有",
        "一个",
        "进行",
        "解决",
        "相关",
        "部门",
        "情况",
        "居民",
        "群众",
        "现在",
        "目前",
        "已经",
        "能够",
        "可以",
        "需要",
        "要求",
        "建议",
        "是否",
        "这个",
        "那个",
        "因为",
        "所以",
        "但是",
        "而且",
        "还是",
        "比较",
        "非常",
        "影响",
        "导致",
        "存在",
        "不能",
        "不是",
        "大家",
        "时间",
        "时候",
        "一直",
        "经常",
        "社区",
        "小区",
        "村里",
        "附近",
        "周边",
    ]
)


# --------------------------------------------------------------------------- the day's defaults


def desk_stations(user, include=None):
    """Stations the user may register items for (the form's station choices); `include`
    keeps an edited item's own station choosable even if it has closed since."""
    visible = Station.objects.visible_to(user)
    active = Q(is_active=True) | Q(pk=include) if include else Q(is_active=True)
    return visible.filter(active).select_related("jurisdiction").order_by("code")


def events_on(user, day: date, station=None):
    """The user's reception events on `day` (scheduled or held), at stations they see."""
    queryset = (
        ReceptionEvent.objects.visible_to(user)
        .filter(date=day, status__in=DESK_EVENT_STATUSES, station__in=desk_stations(user))
        .select_related("station")
        .order_by("start_time", "station__code", "pk")
    )
    if station is not None:
        queryset = queryset.filter(station=station)
    return queryset


def default_station(user, day: date):
    """The station of the first event that day; else the user's only station; else None."""
    event = events_on(user, day).first()
    if event is not None:
        return event.station
    own = list(user.staffed_stations.filter(is_active=True)[:2]) if hasattr(user, "staffed_stations") else []
    if len(own) == 1:
        return own[0]
    stations = list(desk_stations(user)[:2])
    return stations[0] if len(stations) == 1 else None


def roster_representatives(event) -> list[Representative]:
    """The event's rostered representatives, those recorded present first; absent ones last."""
    if event is None:
        return []
    entries = (
        RosterEntry.objects.filter(event=event, representative__is_active=True)
        .select_related("representative")
        .annotate(
            presence=Case(
                When(attended=True, then=Value(0)),
                When(attended__isnull=True, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("presence", "representative__name")
    )
    rows = list(entries)
    if any(e.attended for e in rows):
        # Once attendance is recorded, only those present received residents.
        rows = [e for e in rows if e.attended]
    return [e.representative for e in rows]


def station_members(user, station, event=None):
    """Representatives who may receive at `station`: its members the user sees, the
    event's roster first (present ones first), then the station head, then by name."""
    if station is None:
        return Representative.objects.none()
    rostered = [r.pk for r in roster_representatives(event)] if event is not None else []
    members = dict(Membership.objects.filter(station=station).values_list("representative_id", "role"))
    heads = [pk for pk, role in members.items() if role == Membership.Role.HEAD and pk not in rostered]
    first = rostered + heads
    order = [When(pk=pk, then=Value(i)) for i, pk in enumerate(first)]
    return (
        Representative.objects.visible_to(user)
        .filter(is_active=True, pk__in=set(members) | set(rostered))
        .annotate(desk_order=Case(*order, default=Value(len(first)), output_field=IntegerField()))
        .order_by("desk_order", "name", "pk")
    )


# --------------------------------------------------------------------------- places and categories


def communities_for(user, station):
    """Where a problem at `station` may lie: the communities of the station's county the
    user sees, plus the station's own jurisdiction when it is not a community."""
    if station is None:
        return Jurisdiction.objects.none()
    own = station.jurisdiction
    county = own.code[: LEVEL_DIGITS["county"]]
    return (
        Jurisdiction.objects.visible_to(user)
        .filter((Q(level=Jurisdiction.Level.COMMUNITY) & under_q(county, "code")) | Q(pk=own.pk))
        .order_by("code")
    )


def default_community(station):
    return station.jurisdiction if station is not None else None


def grouped_communities(communities) -> list:
    """Choices grouped by township (<optgroup>), the station's own non-community place first."""
    rows = list(communities)
    townships = {
        j.code: j.name
        for j in Jurisdiction.objects.filter(
            code__in={code_at(c.code, "township") for c in rows if c.level == "community"}
        )
    }
    loose, groups = [], {}
    for c in rows:
        if c.level != Jurisdiction.Level.COMMUNITY:
            loose.append((c.pk, c.name))
            continue
        key = code_at(c.code, "township")
        groups.setdefault(townships.get(key, key), []).append((c.pk, c.name))
    return loose + list(groups.items())


def category_choices(empty_label) -> list:
    """Active categories as <optgroup>s: each top-level node first (the general case), then its children."""
    nodes = list(Category.objects.filter(is_active=True).select_related("parent").order_by("position", "pk"))
    choices = [("", empty_label)]
    children = {}
    for node in nodes:
        if node.parent_id:
            children.setdefault(node.parent_id, []).append(node)
    for top in (n for n in nodes if n.parent_id is None):
        kids = children.get(top.pk, [])
        if not kids:
            choices.append((top.pk, top.name))
            continue
        choices.append((top.name, [(top.pk, top.name)] + [(k.pk, k.name) for k in kids]))
    return choices


def active_categories():
    return Category.objects.filter(is_active=True).filter(Q(parent__isnull=True) | Q(parent__is_active=True))


# --------------------------------------------------------------------------- similar open items


@dataclass
class Similar:
    petition: Petition
    shared: int
    summary: str = field(default="")


_TOKEN = re.compile(r"\S+")


def _tokens(text: str) -> set[str]:
    return {t for t in _TOKEN.findall(bigrams(text)) if t != "|"}


def query_bigrams(text: str, limit: int = SIMILAR_QUERY_BIGRAMS) -> list[str]:
    """The typed text reduced to a few telling tokens: no common words; longer latin/digit words first."""
    seen, ordered = set(), []
    for token in _TOKEN.findall(bigrams(text)):
        if token == "|" or token in seen or token in _COMMON_BIGRAMS:
            continue
        seen.add(token)
        ordered.append(token)
    # Bigrams of the middle of a long text are as good as its start; spread the choice.
    if len(ordered) > limit:
        step = len(ordered) / limit
        ordered = [ordered[int(i * step)] for i in range(limit)]
    return ordered


def similar_open(
    user, *, text: str, station=None, community=None, exclude_pk=None, limit=SIMILAR_LIMIT
) -> list[Similar]:
    """Open items in the user's scope at the same station or in the same community that
    share words with `text`, most shared bigrams first (ties: newest first)."""
    words = query_bigrams(text)
    if not words or (station is None and community is None):
        return []
    base = Petition.objects.visible_to(user).open()
    place = Q(pk__in=[])
    if station is not None:
        place |= Q(station=station)
    if community is not None:
        place |= Q(jurisdiction=community)
    base = base.filter(place)
    if exclude_pk:
        base = base.exclude(pk=exclude_pk)
    matches = base.search(words[0])
    for word in words[1:]:
        matches = matches | base.search(word)
    candidates = matches.only(
        "pk", "tracking_number", "received_on", "status", "content", "station_id", "jurisdiction_id"
    ).order_by("-received_on", "-pk")[:SIMILAR_CANDIDATES]
    wanted = _tokens(text) - _COMMON_BIGRAMS
    # One shared bigram is chance in Chinese; ask for two unless the text is that short.
    threshold = 1 if len(wanted) <= 2 else 2
    ranked = []
    for petition in candidates:
        shared = len(wanted & _tokens(petition.content))
        if shared >= threshold:
            ranked.append(Similar(petition=petition, shared=shared, summary=petition.content[:60]))
    ranked.sort(key=lambda s: (-s.shared, -s.petition.received_on.toordinal(), -s.petition.pk))
    return ranked[:limit]


# --------------------------------------------------------------------------- the receipt


def tracking_url(number: str) -> str:
    """The absolute address of the public tracking page of `number` (printed on the receipt)."""
    return settings.SITE_URL + reverse("tracking:detail", args=[number])


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG data URI (level M, like the stations' posters)."""
    return segno.make_qr(url, error="m", boost_error=False).svg_data_uri(scale=4, border=4, dark="#000", light="#fff")
