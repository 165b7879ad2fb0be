from django.contrib import admin

from reallabor.core.admin import ReadOnlyAdmin
from reallabor.taxonomy.models import Tag, Term, Vocabulary


@admin.register(Vocabulary)
class VocabularyAdmin(ReadOnlyAdmin):
    list_display = ["name", "family", "version", "kind", "retired_at"]
    list_filter = ["kind", "family"]
    search_fields = ["name", "name_en", "family"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Term)
class TermAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "local_name", "vocabulary", "parent"]
    list_filter = ["vocabulary"]
    list_select_related = ["vocabulary", "parent__vocabulary"]
    search_fields = ["code", "name", "name_en", "local_name"]


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    list_display = ["term", "content_type", "object_id", "priority", "share", "note"]
    list_filter = ["term__vocabulary", "content_type", "priority"]
    list_select_related = ["term__vocabulary", "content_type"]
