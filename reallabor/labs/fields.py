"""Choosing labs in a form: a list box while they are few, a text input with suggestions beyond.

A city office has a handful of labs; a large installation (a county, a state's network) has a
thousand, and a list box of a thousand labs on every list page is neither usable nor cheap (it
was most of such a page's bytes). With more than ``LAB_LIST_MAX`` labs to choose from, the field
becomes a text input whose ``<datalist>`` htmx fills while the user types
(``labs:lab-options``). Either way the field's value is the lab's short name (slug); a lab's name
typed in full is taken too (``lab_slugs``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reallabor.core.widgets import Select, SelectMultiple, suggestion_attrs

LAB_LIST_MAX = 100
"""Up to this many labs a field lists them; beyond, it takes text with suggestions."""

OPTIONS_SHOWN = 20
"""Suggestions per keystroke."""


def lab_slugs(values: Iterable[str], choices: Sequence[tuple[str, str]]) -> list[str]:
    """``values`` as lab slugs: a slug stays, a lab's full name (any case) becomes the slugs of
    the labs so called, anything else stays as it is (the caller names it as unknown)."""
    slugs = {slug for slug, _name in choices}
    result: list[str] = []
    for value in values:
        text = str(value).strip()
        if not text or text in slugs:
            result.append(text)
            continue
        named = [slug for slug, name in choices if name.casefold() == text.casefold()]
        result.extend(named or [text])
    return [value for value in dict.fromkeys(result) if value]


class LabInput(forms.TextInput):
    """One lab as text, with suggestions: an ``<input list>`` and its ``<datalist>``, which htmx
    fills from ``labs:lab-options`` while the user types. Without JavaScript the input takes the
    lab's name or short name as typed."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({**suggestion_attrs(reverse_lazy("labs:lab-options")), **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, (list, tuple)):
            value = value[0] if value else ""
        return super().format_value(value)

    @staticmethod
    def options_id(name: str, attrs: dict[str, Any]) -> str:
        return f"{attrs.get('id') or name}-options"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        options_id = self.options_id(name, context["widget"]["attrs"])
        context["widget"]["attrs"].update({"list": options_id, "hx-target": f"#{options_id}"})
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        options_id = self.options_id(name, self.build_attrs(self.attrs, attrs))
        return format_html(
            '{}<datalist id="{}"></datalist>', super().render(name, value, attrs, renderer), options_id
        )


class LabsInput(LabInput):
    """Several labs' field as one text input: every value of the query string counts."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getter = getattr(data, "getlist", None)
        values = getter(name) if getter else [data.get(name)]
        return [value for value in values if value]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


UNKNOWN_LAB = _(
    "There is no lab “%(value)s” among the labs you see. Type a few letters of its name and choose it from the list."
)


class LabChoiceField(forms.ChoiceField):
    """One lab by slug (or its full name), from the labs given as ``choices``."""

    default_error_messages = {"invalid_choice": UNKNOWN_LAB}

    def __init__(self, *, empty_label: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", Select)
        super().__init__(**kwargs)
        self.empty_label = empty_label

    def set_labs(self, labs: Sequence[tuple[str, str]]) -> None:
        self.labs = list(labs)
        empty = [("", self.empty_label)] if self.empty_label is not None else []
        if len(self.labs) > LAB_LIST_MAX:
            self.widget = LabInput(attrs=self.widget.attrs)
            self.help_text = self.help_text or _("Type a few letters of the name and choose from the list.")
        self.choices = [*empty, *self.labs]

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return text
        slugs = lab_slugs([text], getattr(self, "labs", []))
        if len(slugs) > 1:  # a name that several labs share
            raise ValidationError(
                _("Several labs are called “%(value)s”. Choose one of them by its short name: %(slugs)s."),
                code="ambiguous",
                params={"value": text.strip(), "slugs": ", ".join(slugs)},
            )
        return slugs[0] if slugs else text


class LabMultipleChoiceField(forms.MultipleChoiceField):
    """Several labs (any of them) by slug (or full name), from the labs given as ``choices``."""

    default_error_messages = {"invalid_choice": UNKNOWN_LAB}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", SelectMultiple(attrs={"size": 6}))
        super().__init__(**kwargs)

    def set_labs(self, labs: Sequence[tuple[str, str]]) -> None:
        self.labs = list(labs)
        if len(self.labs) > LAB_LIST_MAX:
            self.widget = LabsInput()
            self.help_text = self.help_text or _("Type a few letters of the name and choose from the list.")
        self.choices = self.labs

    def to_python(self, value: Any) -> list[str]:
        return lab_slugs(super().to_python(value), getattr(self, "labs", []))
