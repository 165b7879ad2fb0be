"""The form of the stakeholder page: place an actor on the lab's interest × influence grid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reallabor.actors.forms.people import PersonField
from reallabor.actors.models import Person
from reallabor.actors.services.stakeholders import NOTE_MAX
from reallabor.labs.forms import OrganisationField
from reallabor.organisations.models import Organisation

SCALE_CHOICES = [
    ("1", _("1 – very low")),
    ("2", _("2 – low")),
    ("3", _("3 – medium")),
    ("4", _("4 – high")),
    ("5", _("5 – very high")),
]


class StakeholderForm(forms.Form):
    actor = forms.ChoiceField(
        label=_("Actor of the lab"),
        required=False,
        help_text=_("Organisations linked to the lab and the people working there."),
    )
    other_organisation = OrganisationField(label=_("or another organisation"), required=False)
    other_person = PersonField(label=_("or another person"), required=False)
    interest = forms.ChoiceField(label=_("Interest"), choices=SCALE_CHOICES, initial="3")
    influence = forms.ChoiceField(label=_("Influence"), choices=SCALE_CHOICES, initial="3")
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX)

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation] | None = None,
        people: list[Person] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", "stakeholder")
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", _("Choose …"))]
        if organisations:
            choices.append((_("Organisations"), [(f"organisation:{o.slug}", o.name) for o in organisations]))
        if people:
            choices.append((_("People"), [(f"person:{p.uuid}", p.name) for p in people]))
        self.fields["actor"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = [name for name in ("actor", "other_organisation", "other_person") if cleaned.get(name)]
        if not given and not self.errors:
            raise forms.ValidationError(
                _("Choose an actor of the lab, another organisation or another person.")
            )
        if len(given) > 1:
            raise forms.ValidationError(_("Choose only one actor at a time."))
        return cleaned

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "interest": self.cleaned_data["interest"],
            "influence": self.cleaned_data["influence"],
            "note": self.cleaned_data.get("note") or "",
        }
        actor = self.cleaned_data.get("actor") or ""
        if actor.startswith("organisation:"):
            data["organisation"] = actor.partition(":")[2]
        elif actor.startswith("person:"):
            data["person"] = actor.partition(":")[2]
        elif self.cleaned_data.get("other_organisation"):
            data["organisation"] = self.cleaned_data["other_organisation"]
        else:
            data["person"] = self.cleaned_data["other_person"]
        return data


# Service errors onto the form's fields.
STAKEHOLDER_FIELD_MAP = {"organisation": "actor", "person": "actor"}
