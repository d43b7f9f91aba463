"""The stations app's models, gathered from its sub-domain packages.

Django loads an app's models from `<app>.models`; each package keeps its own
(`network`, `reception`, `performance`) and this module names them for the rest
of the code.
"""

from stations.network.models import (  # noqa: F401
    _PUBLIC_ALPHABET,
    ALLOWED_PARENT_KINDS,
    ROOT_KINDS,
    Level,
    LiaisonOfficer,
    Membership,
    ProfessionalGroup,
    Representative,
    Station,
    StationDocument,
    StationKind,
    mobile_validator,
    new_public_code,
    phone_validator,
    representative_photo_path,
    station_document_path,
    station_photo_path,
)
from stations.performance.models import DEFAULT_SCORING, Activity, PerformanceReport, ScoringRule  # noqa: F401
from stations.reception.models import (  # noqa: F401
    Campaign,
    EventKind,
    EventPhoto,
    ReceptionEvent,
    ReceptionPlan,
    ReceptionRule,
    RosterEntry,
    Weekday,
    event_photo_path,
)
