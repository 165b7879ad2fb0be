"""Forms of the interaction pages: the list's filters, an interaction, a follow-up.

The forms convert input; ``actors.services.interactions`` checks it, and its field errors are put
back onto these forms (``INTERACTION_FIELD_MAP``).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reallabor.accounts.models import User
from reallabor.actors.forms.people import PersonField
from reallabor.actors.models import Interaction, Person
from reallabor.actors.services.interactions import NOTES_MAX, SUBJECT_MAX, TITLE_MAX, office_staff
from reallabor.core.validation import error_dict
from reallabor.core.widgets import CheckboxSelectMultiple, Select
from reallabor.core.widgets import DateInput as FastDateInput
from reallabor.labs.fields import LabChoiceField
from reallabor.labs.forms import DateInput, OrganisationField
from reallabor.labs.models import Measure
from reallabor.labs.selectors import cached_lab_choices

MAX_MORE_PARTICIPANTS = 50


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d"]


class StaffField(forms.ModelChoiceField):
    """The office's staff (and whoever is named already, who may have left the office since)."""

    def __init__(self, *, include: User | None = None, **kwargs: Any) -> None:
        queryset = office_staff()
        if include is not None:
            queryset = User.objects.filter(Q(pk__in=queryset.values("pk")) | Q(pk=include.pk)).order_by(
                "last_name", "first_name", "email"
            )
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def _measure_choices(user: Any) -> tuple[list[Any], dict[str, Measure]]:
    measures = (
        Measure.objects.visible_to(user)
        .select_related("lab")
        .order_by("lab__position", "lab__name", "position")
    )
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    by_value: dict[str, Measure] = {}
    for measure in measures:
        value = f"{measure.lab.slug}/{measure.slug}"
        by_value[value] = measure
        groups.setdefault(measure.lab_id, (measure.lab.name, []))[1].append((value, measure.title))
    return list(groups.values()), by_value


