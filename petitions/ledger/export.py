"""Excel export of the ledger in the offices' usual layout (序号, 登记日期, 群众姓名 …).

The rows are the ledger's own filtered queryset for the user (so nothing
outside their scope), masked as on screen (`privacy.Petitioner`). Rows are
read with `values()` in chunks and written to a write-only workbook, so memory
stays flat however many rows there are; the receiving representatives' names
come with one query per chunk. Small exports are written during the request,
large ones by the `petition_export` job runner.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import batched
from types import SimpleNamespace

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.excel import ALERT_FONT, Sheet, Styled, write_workbook
from liaison.jobs import JobRejected, JobResult, runner, temp_path
from liaison.models import Role
from petitions.handling.workflow import is_overdue
from petitions.ledger import privacy
from petitions.ledger.listing import ledger_filter_summary, ledger_queryset
from petitions.models import PetitionRepresentative, Satisfaction, Status

EXPORT_KIND = "petition_export"
EXPORT_PERMISSION = "petitions.export_petition"
CHUNK = 2000


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy: the header is written in the language of the request or job
    width: float
    wrap: bool = False


# The offices' layout; tracking number and status come last so the familiar columns keep their places.
COLUMNS = (
    # Translators: 序号 (row number in the ledger export)
    Column("number", gettext_lazy("No."), 6),
    # Translators: 登记日期
    Column("received_on", gettext_lazy("Date registered"), 12),
    # Translators: 群众姓名
    Column("name", gettext_lazy("Petitioner's name"), 10),
    # Translators: 联系电话
    Column("phone", gettext_lazy("Contact phone"), 14),
    # Translators: 反映问题
    Column("content", gettext_lazy("Issue raised"), 48, wrap=True),
    # Translators: 类别
    Column("category", gettext_lazy("Category"), 16, wrap=True),
    # Translators: 接待代表
    Column("representatives", gettext_lazy("Receiving representatives"), 14, wrap=True),
    # Translators: 承办单位
    Column("department", gettext_lazy("Handling unit"), 18, wrap=True),
    # Translators: 办理时限
    Column("due_on", gettext_lazy("Time limit"), 12),
    # Translators: 办理情况
    Column("handling", gettext_lazy("Handling"), 36, wrap=True),
    # Translators: 反馈情况
    Column("feedback", gettext_lazy("Feedback"), 30, wrap=True),
    # Translators: 满意度
    Column("satisfaction", gettext_lazy("Satisfaction"), 10),
    # Translators: 追踪编号
    Column("tracking_number", gettext_lazy("Tracking number"), 15),
    # Translators: 状态
    Column("status", gettext_lazy("Status"), 12),
)
TITLE_ROWS = 2  # the title and the line that says what was exported; the header follows
DUE_ON = next(i for i, c in enumerate(COLUMNS) if c.key == "due_on")

VALUES = (
    "pk",
    "tracking_number",
    "received_on",
    "petitioner_name",
    "petitioner_phone",
    "petitioner_address",
    "id_number_masked",
    "is_anonymous",
    "is_confidential",
    "content",
    "category__name",
    "category__parent__name",
    "lead_department__name",
    "due_on",
    "handling_summary",
    "feedback_summary",
    "satisfaction",
    "status",
)

# --------------------------------------------------------------------------- the rows


def export_queryset(user, params: QueryDict):
    """The ledger's filtered, sorted queryset for `user` (the rows the ledger page lists)."""
    return ledger_queryset(user, params)


def _receivers(petition_ids: list[int]) -> dict[int, list[str]]:
    """Receiving representatives' names of a chunk of petitions: one query."""
    names: dict[int, list[str]] = {}
    rows = (
        PetitionRepresentative.objects.filter(petition_id__in=petition_ids, role=PetitionRepresentative.Role.RECEIVED)
        .order_by("petition_id", "pk")
        .values_list("petition_id", "representative__name")
    )
    for petition_id, name in rows:
        names.setdefault(petition_id, []).append(name)
    return names


class _Masker:
    """`privacy.Petitioner` per row without a query or a permission check per row: the
    access level depends only on the user and on whether the item is protected."""

    def __init__(self, user):
        self.user = user
        self.levels = {
            protected: privacy.access(user, SimpleNamespace(is_confidential=protected, is_anonymous=protected))
            for protected in (False, True)
        }

    def __call__(self, row: dict) -> privacy.Petitioner:
        petition = SimpleNamespace(**row)
        level = self.levels[bool(row["is_confidential"] or row["is_anonymous"])]
        return privacy.Petitioner(self.user, petition, level=level)


def _category(row) -> str:
    name, parent = row["category__name"], row["category__parent__name"]
    if not name:
        return ""
    return f"{parent} › {name}" if parent else name


