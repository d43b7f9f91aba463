"""The figures of the performance record (履职档案): what each representative did in a year. They
are counted from data already in the system, one grouped query per activity over all the
representatives asked for (never a query per representative): a county has about a thousand.
Reads only.

What counts in a year (each figure is one representative's):
- rostered / attended / missed / upcoming: roster entries on scheduled or held events of the year
  (as the attendance report counts them); missed = held without a check-in;
- received: items the representative received (`PetitionRepresentative` "received"), by date received;
- online / online_24h: of those, the items sent online (they carry a first-reply deadline), and the
  ones the representative answered (a reply event by their own account) before the deadline;
- led / cosigned: suggestions created in the year with the representative as lead or co-signer;
- follow_ups: items followed or marked for follow-up by the representative's own account in the
  year (the history's events), and items received in the year that they follow or that carry their
  follow-up mark (rows without such an event: imported or demo data);
- ratings: ratings of departments' answers given in the year, and suggestion satisfaction forms
  the lead representative filled in.
"""

from dataclasses import dataclass, fields

from django.db.models import Count, Exists, OuterRef, Q

from petitions.ledger.events import PetitionEventKind
from petitions.models import PetitionEvent, PetitionRepresentative, Rating, Suggestion
from stations.models import Activity, RosterEntry
from stations.reception.workflow import COUNTED, UPCOMING, EventStatus


@dataclass
class Figures:
    rostered: int = 0
    attended: int = 0
    missed: int = 0
    upcoming: int = 0
    quota: int = 0
    received: int = 0
    online: int = 0
    online_24h: int = 0
    led: int = 0
    cosigned: int = 0
    follow_ups: int = 0
    ratings: int = 0

    def count(self, activity: str) -> int:
        """How many times the activity happened (the quota bonus: 1 when met, else 0)."""
        if activity == Activity.QUOTA_MET:
            return 1 if self.quota and self.attended >= self.quota else 0
        return {
            Activity.ATTENDED: self.attended,
            Activity.MISSED: self.missed,
            Activity.RECEIVED: self.received,
            Activity.ONLINE_24H: self.online_24h,
            Activity.LED: self.led,
            Activity.COSIGNED: self.cosigned,
            Activity.FOLLOW_UP: self.follow_ups,
            Activity.RATING: self.ratings,
        }[activity]

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FIGURE_NAMES = [f.name for f in fields(Figures)]


def _rep_ids(representatives):
    """A subquery of ids (a queryset) or a plain list."""
    if hasattr(representatives, "values"):
        return representatives.order_by().values("pk")
    return [r.pk if hasattr(r, "pk") else r for r in representatives]


def figures_for(representatives, year: int) -> dict[int, Figures]:
    """Figures of `year` per representative id: seven grouped queries whatever their number."""
    ids = _rep_ids(representatives)
    out: dict[int, Figures] = {}

    def put(rows, key="representative_id", **names):
        for row in rows:
            figures = out.setdefault(row[key], Figures())
            for attr, column in names.items():
                setattr(figures, attr, getattr(figures, attr) + row[column])

    held = Q(event__status=EventStatus.HELD)
    not_present = Q(attended=False) | Q(attended__isnull=True)
    put(
        RosterEntry.objects.filter(representative_id__in=ids, event__date__year=year, event__status__in=COUNTED)
        .order_by()
        .values("representative_id")
        .annotate(
            n_rostered=Count("pk"),
            n_attended=Count("pk", filter=held & Q(attended=True)),
            n_missed=Count("pk", filter=held & not_present),
            n_upcoming=Count("pk", filter=Q(event__status__in=UPCOMING)),
        ),
        rostered="n_rostered",
        attended="n_attended",
        missed="n_missed",
        upcoming="n_upcoming",
    )

    answered_in_time = Exists(
        PetitionEvent.objects.filter(
            petition=OuterRef("petition"),
            kind=PetitionEventKind.REPLIED,
            actor=OuterRef("representative__user"),
            at__lte=OuterRef("petition__first_reply_due_at"),
        )
    )
    put(
        PetitionRepresentative.objects.filter(
            representative_id__in=ids, role=PetitionRepresentative.Role.RECEIVED, received_on__year=year
        )
        .order_by()
        .annotate(in_time=answered_in_time)
        .values("representative_id")
        .annotate(
            n_received=Count("pk"),
            n_online=Count("pk", filter=Q(petition__first_reply_due_at__isnull=False)),
            n_online_24h=Count("pk", filter=Q(petition__first_reply_due_at__isnull=False, in_time=True)),
        ),
        received="n_received",
        online="n_online",
        online_24h="n_online_24h",
    )

    put(
        Suggestion.objects.filter(lead_representative_id__in=ids, created_at__year=year)
        .order_by()
        .values("lead_representative_id")
        .annotate(n=Count("pk")),
        key="lead_representative_id",
        led="n",
    )
    put(
        Suggestion.co_signers.through.objects.filter(representative_id__in=ids, suggestion__created_at__year=year)
        .order_by()
        .values("representative_id")
        .annotate(n=Count("pk")),
        cosigned="n",
    )

    followed_in_year = Exists(
        PetitionEvent.objects.filter(
            petition=OuterRef("petition"),
            kind__in=[PetitionEventKind.FOLLOWED, PetitionEventKind.FOLLOW_UP_MARKED],
            actor=OuterRef("representative__user"),
            at__year=year,
        )
    )
    put(
        PetitionRepresentative.objects.filter(representative_id__in=ids)
        .filter(
            followed_in_year
            | ((Q(role=PetitionRepresentative.Role.FOLLOWING) | Q(follow_up=True)) & Q(received_on__year=year))
        )
        .order_by()
        .values("representative_id")
        .annotate(n=Count("pk")),
        follow_ups="n",
    )

    put(
        Rating.objects.filter(rater=Rating.Rater.REPRESENTATIVE, representative_id__in=ids, created_at__year=year)
        .order_by()
        .values("representative_id")
        .annotate(n=Count("pk")),
        ratings="n",
    )
    put(
        Suggestion.objects.filter(lead_representative_id__in=ids, rated_at__year=year)
        .exclude(satisfaction="")
        .order_by()
        .values("lead_representative_id")
        .annotate(n=Count("pk")),
        key="lead_representative_id",
        ratings="n",
    )
    return out
