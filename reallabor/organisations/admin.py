from django.contrib import admin

from reallabor.core.admin import ReadOnlyAdmin
from reallabor.organisations.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "kind",
        "sub_kind",
        "city",
        "district",
        "alliance_status",
        "profile_published",
        "updated_at",
    ]
    list_filter = ["kind", "sub_kind", "headcount_band", "alliance_status", "profile_published", "district"]
    search_fields = ["name", "slug", "city", "district", "email", "web_domain"]
    list_select_related = ["sector", "trade"]
    readonly_fields = ["revision", "created_at", "updated_at", "name_key", "web_domain", "last_contact_at"]
    raw_id_fields = ["sector", "trade"]
