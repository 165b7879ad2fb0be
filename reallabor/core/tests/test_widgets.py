"""The fast choice widgets write the same markup as Django's own (whitespace aside)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from hypothesis import given, settings
from hypothesis import strategies as st

from reallabor.core import widgets

PAIRS = [
    (widgets.Select, forms.Select),
    (widgets.SelectMultiple, forms.SelectMultiple),
    (widgets.CheckboxSelectMultiple, forms.CheckboxSelectMultiple),
    (widgets.RadioSelect, forms.RadioSelect),
]
CHOICES = [
    ("", "All"),
    ("a", "A & B"),
    ("b", '<b>"x"</b>'),
    ("Group <1>", [("c", "C"), ("d", "D")]),
    (3, "three"),
]


def squeeze(html: str) -> str:
    """Whitespace between and inside tags does not matter to a browser here; collapse it."""
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


@pytest.mark.parametrize(("fast", "django_widget"), PAIRS)
@pytest.mark.parametrize("value", ["a", ["a", "c"], None, "", 3, ["<b>"]])
@pytest.mark.parametrize(
    "attrs",
    [{"id": "id_x", "aria-describedby": "id_x_helptext"}, {"id": "id_x", "class": "k", "required": True}, {}],
)
def test_same_markup_as_django(fast: Any, django_widget: Any, value: Any, attrs: dict[str, Any]) -> None:
    ours = fast(choices=CHOICES).render("x", value, dict(attrs))
    theirs = django_widget(choices=CHOICES).render("x", value, dict(attrs))
    assert squeeze(ours) == squeeze(theirs)


text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@settings(deadline=None)
@given(choices=st.lists(st.tuples(text, text), max_size=6), selected=st.lists(text, max_size=3))
def test_any_text_is_escaped_like_django(choices: list[tuple[str, str]], selected: list[str]) -> None:
    for fast, django_widget in PAIRS:
        ours = fast(choices=choices).render("name<&>", selected, {"id": 'id_"x"'})
        theirs = django_widget(choices=choices).render("name<&>", selected, {"id": 'id_"x"'})
        assert squeeze(ours) == squeeze(theirs)
        assert "<script" not in ours.lower() or "<script" in theirs.lower()


def test_a_form_field_renders_with_its_label_and_help() -> None:
    class F(forms.Form):
        labs = forms.MultipleChoiceField(
            label="Lab", help_text="Pick some", choices=[("x", "X")], widget=widgets.CheckboxSelectMultiple
        )

    html = str(F(data={"labs": ["x"]})["labs"])
    assert 'id="id_labs_0"' in html and "checked" in html
