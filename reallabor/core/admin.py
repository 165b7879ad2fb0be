"""Read-only admin for the domain models.

Every write goes through the services (`<app>/services.py`), which check permissions, validate
the complete input and record the history. The admin therefore only shows records, to
administrators: adding, changing and deleting are switched off here, and a request that tries
anyway gets 403. Actions that change something call a service explicitly.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db.models import Model
from django.http import HttpRequest

from reallabor.accounts.permissions import is_admin


def _may_view(request: HttpRequest) -> bool:
    return is_admin(request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model admin that shows records to administrators and changes nothing."""

    list_per_page = 50

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _may_view(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class _ReadOnlyInlineMixin:
    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_view(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyTabularInline(_ReadOnlyInlineMixin, admin.TabularInline):
    pass


class ReadOnlyGenericTabularInline(_ReadOnlyInlineMixin, GenericTabularInline):
    pass
