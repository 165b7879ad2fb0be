"""Forms of accounts: login by e-mail address, password reset by e-mail, API tokens."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.db import transaction
from django.template import loader
from django.utils.translation import gettext_lazy as _

from reallabor.accounts.models import User
from reallabor.accounts.tasks import send_email


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form with the e-mail address as user name.

    The field keeps the name ``username``: django-axes reads it (AXES_USERNAME_FORM_FIELD) to count
    failed attempts per address. Addresses are stored in lower case, so the input is lowered too,
    which also makes »Anna@…« and »anna@…« count as the same address for the lockout.
    """

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    remember = forms.BooleanField(
        label=_("Stay signed in"),
        required=False,
        help_text=_("Otherwise you are signed out as soon as you close the browser."),
    )

    error_messages = {
        "invalid_login": _(
            "The e-mail address or the password is not correct. "
            "After several failed attempts, signing in is blocked for a while."
        ),
        "inactive": _("This account has been deactivated. Please contact the office."),
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Sends the reset link through the task queue once the request's transaction has committed.

    Unlike Django's form it also reaches accounts without a usable password: an account created
    without a password (``create_user`` without one) sets its first password this way.
    """

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email: str) -> Iterator[Any]:
        email = email.strip().lower()
        return iter(User.objects.filter(email__iexact=email, is_active=True))

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Rendered here, in the language of the request; the task gets plain strings.
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html_body = (
            loader.render_to_string(html_email_template_name, context) if html_email_template_name else ""
        )
        transaction.on_commit(
            partial(
                send_email.enqueue,
                subject=subject,
                body=body,
                html_body=html_body,
                from_email=from_email,
                to=[to_email],
            )
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=100,
        help_text=_("What the token is for, e.g. the script that uses it."),
    )