def iter_rows(queryset, user, *, on_chunk: Callable[[int], None] | None = None) -> Iterator[dict]:
    """One dict per petition (keys of COLUMNS), masked for `user`; `on_chunk(rows so far)` after each chunk."""
    mask = _Masker(user)
    statuses, satisfactions = dict(Status.choices), dict(Satisfaction.choices)
    today = timezone.localdate()
    number = 0
    rows = queryset.values(*VALUES).iterator(chunk_size=CHUNK)
    for chunk in batched(rows, CHUNK):
        receivers = _receivers([row["pk"] for row in chunk])
        for row in chunk:
            number += 1
            petitioner = mask(row)
            yield {
                "number": number,
                "received_on": row["received_on"],
                "name": petitioner.name,
                "phone": petitioner.phone,
                "content": row["content"],
                "category": _category(row),
                "representatives": "、".join(receivers.get(row["pk"], ())),
                "department": row["lead_department__name"] or "",
                "due_on": row["due_on"],
                "handling": row["handling_summary"],
                "feedback": row["feedback_summary"],
                "satisfaction": str(satisfactions.get(row["satisfaction"], "")),
                "tracking_number": row["tracking_number"],
                "status": str(statuses.get(row["status"], row["status"])),
                "overdue": is_overdue(row["status"], row["due_on"], today),
            }
        if on_chunk:
            on_chunk(number)


# --------------------------------------------------------------------------- the workbook


def scope_label(user) -> str:
    """What part of the ledger this user's export covers, for the title row."""
    from liaison.access import scope_for

    scope = scope_for(user)
    if scope.everything:
        return _("all jurisdictions")
    if user.role == Role.COMMITTEE_OFFICE and user.jurisdiction_id:
        return user.jurisdiction.name
    if user.role == Role.REPRESENTATIVE and scope.representative_id:
        from stations.models import Representative

        name = Representative.objects.filter(pk=scope.representative_id).values_list("name", flat=True).first()
        return _("representative %(name)s") % {"name": name}
    if user.role == Role.DEPARTMENT:
        from petitions.models import Department

        return "、".join(Department.objects.filter(pk__in=scope.department_ids).values_list("name", flat=True)[:3])
    if user.role == Role.WORKING_BODY:
        from liaison.models import WorkingBody

        return "、".join(WorkingBody.objects.visible_to(user).values_list("name", flat=True)[:3])
    if user.role == Role.STATION_STAFF:
        names = list(user.staffed_stations.values_list("name", flat=True)[:4])
        label = "、".join(names[:3])
        return _("%(stations)s and others") % {"stations": label} if len(names) > 3 else label
    return ""


def ledger_sheet(rows: Iterable[dict], *, title: str, subtitle: str) -> Sheet:
    """The ledger sheet of `rows` (from `iter_rows`): the title and what was exported, then the table.

    The header and the number and date columns stay in view; an overdue time limit is red.
    """
    keys = [c.key for c in COLUMNS]

    def cells(row: dict) -> list:
        values = [row[key] for key in keys]
        if row["overdue"]:
            values[DUE_ON] = Styled(row["due_on"], ALERT_FONT)
        return values

    return Sheet(
        title=_("Ledger"),
        heading=title,
        subtitle=[subtitle],
        header=[c.label for c in COLUMNS],
        rows=map(cells, rows),
        widths=[c.width for c in COLUMNS],
        wrap={i for i, c in enumerate(COLUMNS) if c.wrap},
        freeze_columns=2,
    )


def export_title(user) -> str:
    scope = scope_label(user)
    # Translators: the title row of the ledger export: 群众意见台账（延庆区）
    return _("Petition ledger (%(scope)s)") % {"scope": scope} if scope else _("Petition ledger")


def export_subtitle(filters: str) -> str:
    when = timezone.localtime()
    parts = [filters or _("No filter: the whole ledger in your scope.")]
    parts.append(_("Exported %(when)s.") % {"when": f"{when:%Y-%m-%d %H:%M}"})
    return " ".join(parts)


def export_filename() -> str:
    return f"{_('Petition ledger')}-{timezone.localdate():%Y%m%d}.xlsx"


def write_export(user, params: QueryDict, target, *, on_chunk=None) -> int:
    """The user's filtered ledger as .xlsx into `target`; returns the row count."""
    queryset = export_queryset(user, params)
    sheet = ledger_sheet(
        iter_rows(queryset, user, on_chunk=on_chunk),
        title=export_title(user),
        subtitle=export_subtitle(ledger_filter_summary(user, params)),
    )
    return write_workbook(target, sheet)


# --------------------------------------------------------------------------- the job


@runner(EXPORT_KIND)
def run_petition_export(job, progress) -> JobResult:
    """Write the export of `job.params["query"]` for the job's owner, reporting progress per chunk."""
    owner = job.owner
    if not owner.is_active or not owner.has_perm(EXPORT_PERMISSION):
        raise JobRejected(_("You may no longer export the ledger."))
    params = QueryDict(job.params.get("query", ""))
    progress.total(export_queryset(owner, params).count())
    path = temp_path()
    count = write_export(owner, params, path, on_chunk=lambda n: progress.advance(n, force=True))
    return JobResult(message=_("%(count)s petitions exported.") % {"count": count}, path=path, name=export_filename())
