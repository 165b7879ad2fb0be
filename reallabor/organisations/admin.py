from django.contrib import admin

from reallabor.core.admin import ReadOnlyAdmin
from reallabor.organisations.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "city", "district", "updated_at"]
    list_filter = ["kind", "district"]
    search_fields = ["name", "slug", "city", "district"]
    readonly_fields = ["revision", "created_at", "updated_at"]
