"""Models of the liaison network and its reception days."""

from .network import (  # noqa: F401
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
from .performance import DEFAULT_SCORING, Activity, PerformanceReport, ScoringRule  # noqa: F401
from .reception import (  # noqa: F401
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
