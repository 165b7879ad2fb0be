"""The form of the target-groups panel on an organisation's page (``services.target_groups``
checks and stores the choice)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reallabor.taxonomy.models import Tag, Term


class TargetGroupsForm(forms.Form):
    """Every current target group as a checkbox; groups the organisation carries from an older
    version of the vocabulary are offered too, so that saving keeps them."""

    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, terms: list[Term], tags: list[Tag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(term.code, term.label) for term in terms]
        known = {term.code for term in terms}
        choices += [(tag.term.code, tag.term.label) for tag in tags if tag.term.code not in known]
        field = self.fields["target_groups"]
        field.choices = choices  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["target_groups"] = [tag.term.code for tag in tags]
