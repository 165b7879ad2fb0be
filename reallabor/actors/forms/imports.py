"""Forms of the import and duplicate pages: the upload, the column mapping, the choices per duplicate.

They only convert input; ``actors.services.imports`` and ``actors.services.duplicates`` check it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reallabor.actors.importing import TARGETS
from reallabor.actors.services.imports import check_file_size, max_import_bytes
from reallabor.actors.spreadsheets import format_size

DECISION_CHOICES = [
    ("skip", _("Skip (keep the existing record as it is)")),
    ("merge", _("Merge (fill empty fields, add roles, needs and consents)")),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (separated by semicolons, commas or tabs; UTF-8 or Windows-1252) or Excel (.xlsx)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"{self.fields['file'].help_text} " + str(
            _("At most %(limit)s.") % {"limit": format_size(max_import_bytes())}
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            check_file_size(upload.size or 0)
        except ValidationError as error:
            raise ValidationError(error.message_dict["file"]) from None
        return upload


def target_choices() -> list[tuple[Any, Any]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    names = {"organisation": _("Organisation"), "person": _("Person"), "consent": _("Consent")}
    for target, label in TARGETS.items():
        groups.setdefault(target.partition(".")[0], []).append((target, str(label)))
    choices: list[tuple[Any, Any]] = [("", _("— do not import —"))]
    choices += [(names[group], options) for group, options in groups.items()]
    return choices


class MappingForm(forms.Form):
    """One choice per column of the file: the field it fills, or nothing."""

    def __init__(self, *args: Any, headers: Sequence[str], mapping: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        choices = target_choices()
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=mapping.get(header, "")
            )

    def column_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(header, self[f"column_{index}"]) for index, header in enumerate(self.headers)]

    def mapping(self) -> dict[str, str]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            header: data.get(f"column_{index}", "")
            for index, header in enumerate(self.headers)
            if data.get(f"column_{index}")
        }


class DecisionForm(forms.Form):
    """What happens to duplicates: the default, and a choice per duplicate (``decision-<key>``)."""

    default = forms.ChoiceField(
        label=_("Duplicates without an own choice"),
        choices=DECISION_CHOICES,
        initial="skip",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, keys: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys = list(keys)
        for key in self.keys:
            self.fields[f"decision-{key}"] = forms.ChoiceField(
                label=key,
                choices=[("", _("as above")), *DECISION_CHOICES],
                required=False,
                widget=forms.RadioSelect,
                initial="",
            )

    def decisions(self) -> dict[str, str]:
        return {
            key: self.cleaned_data[f"decision-{key}"]
            for key in self.keys
            if self.cleaned_data.get(f"decision-{key}") in ("skip", "merge")
        }


class MergeForm(forms.Form):
    keep = forms.ChoiceField(label=_("Keep"), choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    def __init__(self, *args: Any, labels: tuple[str, str] = ("A", "B"), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["keep"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("a", labels[0]), ("b", labels[1])]
