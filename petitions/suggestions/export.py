"""The Excel list of representative suggestions (代表建议), as the user filtered it.

The list is scoped and filtered by the caller (`SuggestionFilterForm.filtered()`);
this module only lays it out, in the offices' order of columns.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from liaison.excel import Sheet, write_workbook
from petitions.models import Petition

# The list is small (a district has tens to hundreds a year): written during the request, capped.
EXPORT_MAX_ROWS = 5000
EXPORT_HEADERS = (
    # Translators: 序号 / 建议编号 / 案由 / 领衔代表 / 附议代表 / 承办单位 / 状态 / 提出日期 / 办理时限 / 答复日期 / 答复类别 / 满意度 / 来源群众意见
    (pgettext_lazy("suggestion export", "No."), 6),
    (pgettext_lazy("suggestion export", "Number"), 18),
    (pgettext_lazy("suggestion export", "Title"), 40),
    (pgettext_lazy("suggestion export", "Lead representative"), 12),
    (pgettext_lazy("suggestion export", "Co-signers"), 20),
    (pgettext_lazy("suggestion export", "Handling department"), 20),
    (pgettext_lazy("suggestion export", "Status"), 10),
    (pgettext_lazy("suggestion export", "Drafted on"), 12),
    (pgettext_lazy("suggestion export", "Deadline"), 12),
    (pgettext_lazy("suggestion export", "Replied on"), 12),
    (pgettext_lazy("suggestion export", "Outcome"), 16),
    (pgettext_lazy("suggestion export", "Satisfaction"), 12),
    (pgettext_lazy("suggestion export", "Source items"), 30),
)


def write_export(queryset, target, *, title: str, subtitle: str) -> int:
    """The suggestions of `queryset` (already scoped and filtered) as .xlsx into `target`; returns the row count.

    At most EXPORT_MAX_ROWS rows; the source items' tracking numbers come with one query.
    """
    rows = list(
        queryset.select_related("lead_representative", "department").prefetch_related("co_signers")[:EXPORT_MAX_ROWS]
    )
    sources: dict[int, list[str]] = {}
    for suggestion_id, number in (
        Petition.objects.filter(suggestion__in=[s.pk for s in rows])
        .order_by("received_on", "pk")
        .values_list("suggestion_id", "tracking_number")
    ):
        sources.setdefault(suggestion_id, []).append(number)
    lines = (
        [
            n,
            s.number,
            s.title,
            s.lead_representative.name,
            "、".join(r.name for r in sorted(s.co_signers.all(), key=lambda r: r.pk)),
            s.department.name if s.department_id else "",
            str(s.get_status_display()),
            timezone.localtime(s.created_at).date(),
            s.due_on,
            timezone.localtime(s.replied_at).date() if s.replied_at else None,
            str(s.get_outcome_display()) if s.outcome else "",
            str(s.get_satisfaction_display()) if s.satisfaction else "",
            "、".join(sources.get(s.pk, ())),
        ]
        for n, s in enumerate(rows, start=1)
    )
    sheet = Sheet(
        title=_("Suggestions"),
        heading=title,
        subtitle=[subtitle],
        header=[label for label, _width in EXPORT_HEADERS],
        rows=lines,
        widths=[width for _label, width in EXPORT_HEADERS],
        wrap={2},  # the title
        freeze_columns=2,  # the row number and the suggestion's number stay in view
    )
    return write_workbook(target, sheet)
