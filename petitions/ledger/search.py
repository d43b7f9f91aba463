"""Full-text search of Chinese content without a Chinese parser.

Chinese has no spaces, so the text is indexed as overlapping character
bigrams (停车位 → 停车 车位) plus whole latin/digit words, in `search_text`.
On PostgreSQL a GIN index on the stored `to_tsvector('simple', search_text)` serves a
phrase query (停车 <-> 车位), which matches exactly the rows whose text holds
the typed string. `search_text` holds the tsvector literal itself (positions
included, a gap between runs); PostgreSQL keeps it cast to a stored `tsvector`
column (migration 0005). A one-character query and the SQLite default fall back to
`icontains` on the content.
"""

import re

from django.db import connection
from django.db.models import BooleanField, Expression, Q

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


def _run_tokens(run: str) -> list[str]:
    if not _IS_CJK.match(run):
        return [run]
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def bigrams(text: str) -> str:
    """The indexed form of a text: runs separated by a gap so phrases never span two runs."""
    runs = _RUNS.findall((text or "").lower())
    return " | ".join(" ".join(_run_tokens(run)) for run in runs)


MAX_POSITION = 16383  # PostgreSQL's largest tsvector position


def search_document(text: str) -> str:
    """The text as a tsvector literal ('停车':1 '车位':2 '晚上':4 …): the tokens of
    `bigrams()` with their positions, one position left empty between runs, so
    a phrase never matches across punctuation, a space or two fields."""
    parts = []
    position = 0
    for run in _RUNS.findall((text or "").lower()):
        for token in _run_tokens(run):
            position += 1
            if position > MAX_POSITION:
                return " ".join(parts)
            parts.append(f"'{token}':{position}")
        position += 1
    return " ".join(parts)


def search_text_for(petition) -> str:
    parts = [petition.tracking_number, petition.content, petition.address]
    return search_document(" ".join(p for p in parts if p))


def tsquery(text: str) -> str | None:
    """A tsquery string that matches the typed text as phrases; None when nothing is searchable."""
    phrases = []
    for run in _RUNS.findall((text or "").lower()):
        tokens = _run_tokens(run)
        if _IS_CJK.match(run) and len(run) == 1:
            return None  # single characters are not indexed
        phrases.append("(" + " <-> ".join(f"'{t}'" for t in tokens) + ")")
    return " & ".join(phrases) or None


class _Matches(Expression):
    """`<table>.search_vector @@ '…'::tsquery`: the stored column that migration 0005 adds
    on PostgreSQL (not a model field). The alias is read when compiled, so it stays right
    inside subqueries."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, query: str):
        super().__init__()
        self.query = query

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name(compiler.query.get_initial_alias())
        # Cast, not to_tsquery(): the tokens are already the stored lexemes, and PostgreSQL's
        # parser would split some of them (94e89xgw reads as the number 94e89 and a word).
        return f"{alias}.search_vector @@ %s::tsquery", [self.query]


def filter_text(queryset, text: str):
    text = (text or "").strip()
    if not text:
        return queryset
    query = tsquery(text) if connection.vendor == "postgresql" else None
    if query is None:
        upper = text.upper()
        return queryset.filter(Q(content__icontains=text) | Q(address__icontains=text) | Q(tracking_number=upper))
    return queryset.filter(_Matches(query))
