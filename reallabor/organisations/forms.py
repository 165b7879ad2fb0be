"""Forms of the organisation pages; every change goes through ``organisations.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reallabor.organisations.models import Organisation


class OrganisationForm(forms.ModelForm):
    slug = Organisation._meta.get_field("slug").formfield(required=False)

    class Meta:
        model = Organisation
        fields = ["name", "slug", "kind", "street", "postcode", "city", "district", "website"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = _("Used in addresses (URLs). Leave empty to derive it from the name.")
        self.fields["district"].help_text = _("e.g. Alt-Bottrop, Kirchhellen or Eigen")

    def to_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) or "" for name in self.Meta.fields}
        if not data["slug"]:
            data.pop("slug")
        return data


class OrganisationFilterForm(forms.Form):
    """Search and filters of the organisation list (all optional; bad values are ignored)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Organisation.Kind.choices]
    )
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args: Any, districts: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [  # type: ignore[attr-defined]
            ("", _("All districts")),
            *((district, district) for district in districts or []),
        ]

    def value(self, name: str) -> str:
        """The valid value of one filter; an invalid one counts as not given."""
        if not self.is_bound:
            return ""
        self.is_valid()
        return str(self.cleaned_data.get(name) or "").strip()
