"""Forms of the vocabulary pages; every change goes through ``taxonomy.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from reallabor.taxonomy.models import Term

TERM_FORM_FIELDS = [
    "code",
    "name",
    "name_en",
    "local_name",
    "description",
    "description_en",
    "colour",
    "position",
]


class TermForm(forms.ModelForm):
    """A term of an editable vocabulary (megatrends, strategy goals, target groups …)."""

    code = Term._meta.get_field("code").formfield(required=False)
    position = forms.IntegerField(
        label=_("Position"), required=False, min_value=0, help_text=_("Order in lists; empty: at the end.")
    )
    colour = forms.CharField(
        label=_("Colour"),
        required=False,
        max_length=7,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give the colour as #RRGGBB, e.g. #A21942."))],
        help_text=_("Optional, as #RRGGBB."),
    )

    class Meta:
        model = Term
        fields = TERM_FORM_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "Lower-case letters, digits, dots and dashes; used in filters and the API. "
            "Leave empty to derive it from the name."
        )

    def to_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in TERM_FORM_FIELDS}
        for name in TERM_FORM_FIELDS:
            if name != "position" and data[name] is None:
                data[name] = ""
        if data["position"] is None:
            data.pop("position")
        return data


class LocalWordingForm(forms.Form):
    """The city's own wording of a term of a fixed vocabulary (the SDGs)."""

    local_name = forms.CharField(
        label=_("Local wording"),
        required=False,
        max_length=300,
        help_text=_("Shown instead of the official name where set. Leave empty to use the official name."),
    )
