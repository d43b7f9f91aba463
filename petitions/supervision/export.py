"""The traffic-light view in Excel (督办台账): the items in hand, earliest deadline first."""

from datetime import date

from django.utils.translation import gettext as _

from liaison.excel import Sheet
from petitions.supervision import selectors


def deadlines_sheet(rows: list, *, today: date, capped: bool) -> Sheet:
    """The sheet of `rows` (`selectors.light_rows`, already cut to EXPORT_LIMIT); `capped` says more were left out."""
    columns = [
        (_("No."), 6),
        (_("Light"), 12),
        (_("Deadline"), 12),
        (_("Working days left"), 10),
        (_("Days overdue"), 10),
        (_("Tracking number"), 15),
        (_("Handling department"), 22),
        (_("Station"), 18),
        (_("Category"), 16),
        (_("Urgency"), 8),
        (_("Status"), 10),
        (_("Content"), 48),
        (_("Date received"), 12),
    ]
    note = _("As of %(day)s; %(count)s items, earliest deadline first.") % {
        "day": today.isoformat(),
        "count": len(rows),
    }
    if capped:
        note += " " + _("Only the %(limit)s most urgent items are included; narrow the filter for the rest.") % {
            "limit": selectors.EXPORT_LIMIT
        }
    labels = dict(selectors.Light.choices)

    def line(number: int, row) -> list:
        p = row.petition
        return [
            number,
            str(labels[row.light]),
            p.due_on,
            row.deadline.days_left,
            row.deadline.overdue_days or None,
            p.tracking_number,
            p.lead_department.name if p.lead_department else "",
            p.station.name if p.station else "",
            str(p.category) if p.category else "",
            str(p.get_urgency_display()),
            str(p.get_status_display()),
            p.content,
            p.received_on,
        ]

    return Sheet(
        title=_("Deadlines"),
        heading=_("Items in hand by deadline"),
        subtitle=[note],
        header=[label for label, _width in columns],
        rows=(line(number, row) for number, row in enumerate(rows, start=1)),
        widths=[width for _label, width in columns],
        wrap={11},  # the content
    )
