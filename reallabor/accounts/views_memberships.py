"""The office's pages of organisation memberships (``accounts.OrganisationMembership``), under
``/konto/mitgliedschaften/``.

A membership lets a user act for an organisation: a business's owner sees its check results and
shares them, a chamber's advisor sees the results shared with the chamber. The office
(administrators and lab coordinators) sees who is linked to which organisation; administrators
add a user (by the e-mail address of an existing account) and remove one, through
``accounts.services.add_organisation_member`` / ``remove_organisation_member`` (which check it
themselves). Pages with personal data: ``actors.views.common.office_view`` (anonymous → login,
everybody else → 403 before any lookup). The lists take a constant number of queries.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from reallabor.accounts import services
from reallabor.accounts.models import OrganisationMembership, User
from reallabor.accounts.permissions import is_admin
from reallabor.actors.views.common import office_view
from reallabor.core.views_helpers import acting_user, get_visible_or_404, require
from reallabor.organisations.models import Organisation

PER_PAGE = 50


class MemberForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address of the account"),
        max_length=254,
        help_text=gettext_lazy("The person signs in with this address; the account must exist already."),
    )

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(
                _("There is no account with this e-mail address. The person needs an account first."),
                code="unknown",
            )
        if not user.is_active:
            raise forms.ValidationError(_("This account is deactivated."), code="inactive")
        return user


class OrganisationChoiceForm(forms.Form):
    organisation = forms.SlugField(
        label=gettext_lazy("Organisation (short name)"),
        max_length=120,
        help_text=gettext_lazy("For example handwerkskammer-muenster, as in the organisation's address."),
    )


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")[:9]
    return int(raw) if raw.isdigit() and int(raw) >= 1 else 1


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("My account"), reverse("accounts:profile")), *tail]


@require_http_methods(["GET"])
@office_view
def membership_list(request: HttpRequest) -> HttpResponse:
    """Every membership, by organisation, 50 a page; a form opens an organisation's page."""
    form = OrganisationChoiceForm(request.GET if "organisation" in request.GET else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            slug = form.cleaned_data["organisation"]
            if Organisation.objects.visible_to(acting_user(request)).filter(slug=slug).exists():
                return redirect("accounts:membership-organisation", slug=slug)
            form.add_error("organisation", _("There is no organisation with this short name."))
        status = 400
    number = _page_number(request)
    start = (number - 1) * PER_PAGE
    rows = list(
        OrganisationMembership.objects.select_related("organisation", "user").order_by(
            "organisation__name", "organisation_id", "user__email"
        )[start : start + PER_PAGE + 1]
    )
    context = {
        "form": form,
        "memberships": rows[:PER_PAGE],
        "page_number": number,
        "has_previous": number > 1,
        "has_next": len(rows) > PER_PAGE,
        "crumbs": _crumbs((_("Organisation memberships"), None)),
    }
    return render(request, "accounts/membership_list.html", context, status=status)


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    return get_visible_or_404(Organisation, acting_user(request), slug=slug)


def _organisation_page(
    request: HttpRequest, organisation: Organisation, form: MemberForm, status: int = 200
) -> HttpResponse:
    memberships = list(
        OrganisationMembership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    context = {
        "organisation": organisation,
        "memberships": memberships,
        "form": form,
        "may_change": is_admin(acting_user(request)),
        "crumbs": _crumbs(
            (_("Organisation memberships"), reverse("accounts:membership-list")),
            (organisation.name, None),
        ),
    }
    return render(request, "accounts/membership_organisation.html", context, status=status)


@require_http_methods(["GET", "POST"])
@office_view
def membership_organisation(request: HttpRequest, slug: str) -> HttpResponse:
    """The users linked to an organisation; POST (administrators) links one more by e-mail."""
    organisation = _organisation(request, slug)
    if request.method != "POST":
        return _organisation_page(request, organisation, MemberForm())
    user = acting_user(request)
    require(is_admin(user), _("Only administrators may change organisation memberships."))
    form = MemberForm(request.POST)
    if not form.is_valid():
        return _organisation_page(request, organisation, form, status=400)
    member: User = form.cleaned_data["email"]
    created = services.add_organisation_member(user=user, member=member, organisation=organisation)
    if created:
        messages.success(
            request,
            _("%(email)s now acts for %(organisation)s.")
            % {"email": member.email, "organisation": organisation.name},
        )
    else:
        messages.info(
            request,
            _("%(email)s is linked to %(organisation)s already.")
            % {"email": member.email, "organisation": organisation.name},
        )
    return redirect("accounts:membership-organisation", slug=organisation.slug)


@require_POST
@office_view
def membership_remove(request: HttpRequest, slug: str) -> HttpResponse:
    """End a user's membership (administrators); field ``email``."""
    organisation = _organisation(request, slug)
    user = acting_user(request)
    require(is_admin(user), _("Only administrators may change organisation memberships."))
    email = request.POST.get("email", "").strip()[:254]
    membership = (
        OrganisationMembership.objects.filter(organisation=organisation, user__email__iexact=email)
        .select_related("user")
        .first()
        if email
        else None
    )
    if membership is None:
        raise Http404(_("Not found."))
    services.remove_organisation_member(user=user, member=membership.user, organisation=organisation)
    messages.success(
        request,
        _("%(email)s no longer acts for %(organisation)s.")
        % {"email": membership.user.email, "organisation": organisation.name},
    )
    return redirect("accounts:membership-organisation", slug=organisation.slug)


urlpatterns = [
    path("mitgliedschaften/", membership_list, name="membership-list"),
    path("mitgliedschaften/<slug:slug>/", membership_organisation, name="membership-organisation"),
    path("mitgliedschaften/<slug:slug>/entfernen/", membership_remove, name="membership-remove"),
]
