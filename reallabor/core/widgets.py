"""Choice widgets that write their options in Python instead of one template per option.

Django renders every ``<option>`` and every checkbox through its own template: a list filter with
a thousand labs then costs more than the rest of the page. These widgets produce the same markup
as Django's (same ids, labels, attributes; ``django/forms/widgets/select.html`` and
``multiple_input.html``) with plain string building, all values escaped. Django's own option
logic (``optgroups``: which option is selected, ids per option) is reused unchanged.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def escape(value: Any) -> str:
    """Django's ``escape`` without its lazy-string wrapper (the same characters, the same output)."""
    return html.escape(str(value))


def label_escape(value: Any) -> str:
    """Django's ``conditional_escape``: safe strings as they are, everything else escaped."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def flatatt(attrs: dict[str, Any]) -> str:
    """Attributes as Django's ``attrs.html`` writes them: False left out, True as a bare name."""
    parts = []
    for name, value in attrs.items():
        if value is False or value is None:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{conditional_escape(value)}"')
    return "".join(parts)


def _options(widget: Any, name: str, value: Any, attrs: dict[str, Any] | None) -> Iterator[tuple[Any, ...]]:
    """What ``ChoiceWidget.optgroups`` computes, without building a dict per option.

    Yields ``("start", group_name)`` and ``("end", group_name)`` around a group, and
    ``("option", value, label, selected, index)`` for each option (``index`` as Django numbers
    the ids: ``3`` or ``3_0`` inside group 3).
    """
    selected_values = set(widget.format_value(value))
    has_selected = False
    multiple = widget.allow_multiple_selected
    for index, (option_value, option_label) in enumerate(widget.choices):
        if option_value is None:
            option_value = ""
        if isinstance(option_label, (list, tuple)):
            yield ("start", option_value)
            for subindex, (subvalue, sublabel) in enumerate(option_label):
                selected = (not has_selected or multiple) and str(subvalue) in selected_values
                has_selected |= selected
                yield ("option", subvalue, sublabel, selected, f"{index}_{subindex}")
            yield ("end", option_value)
        else:
            selected = (not has_selected or multiple) and str(option_value) in selected_values
            has_selected |= selected
            yield ("option", option_value, option_label, selected, str(index))


class FastSelectMixin:
    """For ``Select`` and ``SelectMultiple``: ``<select>`` with ``<option>`` elements."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget: Any = self
        select_attrs = widget.build_attrs(widget.attrs, attrs)
        if widget.allow_multiple_selected:
            select_attrs["multiple"] = True
        out = [f'<select name="{escape(name)}"{flatatt(select_attrs)}>']
        for item in _options(widget, name, value, attrs):
            if item[0] == "option":
                _kind, option_value, label, selected, _index = item
                out.append(
                    f'\n  <option value="{escape(option_value)}"{" selected" if selected else ""}>'
                    f"{label_escape(label)}</option>"
                )
            elif item[0] == "start":
                out.append(f'\n  <optgroup label="{label_escape(item[1])}">')
            else:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))


class FastChoiceInputMixin:
    """For ``CheckboxSelectMultiple`` and ``RadioSelect``: a ``<div>`` of labelled inputs."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget: Any = self
        outer_attrs = widget.build_attrs(widget.attrs, attrs)
        id_ = outer_attrs.get("id")
        css = outer_attrs.get("class")
        out = [
            "<div"
            + (f' id="{escape(id_)}"' if id_ else "")
            + (f' class="{escape(css)}"' if css else "")
            + ">"
        ]
        input_type = escape(widget.input_type)
        name_html = escape(name)
        for item in _options(widget, name, value, attrs):
            if item[0] == "option":
                _kind, option_value, label, selected, index = item
                option_attrs = dict(outer_attrs)
                if id_:
                    option_attrs["id"] = widget.id_for_label(id_, index)
                if selected:
                    option_attrs.update(widget.checked_attribute)
                option_id = option_attrs.get("id")
                label_for = f' for="{escape(option_id)}"' if option_id else ""
                out.append(
                    f'<div>\n    <label{label_for}><input type="{input_type}" name="{name_html}"'
                    f' value="{escape(option_value)}"{flatatt(option_attrs)}> {label_escape(label)}</label></div>'
                )
            elif item[0] == "start":
                out.append(f"\n  <div><label>{label_escape(item[1])}</label>")
            else:
                out.append("\n  </div>")
        out.append("\n</div>")
        return mark_safe("".join(out))


class Select(FastSelectMixin, forms.Select):
    pass


class SelectMultiple(FastSelectMixin, forms.SelectMultiple):
    pass


class CheckboxSelectMultiple(FastChoiceInputMixin, forms.CheckboxSelectMultiple):
    pass


class RadioSelect(FastChoiceInputMixin, forms.RadioSelect):
    pass


class FastInputMixin:
    """For ``<input>`` widgets (text, number, date, e-mail …): Django's ``input.html`` in Python."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget: Any = self
        context = widget.get_context(name, value, attrs)["widget"]
        shown = context["value"]
        value_html = f' value="{escape(shown)}"' if shown is not None else ""
        return mark_safe(
            f'<input type="{escape(context["type"])}" name="{escape(context["name"])}"'
            f"{value_html}{flatatt(context['attrs'])}>"
        )


class TextInput(FastInputMixin, forms.TextInput):
    pass


class NumberInput(FastInputMixin, forms.NumberInput):
    pass


class DateInput(FastInputMixin, forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def suggestion_attrs(url: Any) -> dict[str, Any]:
    """The attributes of a text input whose ``<datalist>`` htmx fills from ``url`` while the user
    types (organisation and lab inputs); the caller adds ``list`` and ``hx-target``."""
    return {
        "autocomplete": "off",
        "hx-get": url,
        "hx-trigger": "input changed delay:300ms",
        "hx-swap": "innerHTML",
    }


def render_field(field: Any) -> SafeString:
    """A bound field with its label, help text and errors: ``includes/field.html`` in Python (the
    same markup), for forms whose every field would otherwise cost a template include."""
    auto_id = escape(field.auto_id)
    label = label_escape(field.label)
    if field.widget_type == "checkbox":
        head = f'{field} <label for="{escape(field.id_for_label)}">{label}</label>'
    else:
        required = ' <span class="required" aria-hidden="true">*</span>' if field.field.required else ""
        head = f'<label for="{escape(field.id_for_label)}">{label}{required}</label>\n    {field}'
    help_text = (
        f'\n  <p class="help" id="{auto_id}_helptext">{label_escape(field.help_text)}</p>'
        if field.help_text
        else ""
    )
    errors = field.errors
    error_html = "".join(
        f'<p class="error" id="{auto_id}_error">{label_escape(error)}</p>' for error in errors
    )
    css = "field field--error" if errors else "field"
    return mark_safe(f'<div class="{css}">\n  {head}{help_text}\n  {error_html}\n</div>')
