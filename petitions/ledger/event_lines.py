"""The lines the history's renderers are made of: one per recorded fact, in one order.

`petitions.ledger.events` pairs each kind of event with the facts it shows (`_facts(...)`);
the words of each fact live here once, so two kinds that record a deadline say it alike.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from petitions.models import FeedbackMethod, Outcome, Petition, Satisfaction


@dataclass(frozen=True)
class RenderContext:
    """What a renderer may need beyond the row: the tracking numbers this reader may see named."""

    visible_numbers: frozenset[str] = frozenset()


def field_label(name: str) -> str:
    try:
        return str(Petition._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def value_text(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    try:
        choices = dict(Petition._meta.get_field(name).flatchoices)
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(value, value))


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else value


# One line per recorded fact, always in this order, each kind naming the facts it records.
def _line_department(d):
    return [_("Department: %(name)s") % {"name": d["department"]}] if d.get("department") else []


def _line_offices(d):
    """A hand-over between committee offices (escalated, sent back down, taken over)."""
    if d.get("from_office") and d.get("to_office"):
        return [_("From %(from)s to %(to)s") % {"from": d["from_office"], "to": d["to_office"]}]
    return [_("Office: %(name)s") % {"name": d["to_office"]}] if d.get("to_office") else []


def _line_co_departments(d):
    return [_("Co-handling: %(names)s") % {"names": "、".join(d["co_departments"])}] if d.get("co_departments") else []


def _line_leader(d):
    if not d.get("responsible_leader"):
        return []
    return [_("Responsible leader: %(name)s") % {"name": d["responsible_leader"]}]


def _line_due(d):
    return [_("Deadline: %(date)s") % {"date": d["due_on"]}] if d.get("due_on") else []


def _line_co_due(d):
    return [_("Co-handlers' deadline: %(date)s") % {"date": d["co_due_on"]}] if d.get("co_due_on") else []


def _line_moved(d):
    if not (d.get("from") and d.get("to")):
        return []
    return [_("Deadline %(from)s → %(to)s") % {"from": d["from"], "to": d["to"]}]


def _line_outcome(d):
    return [_("Outcome: %(outcome)s") % {"outcome": _label(Outcome, d["outcome"])}] if d.get("outcome") else []


def _line_method(d):
    return [_("Fed back: %(method)s") % {"method": _label(FeedbackMethod, d["method"])}] if d.get("method") else []


def _line_rating(d):
    if not d.get("satisfaction"):
        return []
    who = d.get("representative") or _("resident")
    return [_("%(who)s: %(rating)s") % {"who": who, "rating": _label(Satisfaction, d["satisfaction"])}]


def _line_suggestion(d):
    return [_("Suggestion: %(number)s") % {"number": d["suggestion"]}] if d.get("suggestion") else []


def _line_notice(d):
    if not (d.get("number") and d.get("subject")):
        return []
    return [_("Supervision notice %(number)s: %(subject)s") % {"number": d["number"], "subject": d["subject"]}]


def _line_round(d):
    return [_("Handled once more: round %(n)s") % {"n": d.get("new_round", 2)}] if d.get("reopened") else []


def _line_until(d):
    return [_("Suspended until %(date)s") % {"date": d["until"]}] if d.get("until") else []


def _line_days(d):
    if not d.get("days"):
        return []
    return [
        ngettext(
            "Deadlines moved forward by %(n)s working day", "Deadlines moved forward by %(n)s working days", d["days"]
        )
        % {"n": d["days"]}
    ]


def _line_automatic(d):
    return [_("Resumed on its resume date")] if d.get("automatic") else []


def _line_words(d):
    return [str(d[key]) for key in ("text", "reason", "note", "comment") if d.get(key)]


def _facts(*lines: Callable[[dict], list[str]]) -> Callable[[dict, RenderContext], list[str]]:
    """A renderer that shows the given facts, in the order given."""

    def render(data: dict, ctx: RenderContext) -> list[str]:
        return [line for make in lines for line in make(data)]

    return render


def _nothing(data: dict, ctx: RenderContext) -> list[str]:
    return []


# -- the renderers of the ledger's own kinds (`events.RENDERERS`) ------------------------------------


def _render_registered(d, ctx):
    lines = []
    if d.get("channel"):
        lines.append(_("Channel: %(channel)s") % {"channel": value_text("channel", d["channel"])})
    if d.get("representatives"):
        lines.append(_("Received by: %(names)s") % {"names": "、".join(d["representatives"])})
    return lines


def _render_linked(d, ctx):
    lines = []
    if d.get("target") in ctx.visible_numbers:
        lines.append(_("Handled together with %(number)s") % {"number": d["target"]})
    elif d.get("target"):
        lines.append(_("Handled together with an item outside your ledger"))
    if d.get("linked") in ctx.visible_numbers:
        lines.append(_("Item %(number)s was linked to this one") % {"number": d["linked"]})
    elif d.get("linked"):
        lines.append(_("An item outside your ledger was linked to this one"))
    return lines


def _render_files(d, ctx):
    return ["、".join(d["files"])] if d.get("files") else []


def _render_representative(d, ctx):
    return [_("Representative: %(name)s") % {"name": d["representative"]}] if d.get("representative") else []


def _render_revealed(d, ctx):
    from petitions.ledger.privacy import RevealPurpose

    lines = [_("Field: %(field)s") % {"field": field_label(d["field"])}] if d.get("field") else []
    if d.get("purpose") in RevealPurpose.values:
        lines.append(_("Purpose: %(purpose)s") % {"purpose": RevealPurpose(d["purpose"]).label})
    if d.get("note"):
        lines.append(d["note"])
    return lines


def _render_personal_data(d, ctx):
    from petitions.ledger.subjects import ACTIONS, REASONS

    return [str(labels[d[key]]) for key, labels in (("action", ACTIONS), ("reason", REASONS)) if d.get(key) in labels]
