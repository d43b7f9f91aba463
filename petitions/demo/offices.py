"""Which committee office owns the demo items, for rows written in bulk.

`petitions.ledger.services.petition_register` writes an item's owning and handling office
(`liaison.offices.owner_for`). The demo stories (`petitions.demo.petitions`) and the bulk loader
(`petitions.demo.bulk`) write their rows without it: every row comes from `Maker.item`, which
writes both from `station_owners`, the rule of `liaison.offices.station_owner` (the office set on
the station, else the nearest office above its place) for every station at once. Written with
the row, the office costs the load nothing; an UPDATE afterwards rewrote every row and all its
indexes (200,000 rows on a busy 2-core machine: 38 s with the secondary indexes dropped, 120 s
with them). `office_accounts` names the account that acts for each office in the stories.
"""

from django.db.models import Q

from liaison.jurisdictions import codes_above, under_q
from liaison.models import Jurisdiction, Office, Role, User
from stations.models import Station


def station_owners(stations=None) -> dict[int, int]:
    """Station pk → pk of the office that owns its items, for the stations of the queryset
    `stations` (every station by default) that have one; stations below no office are left out."""
    offices = dict(Office.objects.values_list("jurisdiction__code", "pk"))
    if not offices:
        return {}
    stations = Station.objects.all() if stations is None else stations
    rows = stations.filter(Q(office__isnull=False) | under_q(list(offices), "jurisdiction__code")).values_list(
        "pk", "office_id", "jurisdiction__code"
    )
    nearest, owners = {}, {}
    for pk, office_id, code in rows.iterator(chunk_size=5000):
        if office_id is None:
            if code not in nearest:
                nearest[code] = next((offices[c] for c in reversed(codes_above(code)) if c in offices), None)
            office_id = nearest[code]
        if office_id is not None:
            owners[pk] = office_id
    return owners


def township_offices() -> set[int]:
    """The offices of a township or street (a presidium, a street 人大工委): they assign to their
    own township's government only (`liaison.jurisdictions.departments_for_assignment`)."""
    return set(Office.objects.filter(jurisdiction__level=Jurisdiction.Level.TOWNSHIP).values_list("pk", flat=True))


def office_accounts() -> dict[int, User]:
    """Office pk → the account that acts for it in the demo stories: the first active
    committee-office account of its jurisdiction."""
    offices = dict(Office.objects.values_list("jurisdiction_id", "pk"))
    accounts = {}
    users = User.objects.filter(role=Role.COMMITTEE_OFFICE, is_active=True, jurisdiction_id__in=list(offices))
    for user in users.order_by("pk"):
        accounts.setdefault(offices[user.jurisdiction_id], user)
    return accounts
