"""One plain form per handling move, and beside each form its move's page (`PAGES`: its form,
its service, its title, button and help); `petitions.handling.views.act` serves them all.

The forms live by who acts, as the services do: `office`, `department`, `closing`, on `base`; each
module declares the pages of its moves, gathered here.

Every form carries the item's `version` as it was when the page was built, so a
second person acting at the same moment is told instead of overwriting.
"""

from petitions.handling.forms.base import *  # noqa: F403
from petitions.handling.forms.closing import *  # noqa: F403
from petitions.handling.forms.closing import PAGES as _CLOSING
from petitions.handling.forms.department import *  # noqa: F403
from petitions.handling.forms.department import PAGES as _DEPARTMENT
from petitions.handling.forms.office import *  # noqa: F403
from petitions.handling.forms.office import PAGES as _OFFICE

PAGES = {**_OFFICE, **_DEPARTMENT, **_CLOSING}
