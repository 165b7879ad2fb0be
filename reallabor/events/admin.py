"""Read-only admin for the events (every write goes through ``reallabor.events.services``)."""

from django.contrib import admin

from reallabor.core.admin import ReadOnlyAdmin, ReadOnlyTabularInline
from reallabor.events.models import Event, EventDocument, EventSeries, Question, Registration


class QuestionInline(ReadOnlyTabularInline):
    model = Question
    fields = ["position", "label", "kind", "required"]


class DocumentInline(ReadOnlyTabularInline):
    model = EventDocument
    fields = ["title", "kind", "uploaded_at"]


@admin.register(EventSeries)
class EventSeriesAdmin(ReadOnlyAdmin):
    list_display = ["title", "lab", "is_public", "updated_at"]
    list_filter = ["is_public"]
    list_select_related = ["lab"]
    search_fields = ["title", "slug"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["title", "starts_at", "series", "status", "visibility", "capacity"]
    list_filter = ["status", "visibility", "format"]
    list_select_related = ["series"]
    search_fields = ["title", "slug"]
    date_hierarchy = "starts_at"
    inlines = [QuestionInline, DocumentInline]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "event", "status", "source", "checked_in_at"]
    list_filter = ["status", "source"]
    list_select_related = ["event"]
    search_fields = ["last_name", "email", "code"]
    raw_id_fields = ["person", "organisation", "event"]
