"""The ledger's own notices: who is told when an item arrives online, and who counts as a station's staff.

An item sent online (the QR form, Open311) waits for a first reply from the representatives on it
within the hours that apply at its place (`liaison.office_settings`, fixed on the item when it is
registered): they are told at once; at a station without representatives,
its staff (and the staff above it) are. The message carries no content: it leaves the system by
e-mail and SMS, and the item is one click away. One outbox row per recipient and channel, keyed
`petition:<pk>:online:<recipient>`.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.outbox import Recipient, outbox_write
from petitions.models import Petition


def notify_online_item(petition: Petition, reps) -> None:
    """The representatives on an online item are told at once; at a station without
    representatives, its staff are, so the item never waits unseen."""
    from stations.models import Representative

    url = reverse("petitions:detail", args=[petition.pk])
    due = timezone.localtime(petition.first_reply_due_at)
    reps = Representative.objects.select_related("user").filter(pk__in=[r.pk for r in reps]).order_by("pk")
    recipients = [(f"rep:{rep.pk}", Recipient.for_representative(rep)) for rep in reps]
    if not recipients and petition.station_id:
        recipients = [(f"user:{user.pk}", Recipient.for_user(user)) for user in station_staff_upwards(petition.station)]
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
                "hours": petition.first_reply_hours,
                "due": f"{due:%Y-%m-%d %H:%M}",
            },
            url=url,
            station=petition.station,
            place=petition.area_code,
            sms_text=_("New online item %(number)s, please reply by %(due)s.")
            % {"number": petition.tracking_number, "due": f"{due:%m-%d %H:%M}"},
        )


def station_staff_upwards(station) -> list:
    """The active staff of a station and of the stations above it (who see its items too)."""
    from liaison.models import User

    ids, node = [], station
    while node is not None and len(ids) < 5:
        ids.append(node.pk)
        node = node.parent
    return list(User.objects.filter(staffed_stations__pk__in=ids, is_active=True).distinct().order_by("pk"))
