from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from petitions.models import ApiClient, Category, DeadlineRule, Department, Petition, PetitionEvent, ReplyTemplate


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

    def has_delete_permission(self, request, obj=None):
        return False  # never deleted: its tracking page, history and figures stay


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


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Open311 clients (12345 hotlines, city platforms). The key is generated here and shown once."""

    list_display = ["name", "jurisdiction", "default_station", "key_prefix", "is_active", "created_at", "last_used_at"]
    list_select_related = ["jurisdiction", "default_station"]
    list_filter = ["is_active"]
    search_fields = ["name", "key_prefix"]
    raw_id_fields = ["jurisdiction", "default_station"]
    readonly_fields = ["key_prefix", "created_at", "last_used_at"]
    actions = ["new_key"]

    def save_model(self, request, obj, form, change):
        if not change:
            self._new_keys(request).append((obj, obj.set_new_key()))
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The key is shown on this one page and never stored readable: not in a message (the
        # message storage may keep it in a cookie), not in the database.
        if self._new_keys(request):
            return self._show_keys(request)
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description=gettext_lazy("Generate a new key (the old one stops working)"))
    def new_key(self, request, queryset):
        for client in queryset:
            self._new_keys(request).append((client, client.set_new_key()))
            client.save(update_fields=["key_prefix", "key_hash"])
        return self._show_keys(request)

    @staticmethod
    def _new_keys(request) -> list:
        if not hasattr(request, "_open311_new_keys"):
            request._open311_new_keys = []
        return request._open311_new_keys

    def _show_keys(self, request):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("New API key"),
            "keys": [{"client": client, "key": raw} for client, raw in self._new_keys(request)],
        }
        response = TemplateResponse(request, "admin/petitions/apiclient/new_key.html", context)
        add_never_cache_headers(response)
        return response
