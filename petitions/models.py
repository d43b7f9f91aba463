"""The petitions app's models, gathered from its sub-domain packages.

Django loads an app's models from `<app>.models`; each package keeps its own
(`ledger`, `handling`, `open311`) and this module only names them, so that
`from petitions.models import Petition, Assignment` works from anywhere.
"""

from petitions.handling.models import *  # noqa: F403
from petitions.ledger.files import *  # noqa: F403
from petitions.ledger.models import *  # noqa: F403
from petitions.ledger.units import *  # noqa: F403
from petitions.open311.models import *  # noqa: F403
