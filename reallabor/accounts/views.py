"""Login, logout, password reset and change, the profile page with the user's API tokens.

The authentication pages are Django's own views with our forms and templates. Lockout after
repeated failed logins is django-axes' job: its middleware replaces the response of a locked
login with ``accounts/locked_out.html`` (HTTP 429).
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reallabor.accounts import services
from reallabor.accounts.forms import ApiTokenForm, LoginForm, PasswordResetForm
from reallabor.accounts.models import ApiToken, User
from reallabor.core.validation import error_dict


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        # Without »stay signed in« the session cookie lives until the browser closes;
        # with it, for SESSION_COOKIE_AGE (8 hours unless configured otherwise).
        self.request.session.set_expiry(None if form.cleaned_data.get("remember") else 0)
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView answers GET with 405), so no link can sign anybody out."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have been signed out."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset_email.txt"
    html_email_template_name = "accounts/email/password_reset_email.html"
    success_url = reverse_lazy("accounts:password-reset-done")
    title = gettext_lazy("Forgotten password")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:  # type: ignore[override]
        # The e-mail is rendered without a request, so it gets what it shows from here.
        self.extra_email_context = {
            "city": settings.CITY_NAME,
            "office": settings.OFFICE_NAME,
            "language": get_language() or settings.LANGUAGE_CODE,
        }
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    title = gettext_lazy("Check your e-mail")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")
    title = gettext_lazy("Set a new password")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever proved they own the address may sign in again at once, even after a lockout.
        reset_login_failures(username=form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    title = gettext_lazy("Password set")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:profile")
    title = gettext_lazy("Change password")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["crumbs"] = [(_("My account"), reverse("accounts:profile")), (_("Change password"), "")]
        return context

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


login = LoginView.as_view()
logout = LogoutView.as_view()
password_reset = PasswordResetView.as_view()
password_reset_done = PasswordResetDoneView.as_view()
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = PasswordResetCompleteView.as_view()
password_change = PasswordChangeView.as_view()


def _render_profile(
    request: HttpRequest,
    *,
    form: ApiTokenForm | None = None,
    new_token: ApiToken | None = None,
    new_key: str = "",
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "account": user,
        "memberships": user.lab_memberships.select_related("lab").order_by("lab__position", "lab__name"),
        "tokens": user.api_tokens.order_by("-created_at"),
        "token_form": form or ApiTokenForm(),
        "new_token": new_token,
        "new_key": new_key,
        "crumbs": [(_("My account"), "")],
    }
    return render(request, "accounts/profile.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return _render_profile(request)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Creates a token and shows its key in this one response; it is never shown again."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            user = cast(User, request.user)
            token, key = services.create_api_token(user=user, owner=user, name=form.cleaned_data["name"])
        except ValidationError as error:
            for field, field_errors in error_dict(error).items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            response = _render_profile(request, new_token=token, new_key=key)
            # The key must not end up in any cache.
            response["Cache-Control"] = "no-store"
            return response
    return _render_profile(request, form=form)


@login_required
@require_POST
def token_revoke(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseRedirect:
    # Only the user's own tokens can be found here: anybody else's token is a 404.
    token = get_object_or_404(ApiToken, public_id=public_id, user=request.user)
    name = token.name
    services.revoke_api_token(user=request.user, token=token)
    messages.success(request, _("The token »%(name)s« has been revoked.") % {"name": name})
    return redirect("accounts:profile")
