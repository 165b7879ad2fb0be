from django.contrib import admin

from reallabor.core.admin import ReadOnlyAdmin
from reallabor.history.models import Version


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ["object_repr", "content_type", "revision", "action", "user", "created_at"]
    list_filter = ["action", "content_type"]
    list_select_related = ["content_type", "user"]
    search_fields = ["object_repr"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at"]
