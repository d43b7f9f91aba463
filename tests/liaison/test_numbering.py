"""Official numbers (`liaison/numbering.py`): a writer refused by the unique number tries the next
one, a bounded number of times. (`last_number` is covered by the notice and suggestion numbering
tests: tests/petitions/test_supervision.py, test_suggestions.py.)"""

import pytest
from django.db import IntegrityError

from liaison.numbering import create_numbered


def refused(times: int):
    """A `create` whose number is taken `times` times before one is free; it records each try."""
    tries = []

    def create():
        tries.append(len(tries) + 1)
        if len(tries) <= times:
            raise IntegrityError("UNIQUE constraint failed: number")
        return f"row {len(tries)}"

    return create, tries


def test_a_taken_number_is_tried_again(db):
    create, tries = refused(2)
    assert create_numbered(create, attempts=3) == "row 3"
    assert tries == [1, 2, 3]


def test_the_refusal_goes_up_after_the_last_attempt(db):
    create, tries = refused(5)
    with pytest.raises(IntegrityError):
        create_numbered(create, attempts=3)
    assert tries == [1, 2, 3]
