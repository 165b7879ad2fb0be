from django.contrib import admin

from reallabor.core.admin import ReadOnlyAdmin, ReadOnlyGenericTabularInline, ReadOnlyTabularInline
from reallabor.labs.models import (
    Activity,
    Actor,
    Financing,
    Lab,
    LabMembership,
    LabOrganisation,
    Measure,
    Result,
    TargetGroup,
)
from reallabor.taxonomy.models import Tag


class LabMembershipInline(ReadOnlyTabularInline):
    model = LabMembership
    fields = ["user", "role"]


class LabOrganisationInline(ReadOnlyTabularInline):
    model = LabOrganisation
    fields = ["organisation", "role"]


class MeasureInline(ReadOnlyTabularInline):
    model = Measure
    fields = ["title", "status", "is_published", "position"]
    show_change_link = True


@admin.register(Lab)
class LabAdmin(ReadOnlyAdmin):
    list_display = ["name", "phase", "coordinator", "is_published", "updated_at"]
    list_filter = ["phase", "is_published"]
    list_select_related = ["coordinator"]
    search_fields = ["name", "slug"]
    readonly_fields = ["revision", "created_at", "updated_at"]
    inlines = [LabMembershipInline, LabOrganisationInline, MeasureInline]


class ActivityInline(ReadOnlyTabularInline):
    model = Activity


class FinancingInline(ReadOnlyTabularInline):
    model = Financing


class ActorInline(ReadOnlyTabularInline):
    model = Actor


class TargetGroupInline(ReadOnlyTabularInline):
    model = TargetGroup


class ResultInline(ReadOnlyTabularInline):
    model = Result


class TagInline(ReadOnlyGenericTabularInline):
    model = Tag
    fields = ["term", "priority", "share", "note"]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["title", "lab", "status", "is_published", "position", "updated_at"]
    list_filter = ["lab", "status", "is_published"]
    list_select_related = ["lab"]
    search_fields = ["title", "slug", "summary"]
    readonly_fields = ["revision", "created_at", "updated_at"]
    inlines = [
        ActivityInline,
        FinancingInline,
        ActorInline,
        TargetGroupInline,
        ResultInline,
        TagInline,
    ]


@admin.register(LabMembership)
class LabMembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "lab", "role", "created_at"]
    list_filter = ["role", "lab"]
    list_select_related = ["user", "lab"]
    search_fields = ["user__email", "user__last_name", "lab__name"]