class InteractionFilterForm(forms.Form):
    """Filters of the interaction list (all optional; an invalid one is named and ignored)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Interaction.Kind.choices],
        widget=Select,
    )
    staff = StaffField(label=_("Staff member"), required=False, empty_label=_("Everyone"))
    organisation = OrganisationField(label=_("Organisation"), required=False, help_text="")
    person = PersonField(label=_("Person"), required=False, help_text="")
    lab = LabChoiceField(label=_("Lab"), required=False, empty_label=_("All labs"))
    date_from = forms.DateField(label=_("From"), required=False, widget=FastDateInput())
    date_to = forms.DateField(label=_("Until"), required=False, widget=FastDateInput())

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lab"].set_labs(cached_lab_choices(user))  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """The valid filters; invalid ones count as not given (their errors show on the form)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        values = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        if values.get("date_from") and values.get("date_to") and values["date_to"] < values["date_from"]:
            self.add_error("date_to", _("The end of the period must not be before its start."))
            values.pop("date_to")
        return values


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Interaction.Kind.choices)
    occurred_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=DateTimeLocalInput(),
        input_formats=DATETIME_FORMATS,
        help_text=_("Local time (Berlin)."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=NOTES_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    staff = StaffField(label=_("Staff member"), empty_label=None)
    organisation = OrganisationField(label=_("Organisation"), required=False)
    participants = forms.MultipleChoiceField(
        label=_("Participants"), required=False, widget=CheckboxSelectMultiple
    )
    more_participants = forms.CharField(
        label=_("Further participants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: e-mail address, ID or full name of a person already recorded."),
    )
    lab = LabChoiceField(label=_("Lab"), required=False, empty_label=_("No lab"))
    measure = forms.ChoiceField(
        label=_("Measure"), required=False, help_text=_("A measure of the lab."), widget=Select
    )
    follow_up_title = forms.CharField(label=_("Follow-up: what to do"), required=False, max_length=TITLE_MAX)
    follow_up_due_date = forms.DateField(label=_("Follow-up: due"), required=False, widget=DateInput())
    follow_up_assignee = StaffField(label=_("Follow-up: who"), required=False, empty_label=_("Me"))

    def __init__(
        self,
        *args: Any,
        user: Any = None,
        candidates: list[Person] | None = None,
        with_follow_up: bool = True,
        current_staff: User | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if current_staff is not None:
            self.fields["staff"] = StaffField(
                label=_("Staff member"), empty_label=None, include=current_staff
            )
        self.fields["participants"].choices = [  # type: ignore[attr-defined]
            (str(person.uuid), person.name) for person in candidates or []
        ]
        self.fields["lab"].set_labs(cached_lab_choices(user))  # type: ignore[attr-defined]
        measure_groups, self.measures = _measure_choices(user)
        self.fields["measure"].choices = [("", _("No measure")), *measure_groups]  # type: ignore[attr-defined]
        if not with_follow_up:
            for name in ("follow_up_title", "follow_up_due_date", "follow_up_assignee"):
                del self.fields[name]

    def clean_more_participants(self) -> list[Person]:
        text = self.cleaned_data.get("more_participants") or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_MORE_PARTICIPANTS:
            raise ValidationError(
                _("At most %(limit)s further participants at once."), params={"limit": MAX_MORE_PARTICIPANTS}
            )
        people: list[Person] = []
        messages: list[str] = []
        field = PersonField(required=False)
        for line in lines:
            try:
                person = field.clean(line)
            except ValidationError as error:
                messages.extend(error.messages)
            else:
                if person is not None:
                    people.append(person)
        if messages:
            raise ValidationError(messages)
        return people

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_title = bool(cleaned.get("follow_up_title"))
        has_date = cleaned.get("follow_up_due_date") is not None
        if "follow_up_title" in self.fields and has_title != has_date and not self.errors:
            missing = "follow_up_due_date" if has_title else "follow_up_title"
            self.add_error(missing, _("A follow-up needs what to do and a due date."))
        return cleaned

    def to_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        participants: list[Any] = list(cleaned.get("participants") or [])
        participants += [person.uuid for person in cleaned.get("more_participants") or []]
        measure = self.measures.get(cleaned.get("measure") or "")
        data: dict[str, Any] = {
            "kind": cleaned["kind"],
            "occurred_at": cleaned["occurred_at"],
            "subject": cleaned["subject"],
            "notes": cleaned.get("notes") or "",
            "staff": cleaned["staff"],
            "organisation": cleaned.get("organisation"),
            "participants": participants,
            "lab": cleaned.get("lab") or None,
            "measure": measure,
        }
        if cleaned.get("follow_up_title"):
            data["follow_ups"] = [
                {
                    "title": cleaned["follow_up_title"],
                    "due_date": cleaned["follow_up_due_date"],
                    "assignee": cleaned.get("follow_up_assignee"),
                }
            ]
        return data

    @staticmethod
    def initial_from(interaction: Interaction) -> dict[str, Any]:
        measure = interaction.measure
        return {
            "kind": interaction.kind,
            "occurred_at": interaction.occurred_at,
            "subject": interaction.subject,
            "notes": interaction.notes,
            "staff": interaction.staff_id,
            "organisation": interaction.organisation.slug if interaction.organisation else "",
            "participants": [str(person.uuid) for person in interaction.participants.all()],
            "lab": interaction.lab.slug if interaction.lab else "",
            "measure": f"{measure.lab.slug}/{measure.slug}" if measure else "",
        }


_FOLLOW_UP_PATH = re.compile(r"^follow_ups\[\d+\]\.(?P<field>\w+)$")
_PARTICIPANT_PATH = re.compile(r"^participants\[\d+\]$")


def add_interaction_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's errors onto the interaction or follow-up form: each under the field it names."""
    for path, messages in error_dict(error).items():
        field: str | None = path
        follow_up = _FOLLOW_UP_PATH.match(path)
        if follow_up:
            field = f"follow_up_{follow_up['field']}"
        elif _PARTICIPANT_PATH.match(path):
            field = "participants"
        if field not in form.fields:
            field = None
        for message in messages:
            form.add_error(field, message)


class FollowUpForm(forms.Form):
    title = forms.CharField(label=_("What to do"), max_length=TITLE_MAX)
    due_date = forms.DateField(label=_("Due"), widget=DateInput())
    assignee = StaffField(label=_("Who"), empty_label=None)

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "follow-up")
        super().__init__(*args, **kwargs)
        if user is not None and not self.is_bound:
            self.fields["assignee"].initial = user.pk
