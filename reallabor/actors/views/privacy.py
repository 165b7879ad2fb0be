"""The data-protection pages (office only; erasure, anonymisation, the consent texts' new versions
and the audit trail for administrators).

- a person's consents and data protection (the consent panel as a page), recording and
  withdrawing consent (htmx swaps the panel in place), the JSON export, erasure and
  anonymisation with a confirmation page;
- the consent texts with their versions; the retention list; the audit trail.

Every change goes through ``actors.services.consent`` and ``actors.services.privacy``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.actors import permissions
from reallabor.actors.forms.privacy import (
    SERVICE_FIELDS,
    AnonymiseConfirmForm,
    AuditFilterForm,
    ConsentRecordForm,
    ConsentTextForm,
    ConsentWithdrawForm,
    EraseConfirmForm,
    RetentionForm,
)
from reallabor.actors.models import Affiliation, Consent, ConsentText, Person, PersonalDataAccess, Purpose
from reallabor.actors.services import consent as consent_services
from reallabor.actors.services import privacy
from reallabor.actors.views.common import office_view
from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import (
    acting_user,
    add_service_errors,
    get_visible_or_404,
    is_htmx,
    render_page,
    require,
    safe_next,
)

PER_PAGE = 50
MAX_PAGE = 2000
PANEL_TEMPLATE = "actors/includes/consent_panel.html"


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def _page(rows: Any, number: int) -> tuple[list[Any], bool]:
    """One page of ``rows`` and whether there is a next one (one row more, no count)."""
    start = (number - 1) * PER_PAGE
    found = list(rows[start : start + PER_PAGE + 1])
    return found[:PER_PAGE], len(found) > PER_PAGE


def _privacy_crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("People"), reverse("actors:person-list")), *tail]


def _person_crumbs(person: Person, *tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return _privacy_crumbs((person.name, person.get_absolute_url()), *tail)


def _get_person(request: HttpRequest, uuid: Any) -> Person:
    return get_visible_or_404(Person, acting_user(request), uuid=uuid)


# The consent panel ---------------------------------------------------------------------------------


def consent_panel_context(
    request: HttpRequest,
    person: Person,
    *,
    form: ConsentRecordForm | None = None,
    message: str = "",
    errors: list[str] | None = None,
) -> dict[str, Any]:
    """What ``actors/includes/consent_panel.html`` shows; ``show`` False for everyone but the office."""
    user = acting_user(request)
    if not permissions.can_see_personal_data(user):
        return {"show": False}
    consents = list(Consent.objects.filter(person=person).select_related("text").order_by("-given_at", "-id"))
    texts = consent_services.current_texts()
    return {
        "show": True,
        "request": request,
        "person": person,
        "states": consent_services.purpose_states(consents),
        "history": consents,
        "form": form or ConsentRecordForm(),
        "current_texts": [(str(Purpose(purpose).label), texts.get(purpose)) for purpose in Purpose.values],
        "may_record": person.anonymised_at is None,
        "may_erase": permissions.can_erase_people(user),
        "message": message,
        "errors": errors or [],
        # Where the forms return without JavaScript: the page showing the panel.
        "next": safe_next(
            request,
            request.get_full_path()
            if request.method == "GET"
            else reverse("actors:person-privacy", kwargs={"uuid": person.uuid}),
        ),
    }


def _panel_response(request: HttpRequest, person: Person, **kwargs: Any) -> HttpResponse:
    return render(request, PANEL_TEMPLATE, consent_panel_context(request, person, **kwargs))


@office_view
def person_privacy(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The person's consents and data protection on a page of its own."""
    person = _get_person(request, uuid)
    privacy.log_access(
        user=acting_user(request), person=person, action=PersonalDataAccess.Action.VIEWED, detail="consents"
    )
    return _privacy_page(request, person)


def _privacy_page(request: HttpRequest, person: Person, **kwargs: Any) -> HttpResponse:
    context = consent_panel_context(request, person, **kwargs)
    context["crumbs"] = _person_crumbs(person, (_("Consent and data protection"), None))
    return render(request, "actors/privacy_person.html", context)


