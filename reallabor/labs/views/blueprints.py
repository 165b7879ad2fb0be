"""Blueprint pages for administrators: download a lab as a blueprint, import a blueprint as a new lab.

Both go through ``labs.services`` (``export_blueprint``, ``import_blueprint``); the import shows
every problem of a refused file as ``path: message`` and writes nothing then.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import acting_user, get_visible_or_404, internal_view, require
from reallabor.labs import blueprints, permissions, services
from reallabor.labs.forms import BlueprintImportForm
from reallabor.labs.models import Lab


@internal_view
@require_safe
def lab_export(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    lab = get_visible_or_404(Lab, user, slug=slug)
    require(permissions.can_export_blueprint(user, lab), _("Only administrators may export blueprints."))
    content = blueprints.dumps(services.export_blueprint(user=user, lab=lab))
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{lab.slug}-blaupause.json"'
    return response


def _summary(result: services.ImportResult) -> list[str]:
    values = {"name": result.name, "count": result.measures}
    if result.dry_run:
        lines = [
            ngettext(
                "The blueprint is valid: importing it would create the lab “%(name)s” with %(count)s measure.",
                "The blueprint is valid: importing it would create the lab “%(name)s” with %(count)s measures.",
                result.measures,
            )
            % values
        ]
    else:
        lines = [
            ngettext(
                "The lab “%(name)s” was imported with %(count)s measure; it and its measures are unpublished.",
                "The lab “%(name)s” was imported with %(count)s measures; it and its measures are unpublished.",
                result.measures,
            )
            % values
        ]
    if result.created_organisations:
        lines.append(_("New organisations: %(names)s.") % {"names": "; ".join(result.created_organisations)})
    if result.created_terms:
        lines.append(_("New vocabulary terms: %(names)s.") % {"names": "; ".join(result.created_terms)})
    return lines


@internal_view
def lab_import(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(permissions.can_import_blueprint(user), _("Only administrators may import blueprints."))
    problems: list[str] = []
    if request.method == "POST":
        form = BlueprintImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                data = blueprints.parse(form.cleaned_data["file"].read())
                result = services.import_blueprint(
                    user=user,
                    data=data,
                    slug=form.cleaned_data["slug"] or None,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ValidationError as error:
                problems = blueprints.error_lines(error_dict(error))
            else:
                for line in _summary(result):
                    messages.success(request, line)
                if result.lab is not None:
                    return redirect(result.lab.get_absolute_url())
                form = BlueprintImportForm(initial={"slug": form.cleaned_data["slug"]})
    else:
        form = BlueprintImportForm()
    context = {
        "form": form,
        "problems": problems,
        "crumbs": [(_("Labs"), reverse("labs:lab-list")), (_("Import blueprint"), None)],
    }
    return render(request, "labs/lab_import.html", context)
