from axes import admin as axes_admin
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from liaison.audit import Action, AuditedAdminMixin
from liaison.models import AuditEntry, Job, Jurisdiction, Office, TwoFactorDevice, User, WorkingBody
from liaison.twofactor import twofactor_reset

admin.site.site_header = _("Representative Liaison Platform administration")
admin.site.site_title = _("Representative Liaison Platform")


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    list_per_page = 100


@admin.register(Office)
class OfficeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Committee offices: named and typed by the administrator; never deleted (items name their owner)."""

    audit_action = Action.NETWORK
    list_display = ["name", "kind", "jurisdiction"]
    list_filter = ["kind", "jurisdiction__level"]
    search_fields = ["name", "jurisdiction__code", "jurisdiction__name"]
    raw_id_fields = ["jurisdiction"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkingBody)
class WorkingBodyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Working bodies (委室): kept by their office on its page (liaison.bodies); deactivated, never deleted."""

    audit_action = Action.NETWORK
    list_display = ["name", "office", "is_active"]
    list_filter = ["is_active", "office__jurisdiction__level"]
    search_fields = ["name", "office__name"]
    raw_id_fields = ["office"]
    filter_horizontal = ["departments", "members"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    """Accounts are disabled (untick "active"), never deleted: their history keeps its author.
    Every addition and change (role, area, permissions, password) is an audit line."""

    audit_action = Action.ACCOUNT
    list_display = ["username", "full_name", "role", "jurisdiction", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name", "phone"]
    raw_id_fields = ["jurisdiction"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "phone", "email"]}),
        (_("Role and area"), {"fields": ["role", "jurisdiction", "is_active"]}),
        (_("Administration"), {"fields": ["is_staff", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "role", "jurisdiction", "password1", "password2"],
            },
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "kind", "status", "progress_done", "progress_total", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, read only: no one adds, changes or deletes a line (PostgreSQL refuses too)."""

    list_display = ["at", "user_label", "address", "action", "object_type", "object_label", "result"]
    list_filter = ["action", "result"]
    search_fields = ["user_label", "object_label", "object_pk", "address"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _KeptLogMixin:
    """Sign-in records are kept: the admin shows them and deletes none."""

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


for _model, _admin_class in (
    (AccessLog, axes_admin.AccessLogAdmin),
    (AccessFailureLog, axes_admin.AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(_admin_class.__name__, (_KeptLogMixin, _admin_class), {}))


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    """Read-only: the one change is switching a second factor off for a user who lost both phone
    and recovery codes (recorded); nothing is added or deleted here, the key is never shown."""

    list_display = ["user", "created_at", "disabled_at", "locked_until"]
    list_filter = ["disabled_at"]
    search_fields = ["user__username", "user__full_name"]
    fields = ["user", "created_at", "disabled_at", "failures", "locked_until"]
    readonly_fields = fields
    actions = ["switch_off"]

    @admin.action(description=_("Switch the second factor off (phone and recovery codes lost)"))
    def switch_off(self, request, queryset):
        for device in queryset.filter(disabled_at__isnull=True):
            twofactor_reset(device=device, actor=request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