@office_view
def consent_create(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Record a consent (POST); htmx gets the panel back, others the page they came from."""
    person = _get_person(request, uuid)
    if request.method != "POST":
        return redirect("actors:person-privacy", uuid=person.uuid)
    form = ConsentRecordForm(request.POST)
    if form.is_valid():
        try:
            consent = consent_services.record_consent(
                user=acting_user(request), person=person, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error, SERVICE_FIELDS)
        else:
            message = _("Consent for “%(purpose)s” recorded (text version %(version)d).") % {
                "purpose": consent.get_purpose_display(),
                "version": consent.text.version,
            }
            if is_htmx(request):
                return _panel_response(request, person, message=message)
            messages.success(request, message)
            return redirect(
                safe_next(request, reverse("actors:person-privacy", kwargs={"uuid": person.uuid}))
            )
    if is_htmx(request):
        return _panel_response(request, person, form=form)
    return _privacy_page(request, person, form=form)


@office_view
def consent_withdraw(request: HttpRequest, uuid: Any, purpose: str) -> HttpResponse:
    """Withdraw the person's consent for a purpose (POST)."""
    person = _get_person(request, uuid)
    if purpose not in Purpose.values:
        raise Http404(_("Unknown purpose."))
    if request.method != "POST":
        return redirect("actors:person-privacy", uuid=person.uuid)
    form = ConsentWithdrawForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    count = consent_services.withdraw_consent(
        user=acting_user(request), person=person, purpose=purpose, note=note
    )
    label = Purpose(purpose).label
    if count:
        message = _("The consent for “%(purpose)s” was withdrawn.") % {"purpose": label}
    else:
        message = _("There was no consent for “%(purpose)s” to withdraw.") % {"purpose": label}
    if is_htmx(request):
        return _panel_response(request, person, message=message)
    messages.success(request, message)
    return redirect(safe_next(request, reverse("actors:person-privacy", kwargs={"uuid": person.uuid})))


# Export, erasure, anonymisation ---------------------------------------------------------------------


@office_view
def person_export(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Everything stored about the person as a JSON download (the export is logged)."""
    person = _get_person(request, uuid)
    data = privacy.export_person(user=acting_user(request), person=person)
    content = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="person-{person.uuid}.json"'
    response["Cache-Control"] = "no-store"
    return response


@office_view
def person_erase(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Confirm and erase the person (administrators)."""
    user = acting_user(request)
    require(permissions.can_erase_people(user), _("Only administrators may erase people."))
    person = _get_person(request, uuid)
    form = EraseConfirmForm(request.POST if request.method == "POST" else None, person=person)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        name = person.name
        try:
            privacy.erase_person(user=user, person=person)
        except ValidationError as error:
            errors = [message for items in error_dict(error).values() for message in items]
        else:
            messages.success(request, _("“%(name)s” was erased.") % {"name": name})
            return redirect("actors:person-list")
    context = {
        "person": person,
        "form": form,
        "errors": errors,
        "impact": privacy.erasure_impact(person),
        "crumbs": _person_crumbs(person, (_("Erase"), None)),
    }
    return render(request, "actors/privacy_erase.html", context)


@office_view
def person_anonymise(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Confirm and anonymise the person (administrators)."""
    user = acting_user(request)
    require(permissions.can_erase_people(user), _("Only administrators may anonymise people."))
    person = _get_person(request, uuid)
    form = AnonymiseConfirmForm(request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if person.anonymised_at is not None:
        errors = [_("This person has been anonymised already.")]
    elif request.method == "POST" and form.is_valid():
        try:
            privacy.anonymise_person(user=user, person=person)
        except ValidationError as error:
            errors = [message for items in error_dict(error).values() for message in items]
        else:
            messages.success(request, _("The person was anonymised."))
            return redirect(person.get_absolute_url())
    context = {
        "person": person,
        "form": form,
        "errors": errors,
        "impact": privacy.erasure_impact(person),
        "crumbs": _person_crumbs(person, (_("Anonymise"), None)),
    }
    return render(request, "actors/privacy_anonymise.html", context)


# Consent texts -------------------------------------------------------------------------------------


@office_view
def consent_text_list(request: HttpRequest) -> HttpResponse:
    """Every version of every consent text; administrators add new versions."""
    user = acting_user(request)
    may_create = consent_services.can_manage_consent_texts(user)
    form = ConsentTextForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require(may_create, _("Only administrators may write consent texts."))
        if form.is_valid():
            try:
                text = consent_services.create_consent_text(
                    user=user, purpose=form.cleaned_data["purpose"], text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Version %(version)d of the text for “%(purpose)s” was added.")
                    % {"version": text.version, "purpose": text.get_purpose_display()},
                )
                return redirect("actors:consenttext-list")
    texts = list(ConsentText.objects.annotate(uses=Count("consents")).order_by("purpose", "-version"))
    groups = [
        (purpose, label, [text for text in texts if text.purpose == purpose])
        for purpose, label in Purpose.choices
    ]
    context = {
        "groups": groups,
        "form": form,
        "may_create": may_create,
        "crumbs": _privacy_crumbs((_("Consent texts"), None)),
    }
    return render(request, "actors/consent_text_list.html", context)


# Retention ----------------------------------------------------------------------------------------


@office_view
def retention_list(request: HttpRequest) -> HttpResponse:
    """The people the retention rule flags, oldest record first."""
    user = acting_user(request)
    default_years = privacy.retention_years()
    form = RetentionForm(request.GET if "years" in request.GET else None)
    years = form.years_or(default_years)
    flagged = privacy.flagged_for_retention(user=user, years=years).prefetch_related(
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.select_related("organisation").only(
                "person_id", "role", "organisation__name", "organisation__slug"
            ),
        )
    )
    number = _page_number(request)
    people, has_next = _page(flagged, number)
    context = {
        "form": form,
        "years": years,
        "default_years": default_years,
        "cutoff": privacy.retention_cutoff(years, timezone.now()),
        "people": people,
        "total": flagged.count(),
        "page_number": number,
        "has_previous": number > 1,
        "has_next": has_next,
        "may_erase": permissions.can_erase_people(user),
        "crumbs": _privacy_crumbs((_("Retention"), None)),
    }
    return render_page(request, "actors/retention_list.html", context, partial="results")


# The audit trail -----------------------------------------------------------------------------------


@office_view
def audit_list(request: HttpRequest) -> HttpResponse:
    """Who viewed, exported, anonymised or erased whose personal data (administrators)."""
    user = acting_user(request)
    require(permissions.can_view_audit_trail(user), _("Only administrators see the audit trail."))
    form = AuditFilterForm(request.GET or None)
    filters = privacy.AuditFilter(
        user=(form.value("user") or "").strip(),
        action=form.value("action") or "",
        person_uuid=form.value("person"),
        date_from=form.value("date_from"),
        date_to=form.value("date_to"),
    )
    entries = privacy.audit_entries(user=user, filters=filters)
    number = _page_number(request)
    rows, has_next = _page(entries, number)
    context = {
        "form": form,
        "entries": rows,
        "is_filtered": any(
            (filters.user, filters.action, filters.person_uuid, filters.date_from, filters.date_to)
        ),
        "page_number": number,
        "has_previous": number > 1,
        "has_next": has_next,
        "crumbs": _privacy_crumbs((_("Audit trail"), None)),
    }
    return render_page(request, "actors/audit_list.html", context, partial="results")


urlpatterns: list[URLPattern] = [
    path("datenschutz/personen/<uuid:uuid>/", person_privacy, name="person-privacy"),
    path("datenschutz/personen/<uuid:uuid>/einwilligungen/", consent_create, name="consent-create"),
    path(
        "datenschutz/personen/<uuid:uuid>/einwilligungen/<str:purpose>/widerrufen/",
        consent_withdraw,
        name="consent-withdraw",
    ),
    path("datenschutz/personen/<uuid:uuid>/export/", person_export, name="person-export"),
    path("datenschutz/personen/<uuid:uuid>/loeschen/", person_erase, name="person-erase"),
    path("datenschutz/personen/<uuid:uuid>/anonymisieren/", person_anonymise, name="person-anonymise"),
    path("datenschutz/einwilligungstexte/", consent_text_list, name="consenttext-list"),
    path("datenschutz/aufbewahrung/", retention_list, name="retention-list"),
    path("datenschutz/protokoll/", audit_list, name="audit-list"),
]
