"""The event ledger in Excel, as the user filtered it (the list page's queryset)."""

from itertools import batched

from django.utils.translation import gettext as _

from liaison.excel import Sheet
from stations.reception.events import selectors


def events_sheet(queryset) -> Sheet:
    """The ledger as a sheet: 日期, 时间, 联络站, 类型, 地点, 代表, 状态, 接待群众, 收集意见.

    The rows are read in chunks of 1,000 events, each with one query for its rosters' names.
    """

    def rows():
        for batch in batched(queryset.iterator(chunk_size=1000), 1000):
            for event in selectors.with_roster_names(batch):
                yield [
                    event.date,
                    f"{event.start_time:%H:%M}–{event.end_time:%H:%M}",
                    event.station.name,
                    event.get_kind_display(),
                    event.place,
                    "、".join(event.roster_names),
                    event.get_status_display(),
                    event.residents_received,
                    event.opinions_collected,
                ]

    return Sheet(
        title=_("Reception events"),
        header=[
            _("Date"),
            _("Time"),
            _("Station"),
            _("Kind"),
            _("Place"),
            _("Representatives"),
            _("Status"),
            _("Residents received"),
            _("Opinions collected"),
        ],
        rows=rows(),
        widths=[12, 13, 24, 14, 28, 30, 10, 10, 10],
    )
