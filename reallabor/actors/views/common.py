"""Shared by the actors' pages: the office gate (administrators and lab coordinators)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from reallabor.actors.permissions import can_see_personal_data
from reallabor.core.views_helpers import internal_view, require


def office_view[V: Callable[..., HttpResponseBase]](view: V) -> V:
    """Pages with personal data: anonymous visitors go to the login page, everyone but the
    office (administrators, lab coordinators) gets the 403 page, before anything is looked up."""

    @internal_view
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        require(
            can_see_personal_data(request.user),
            _("Only the office's staff (administrators and lab coordinators) see the actors' personal data."),
        )
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
