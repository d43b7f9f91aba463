"""Capabilities by role: what each role may do inside its scope.

The table is the single source; `RoleBackend` answers `user.has_perm()` from
it, so views check ordinary Django permission names. System administrators are
superusers and have every permission.
"""

from django.contrib.auth.backends import BaseBackend

from liaison.models import Role

_NETWORK_VIEW = {
    "stations.view_station",
    "stations.view_representative",
    "stations.view_stationdocument",
}
_NETWORK_EDIT = _NETWORK_VIEW | {
    "stations.add_station",
    "stations.change_station",
    "stations.add_representative",
    "stations.change_representative",
    "stations.change_membership",
    "stations.add_stationdocument",
    "stations.delete_stationdocument",
    "stations.view_private_phone",
    "stations.import_roster",
    "stations.export_roster",
}

# Reception days: everyone who works with stations sees events; staff and the
# office run them (rules, events, rosters, the day's record); the office alone
# makes plans, campaigns and calendar entries.
_RECEPTION_VIEW = {"stations.view_receptionevent", "stations.view_campaign"}
_RECEPTION_RUN = _RECEPTION_VIEW | {
    "stations.add_receptionevent",
    "stations.change_receptionevent",
    "stations.change_rosterentry",
    "stations.record_receptionevent",
    "stations.view_receptionrule",
    "stations.change_receptionrule",
    "stations.view_attendance",
    "liaison.view_outboxmessage",
}
_RECEPTION_PLAN = _RECEPTION_RUN | {
    "stations.view_receptionplan",
    "stations.change_receptionplan",
    "stations.change_campaign",
    "liaison.change_calendarday",
}

# Petitions: everyone sees the ledger of their scope and exports it; staff
# register and edit and see petitioners in full; the others see them masked
# and the office and representatives may reveal a value (logged, with its purpose);
# representatives annotate and answer online items.
_LEDGER = {"petitions.view_petition", "petitions.export_petition"}
# Everyone but departments: the identity behind confidential and anonymous items, and notes.
_INSIDE = {"petitions.view_protected_petitioner", "petitions.view_petitionnote"}
_DESK = (
    _LEDGER
    | _INSIDE
    | {
        "petitions.add_petition",
        "petitions.change_petition",
        "petitions.view_petitioner",
    }
)

# Handling (petitions.handling.workflow): the office triages, assigns, supervises and closes out;
# departments handle what is assigned to them; staff and representatives feed the reply
# back and rate. Representatives never close (代表法 art. 31).
_FEEDBACK = {"petitions.feed_back_petition", "petitions.rate_petition", "petitions.view_commitment"}
_HANDLING_OFFICE = _FEEDBACK | {
    "petitions.triage_petition",
    "petitions.close_petition",
    "petitions.supervise_petition",
    "petitions.view_supervisionnotice",
    "petitions.view_commitment",
    "petitions.view_suggestion",
    "petitions.add_suggestion",
    "petitions.change_suggestion",
    "petitions.view_deadlinerule",
    "petitions.change_deadlinerule",
    "petitions.view_reports",
}

# The performance record (履职档案): the office sees records and the ranking of its jurisdiction and
# sets the scoring rules; staff see their stations' representatives; a representative their own.
_PERFORMANCE_OFFICE = {
    "stations.view_performancerecord",
    "stations.view_performancereport",
    "stations.view_scoringrule",
    "stations.change_scoringrule",
}
_PERFORMANCE_STAFF = {"stations.view_performancerecord", "stations.view_performancereport"}
_PERFORMANCE_OWN = {"stations.view_own_performancerecord", "stations.change_own_performancereport"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COMMITTEE_OFFICE: frozenset(
        _NETWORK_EDIT
        | _RECEPTION_PLAN
        | _LEDGER
        | _INSIDE
        | _HANDLING_OFFICE
        | _PERFORMANCE_OFFICE
        | {
            "liaison.view_jurisdiction",
            "liaison.view_auditentry",
            "petitions.reveal_petitioner",
            "petitions.add_petition",
            "petitions.change_petition",
            # Data-subject requests: find, export, correct or anonymise one resident's data.
            "petitions.manage_personal_data",
            # Its working bodies (委室): their departments and staff (liaison.bodies).
            "liaison.view_workingbody",
            "liaison.change_workingbody",
            # Its own settings (quotas, notice periods, reply hours, SMS signature): liaison.office_settings.
            "liaison.change_officesettings",
        }
    ),
    Role.STATION_STAFF: frozenset(
        _NETWORK_EDIT | _RECEPTION_RUN | _DESK | _FEEDBACK | {"petitions.view_reports"} | _PERFORMANCE_STAFF
    ),
    Role.REPRESENTATIVE: frozenset(
        _NETWORK_VIEW
        | _RECEPTION_VIEW
        | _LEDGER
        | _INSIDE
        | {
            "stations.change_own_profile",
            "stations.volunteer_receptionevent",
            "petitions.reveal_petitioner",
            "petitions.annotate_petition",
            "petitions.reply_online_petition",
        }
        | _FEEDBACK
        | {"petitions.view_supervisionnotice", "petitions.view_suggestion"}
        | _PERFORMANCE_OWN
    ),
    Role.DEPARTMENT: frozenset(
        # Departments see petitioners masked and never reveal them (the QR form's notice says so).
        {"stations.view_receptionevent", "petitions.handle_petition"}
        | _LEDGER
        | {"petitions.view_supervisionnotice", "petitions.view_commitment", "petitions.view_suggestion"}
    ),
    # Working-body staff (委室) read the ledger of the departments their bodies coordinate, supervise
    # them (notices, commitments and their follow-up visits, pressing for progress: the moves that
    # hold `feed_back_petition` are narrowed to URGE by `petitions.handling.policy`), read the reports,
    # and organise those departments' head visits (`stations.reception.policy`). They never triage,
    # assign, close or edit an item, never see a protected petitioner and never reveal one.
    Role.WORKING_BODY: frozenset(
        _NETWORK_VIEW
        | _RECEPTION_VIEW
        | _LEDGER
        | {
            "petitions.view_petitionnote",
            "petitions.feed_back_petition",
            "petitions.supervise_petition",
            "petitions.view_supervisionnotice",
            "petitions.view_commitment",
            "petitions.view_suggestion",
            "petitions.view_reports",
            "stations.add_receptionevent",
            "stations.change_receptionevent",
            "stations.change_rosterentry",
        }
    ),
    # Superusers hold everything; an administrator account without the flag still reads the audit log.
    Role.ADMIN: frozenset({"liaison.view_auditentry"}),
}


class RoleBackend(BaseBackend):
    """Grants the permissions of the user's role; authenticates nobody."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return set(ROLE_PERMISSIONS.get(user_obj.role, ()))

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)
