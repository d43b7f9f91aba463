from django.contrib import admin

from liaison.audit import Action, AuditedAdminMixin
from stations.models import (
    LiaisonOfficer,
    Membership,
    PerformanceReport,
    Representative,
    ScoringRule,
    Station,
    StationDocument,
)


class OfficerInline(admin.TabularInline):
    model = LiaisonOfficer
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["representative"]


class NetworkAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Changes to the network are audit lines; stations and representatives are never deleted
    (a station is closed, a representative's term ends: untick "active")."""

    audit_action = Action.NETWORK

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Station)
class StationAdmin(NetworkAdmin):
    list_display = ["code", "name", "kind", "jurisdiction", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "address"]
    raw_id_fields = ["parent", "jurisdiction", "office"]
    filter_horizontal = ["staff"]
    inlines = [OfficerInline, MembershipInline]


@admin.register(Representative)
class RepresentativeAdmin(NetworkAdmin):
    list_display = ["code", "name", "level", "jurisdiction", "work_unit", "is_active"]
    list_filter = ["level", "is_active", "professional_group"]
    search_fields = ["code", "name", "work_unit"]
    raw_id_fields = ["jurisdiction", "user"]


@admin.register(StationDocument)
class StationDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "station", "kind", "year", "uploaded_at"]
    list_filter = ["kind"]
    raw_id_fields = ["station", "uploaded_by"]


@admin.register(ScoringRule)
class ScoringRuleAdmin(admin.ModelAdmin):
    """The defaults (no jurisdiction) are the administrator's; offices edit theirs on the rules page."""

    list_display = ["activity", "jurisdiction", "points", "cap", "weight", "updated_at", "updated_by"]
    list_filter = ["activity"]
    readonly_fields = ["updated_at", "updated_by"]


@admin.register(PerformanceReport)
class PerformanceReportAdmin(admin.ModelAdmin):
    list_display = ["representative", "year", "updated_at", "updated_by"]
    list_filter = ["year"]
    search_fields = ["representative__name", "representative__code"]
    readonly_fields = ["version", "created_at", "updated_at", "updated_by"]
