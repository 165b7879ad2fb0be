"""The form of the needs panel: record a need or motivation (``actors.services.needs`` checks it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reallabor.actors.services.needs import NOTE_MAX_LENGTH, need_choices
from reallabor.taxonomy.models import Tag


class NeedForm(forms.Form):
    term = forms.ChoiceField(label=_("Need or motivation"))
    priority = forms.ChoiceField(
        label=_("Weight"),
        choices=[
            (Tag.Priority.PRIMARY, _("primary (a clear need)")),
            (Tag.Priority.SECONDARY, _("secondary (a weaker need)")),
        ],
        initial=Tag.Priority.PRIMARY,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=_("Optional: what exactly, in a few words."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "need")
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [("", _("Choose …")), *need_choices()]  # type: ignore[attr-defined]

    def to_data(self) -> dict[str, str]:
        family, _sep, code = self.cleaned_data["term"].partition(":")
        return {
            "family": family,
            "code": code,
            "priority": self.cleaned_data["priority"],
            "note": self.cleaned_data.get("note") or "",
        }


# Service errors on "family" or "code" belong to the term field.
NEED_FIELD_MAP = {"family": "term", "code": "term"}
