"""Forms of the data-protection pages; every change goes through ``actors.services``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reallabor.actors.models import Consent, Person, PersonalDataAccess, Purpose
from reallabor.actors.services.consent import MAX_TEXT_LENGTH

MAX_YEARS = 100


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class ConsentRecordForm(forms.Form):
    """A consent the office records: valid from the start of the day given, until the end of the
    expiry day (if any), for the current text of the purpose."""

    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    source = forms.ChoiceField(
        label=_("Given how"), choices=Consent.Source.choices, initial=Consent.Source.IN_PERSON
    )
    given_on = forms.DateField(label=_("Given on"), widget=DateInput(), initial=timezone.localdate)
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for a consent without expiry."),
    )

    prefix = "consent"

    def clean_given_on(self) -> dt.date:
        given_on: dt.date = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError(_("A consent cannot be given in the future."))
        return given_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given_on, expires_on = data.get("given_on"), data.get("expires_on")
        if given_on and expires_on and expires_on < given_on:
            self.add_error("expires_on", _("The expiry must not be before the day of the consent."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        expires_on: dt.date | None = data.get("expires_on")
        return {
            "purpose": data["purpose"],
            "source": data["source"],
            "given_at": day_start(data["given_on"]),
            "expires_at": day_start(expires_on + dt.timedelta(days=1)) if expires_on else None,
        }


SERVICE_FIELDS = {"given_at": "given_on", "expires_at": "expires_on", "text": "purpose", "person": "__all__"}
"""Where the consent service's errors go on ``ConsentRecordForm``."""


class ConsentWithdrawForm(forms.Form):
    note = forms.CharField(label=_("How withdrawn"), required=False, max_length=200)


class ConsentTextForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    text = forms.CharField(
        label=_("Text"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "The exact wording people agree to. It becomes the next version and cannot be changed later."
        ),
    )


class EraseConfirmForm(forms.Form):
    """Erasure cannot be undone: the user types the person's name (or ticks a box when the person
    has no name any more)."""

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.expected = "" if person.anonymised_at else _normalised(person.name)
        if self.expected:
            self.fields["confirm_name"] = forms.CharField(
                label=_("Type the person's name to confirm"), max_length=300
            )
        else:
            self.fields["confirm"] = forms.BooleanField(label=_("I understand that this cannot be undone."))

    def clean_confirm_name(self) -> str:
        value: str = self.cleaned_data["confirm_name"]
        if _normalised(value) != self.expected:
            raise forms.ValidationError(_("The name does not match. Type it exactly as shown."))
        return value


class AnonymiseConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("I understand that this cannot be undone."))


def _normalised(value: str) -> str:
    return " ".join(value.split()).casefold()


class AuditFilterForm(forms.Form):
    """Filters of the audit trail (all optional; an invalid value shows its error and is ignored)."""

    user = forms.CharField(label=_("Staff member"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All actions")), *PersonalDataAccess.Action.choices],
    )
    person = forms.CharField(
        label=_("Person (ID)"), required=False, max_length=40, help_text=_("The ID from the person's page.")
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def clean_person(self) -> uuid.UUID | None:
        raw = (self.cleaned_data.get("person") or "").strip()
        if not raw:
            return None
        try:
            return uuid.UUID(raw)
        except ValueError:
            raise forms.ValidationError(_("Enter the person's ID as shown on their page.")) from None

    def value(self, name: str) -> Any:
        """The valid value of one filter; an invalid one counts as not given."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None


class RetentionForm(forms.Form):
    years = forms.IntegerField(
        label=_("Years without interaction and consent"), required=False, min_value=1, max_value=MAX_YEARS
    )

    def years_or(self, default: int) -> int:
        if not self.is_bound or not self.is_valid():
            return default
        years: int | None = self.cleaned_data.get("years")
        return years or default
