"""Who is told what when an item is registered: the ledger's one notice, its texts here.

An item that arrives online (the QR form, a platform) must have a first reply within
`LIAISON_ONLINE_REPLY_HOURS`: its representatives are told at once (inbox, e-mail, a short SMS to
their private mobile), or, at a station without representatives, the station's staff and the staff
above it, so the item never waits unseen. Keys `petition:<pk>:online:rep:<pk>` or `...:user:<pk>`,
written through the outbox (`liaison.outbox`) in the transaction of the registration, sent after
commit, once per `(key, channel)`. The message carries no word of the item: it leaves the system
by e-mail and SMS, and the item is one click away. `services.petition_register` calls it.
"""

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.outbox import Recipient, outbox_write
from petitions.models import Petition
from stations.models import Representative


def notify_online_item(petition: Petition, reps: Iterable[Representative]) -> None:
    """The representatives on an online item are told at once; at a station without
    representatives, its staff are, so the item never waits unseen."""
    from petitions.ledger.services import _station_staff_upwards

    url = reverse("petitions:detail", args=[petition.pk])
    due = timezone.localtime(petition.first_reply_due_at)
    reps = Representative.objects.select_related("user").filter(pk__in=[r.pk for r in reps]).order_by("pk")
    recipients = [(f"rep:{rep.pk}", Recipient.for_representative(rep)) for rep in reps]
    if not recipients and petition.station_id:
        recipients = [
            (f"user:{user.pk}", Recipient.for_user(user)) for user in _station_staff_upwards(petition.station)
        ]
    for suffix, recipient in recipients:
        outbox_write(
            key=f"petition:{petition.pk}:online:{suffix}",
            topic="petition_online",
            recipient=recipient,
            subject=_("New online item %(number)s: please reply by %(due)s")
            % {"number": petition.tracking_number, "due": f"{due:%m-%d %H:%M}"},
            # No content: the message leaves the system by email; the item itself is one click away.
            body=_(
                "A resident sent an item to the station through %(channel)s. Give a first reply within "
                "%(hours)s hours (by %(due)s). Open the item to read it and reply."
            )
            % {
                "channel": petition.get_channel_display(),
                "hours": settings.LIAISON_ONLINE_REPLY_HOURS,
                "due": f"{due:%Y-%m-%d %H:%M}",
            },
            url=url,
            station=petition.station,
            sms_text=_("[Liaison] New online item %(number)s, please reply by %(due)s.")
            % {"number": petition.tracking_number, "due": f"{due:%m-%d %H:%M}"},
        )
