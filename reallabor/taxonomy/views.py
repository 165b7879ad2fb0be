"""Vocabulary pages: every signed-in user reads them; administrators edit terms and start versions.

The SDG vocabulary is fixed: only the city's local wording of its terms can be changed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import acting_user, add_service_errors, internal_view, require
from reallabor.taxonomy import permissions, services
from reallabor.taxonomy.forms import LocalWordingForm, TermForm
from reallabor.taxonomy.models import Term, Vocabulary


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Vocabularies"), reverse("taxonomy:vocabulary-list")), *tail]


def _current(family: str) -> Vocabulary:
    vocabulary = Vocabulary.objects.filter(family=family, retired_at__isnull=True).first()
    if vocabulary is None:
        raise Http404(_("There is no such vocabulary."))
    return vocabulary


def _detail_url(vocabulary: Vocabulary) -> str:
    if vocabulary.is_retired:
        return reverse(
            "taxonomy:vocabulary-version", kwargs={"family": vocabulary.family, "version": vocabulary.version}
        )
    return reverse("taxonomy:vocabulary-detail", kwargs={"family": vocabulary.family})


@internal_view
def vocabulary_list(request: HttpRequest) -> HttpResponse:
    vocabularies = Vocabulary.objects.annotate(term_count=Count("terms")).order_by("family", "-version")
    families: dict[str, dict[str, Any]] = {}
    for vocabulary in vocabularies:
        entry = families.setdefault(vocabulary.family, {"current": None, "retired": []})
        if vocabulary.is_retired:
            entry["retired"].append(vocabulary)
        else:
            entry["current"] = vocabulary
    context = {
        "families": sorted(
            families.values(),
            key=lambda entry: (entry["current"] or entry["retired"][0]).label.lower(),
        ),
        "crumbs": [(_("Vocabularies"), None)],
    }
    return render(request, "taxonomy/vocabulary_list.html", context)


@internal_view
def vocabulary_detail(request: HttpRequest, family: str, version: int | None = None) -> HttpResponse:
    if version is None:
        vocabulary = _current(family)
    else:
        vocabulary = get_object_or_404(Vocabulary, family=family, version=version)
    terms = list(vocabulary.terms.order_by("position", "code"))
    children: dict[int, list[Term]] = defaultdict(list)
    for term in terms:
        if term.parent_id:
            children[term.parent_id].append(term)
    tree = [(term, children.get(term.pk, [])) for term in terms if not term.parent_id]
    user = acting_user(request)
    editable = not vocabulary.is_retired and permissions.can_edit_vocabulary(user, vocabulary)
    context = {
        "vocabulary": vocabulary,
        "tree": tree,
        "term_count": len(terms),
        "versions": Vocabulary.objects.filter(family=family).order_by("-version"),
        "may_edit_terms": editable,
        "may_edit_wording": not vocabulary.is_retired
        and not vocabulary.is_editable
        and permissions.can_edit_vocabulary(user),
        "may_start_version": editable,
        "crumbs": _crumbs((str(vocabulary), None)),
    }
    return render(request, "taxonomy/vocabulary_detail.html", context)


@internal_view
def term_create(request: HttpRequest, family: str) -> HttpResponse:
    vocabulary = _current(family)
    require(
        permissions.can_edit_vocabulary(acting_user(request), vocabulary),
        _("This vocabulary is fixed.") if not vocabulary.is_editable else _("Only administrators add terms."),
    )
    form = TermForm(request.POST if request.method == "POST" else None, instance=Term(vocabulary=vocabulary))
    if request.method == "POST" and form.is_valid():
        try:
            data = form.to_data()
            if "position" not in data:
                last = vocabulary.terms.aggregate(last=Max("position"))["last"]
                data["position"] = (last or 0) + 1
            term = services.create_term(user=acting_user(request), vocabulary=vocabulary, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(term)s” was added.") % {"term": term.label})
            return redirect(_detail_url(vocabulary))
    context = {
        "form": form,
        "vocabulary": vocabulary,
        "term": None,
        "crumbs": _crumbs((str(vocabulary), _detail_url(vocabulary)), (_("New term"), None)),
    }
    return render(request, "taxonomy/term_form.html", context)


@internal_view
def term_edit(request: HttpRequest, family: str, code: str) -> HttpResponse:
    vocabulary = _current(family)
    term = get_object_or_404(Term.objects.select_related("vocabulary"), vocabulary=vocabulary, code=code)
    form: TermForm | LocalWordingForm
    data = request.POST if request.method == "POST" else None
    if vocabulary.is_editable:
        require(
            permissions.can_edit_vocabulary(acting_user(request), vocabulary),
            _("Only administrators edit terms."),
        )
        form = TermForm(data, instance=Term.objects.get(pk=term.pk))
    else:
        require(permissions.can_edit_vocabulary(acting_user(request)), _("Only administrators edit terms."))
        form = LocalWordingForm(data, initial={"local_name": term.local_name})
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(form, TermForm):
                term = services.update_term(user=acting_user(request), term=term, data=form.to_data())
            else:
                term = services.set_local_wording(
                    user=acting_user(request), term=term, local_name=form.cleaned_data["local_name"]
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(term)s” was saved.") % {"term": term.label})
            return redirect(_detail_url(vocabulary))
    context = {
        "form": form,
        "vocabulary": vocabulary,
        "term": term,
        "wording_only": not vocabulary.is_editable,
        "crumbs": _crumbs((str(vocabulary), _detail_url(vocabulary)), (term.label, None)),
    }
    return render(request, "taxonomy/term_form.html", context)


@internal_view
def vocabulary_new_version(request: HttpRequest, family: str) -> HttpResponse:
    vocabulary = _current(family)
    require(
        permissions.can_edit_vocabulary(acting_user(request), vocabulary),
        _("This vocabulary is fixed.")
        if not vocabulary.is_editable
        else _("Only administrators start versions."),
    )
    errors: list[str] = []
    if request.method == "POST":
        try:
            successor = services.create_vocabulary_version(user=acting_user(request), vocabulary=vocabulary)
        except ValidationError as error:
            errors = [message for messages_ in error_dict(error).values() for message in messages_]
        else:
            messages.success(
                request,
                _("Version %(version)s of “%(name)s” was started; the previous version keeps its tags.")
                % {"version": successor.version, "name": successor.label},
            )
            return redirect(_detail_url(successor))
    context = {
        "vocabulary": vocabulary,
        "errors": errors,
        "crumbs": _crumbs((str(vocabulary), _detail_url(vocabulary)), (_("New version"), None)),
    }
    return render(request, "taxonomy/vocabulary_confirm_new_version.html", context)
