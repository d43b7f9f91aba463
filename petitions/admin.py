from django.contrib import admin

from .models import Category, DeadlineRule, Department, Petition, PetitionEvent, ReplyTemplate


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    raw_id_fields = ["jurisdiction"]
    filter_horizontal = ["members"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The two-level taxonomy is configured here by the system administrator."""

    list_display = ["__str__", "position", "is_active"]
    list_select_related = ["parent"]
    list_filter = ["is_active", "parent"]
    list_editable = ["position", "is_active"]
    search_fields = ["name"]


class EventInline(admin.TabularInline):
    model = PetitionEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "actor_label", "from_status", "to_status", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    """Read-only in admin: every change goes through the services, which keep the history."""

    list_display = ["tracking_number", "received_on", "station", "category", "status", "channel"]
    list_select_related = ["station", "category__parent"]
    list_filter = ["status", "channel", "urgency"]
    search_fields = ["tracking_number"]
    raw_id_fields = ["station", "event", "jurisdiction", "category", "linked_to", "lead_department", "registered_by"]
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """Starting texts for departments' replies, by category and outcome class."""

    list_display = ["title", "category", "outcome", "is_active"]
    list_select_related = ["category__parent"]
    list_filter = ["is_active", "outcome"]
    list_editable = ["is_active"]
    search_fields = ["title", "text"]
    raw_id_fields = ["category"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    """Also editable by the committee office on its own page (petitions:rules)."""

    list_display = ["route", "urgency", "working_days", "co_working_days", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
