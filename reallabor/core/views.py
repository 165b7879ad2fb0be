"""The home page and the statements every public German site needs (accessibility, imprint)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reallabor.core.views_helpers import acting_user
from reallabor.labs.selectors import labs_for_list

HOME_LABS = 12
"""The home page shows at most this many labs as cards; the lab list has them all."""


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    labs = list(labs_for_list(acting_user(request))[: HOME_LABS + 1])
    return render(request, "core/home.html", {"labs": labs[:HOME_LABS], "more_labs": len(labs) > HOME_LABS})


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html", {"crumbs": [(_("Accessibility"), None)]})


@require_safe
def imprint(request: HttpRequest) -> HttpResponse:
    return render(request, "core/imprint.html", {"crumbs": [(_("Imprint"), None)]})
