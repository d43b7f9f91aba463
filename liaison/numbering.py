"""Official numbers with one sequence per year (督〔2026〕12号, 建议〔2026〕001号).

`last_number` reads the number taken last under a prefix; `create_numbered` saves a row under the
next one. Two writers may read the same last number at the same moment: the unique index on the
number refuses the second, which reads again and takes the next one.
"""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Length


def last_number(queryset: QuerySet, prefix: str, field: str = "number") -> str | None:
    """The highest number under `prefix`: the longest first, then the highest as text, so that
    1000 follows 999 whether or not the sequence is zero-padded."""
    return (
        queryset.filter(**{f"{field}__startswith": prefix})
        .order_by(Length(field).desc(), f"-{field}")
        .values_list(field, flat=True)
        .first()
    )


def create_numbered[T](create: Callable[[], T], *, attempts: int) -> T:
    """Run `create()`, which takes the next free number and saves its row, in a savepoint of its
    own; when the unique index refuses the number (another writer took it meanwhile) run it again,
    at most `attempts` times in all, then let the IntegrityError go up."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                return create()
        except IntegrityError:
            if attempt == attempts:
                raise
    raise ValueError("create_numbered needs at least one attempt")
