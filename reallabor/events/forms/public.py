"""The participants' forms: registering (with the event's questions and the consents), changing a
registration by the personal link, and the feedback after the event.

The forms convert and pre-check the input (required fields, e-mail syntax, the choices); the
services (``events.services.registrations`` / ``.feedback``) check it again and their field errors
are put back onto these forms (``add_registration_errors``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reallabor.actors.models import ConsentText, Purpose
from reallabor.core.validation import error_dict
from reallabor.events.models import Question
from reallabor.events.services.answers import ANSWER_MAX, NAME_MAX, ORGANISATION_MAX
from reallabor.events.services.feedback import TEXT_MAX, TOPIC_MAX

ANSWER_PREFIX = "answer_"
YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No"))]


def answer_field_name(question: Question) -> str:
    return f"{ANSWER_PREFIX}{question.pk}"


def _text_input(autocomplete: str, **attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, **attrs})


class DetailsForm(forms.Form):
    """Name and organisation, and the answers to the event's questions (also for changing)."""

    first_name = forms.CharField(label=_("First name"), max_length=NAME_MAX, widget=_text_input("given-name"))
    last_name = forms.CharField(label=_("Last name"), max_length=NAME_MAX, widget=_text_input("family-name"))
    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=ORGANISATION_MAX,
        required=False,
        widget=_text_input("organization"),
        help_text=_("Your company or institution, if any."),
    )

    def __init__(self, *args: Any, questions: Iterable[Question] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[answer_field_name(question)] = self._question_field(question)

    @staticmethod
    def _question_field(question: Question) -> forms.Field:
        common: dict[str, Any] = {
            "label": question.label,
            "required": question.required,
            "help_text": question.help_text,
        }
        if question.kind == Question.Kind.CHOICE:
            choices = [(str(choice), str(choice)) for choice in question.choices or []]
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        if question.kind == Question.Kind.YES_NO:
            return forms.ChoiceField(choices=YES_NO_CHOICES, widget=forms.RadioSelect, **common)
        return forms.CharField(max_length=ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 3}), **common)

    def question_fields(self) -> list[forms.BoundField]:
        return [self[answer_field_name(question)] for question in self.questions]

    def answers(self) -> dict[str, Any]:
        """The answers for the services: ``{question id: value}`` (unanswered ones left out)."""
        answers: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(answer_field_name(question))
            if value in (None, ""):
                continue
            answers[str(question.pk)] = value
        return answers

    @staticmethod
    def initial_answers(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
        """Initial values for the answer fields from a registration's stored answers."""
        initial: dict[str, Any] = {}
        for question in questions:
            value = answers.get(str(question.pk))
            if value is None:
                continue
            if question.kind == Question.Kind.YES_NO:
                value = "yes" if value is True else "no" if value is False else value
            initial[answer_field_name(question)] = value
        return initial

    def change_data(self) -> dict[str, Any]:
        """The data for ``change_registration``."""
        return {
            "first_name": self.cleaned_data["first_name"],
            "last_name": self.cleaned_data["last_name"],
            "organisation_name": self.cleaned_data["organisation_name"],
            "answers": self.answers(),
        }


class RegistrationForm(DetailsForm):
    """Registering without an account: name, e-mail, organisation, the questions, the consents."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        help_text=_("We send the confirmation and your personal link to this address."),
        error_messages={"invalid": _("Enter a valid e-mail address, such as name@example.org.")},
    )
    consents = forms.MultipleChoiceField(
        label=_("Consent"), required=False, widget=forms.CheckboxSelectMultiple
    )

    field_order = ["first_name", "last_name", "email", "organisation_name"]

    def __init__(
        self,
        *args: Any,
        questions: Iterable[Question] = (),
        consent_texts: Mapping[str, ConsentText] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, questions=questions, **kwargs)
        self.consent_texts = dict(consent_texts or {})
        # The consents come last, after the questions.
        consents = self.fields.pop("consents")
        consents.choices = [  # type: ignore[attr-defined]
            (purpose, label) for purpose, label in Purpose.choices if purpose in self.consent_texts
        ]
        self.fields["consents"] = consents

    def consent_options(self) -> list[dict[str, Any]]:
        """The consents the person may give, each with the wording they agree to."""
        chosen = set(self["consents"].value() or [])
        options = []
        for purpose, label in Purpose.choices:
            if purpose not in self.consent_texts:
                continue
            # The consent itself, then the legal notes (revocation, legal basis) folded away.
            statement, _sep, notes = (
                self.consent_texts[purpose].text.replace("\r\n", "\n").strip().partition("\n\n")
            )
            options.append(
                {
                    "purpose": purpose,
                    "label": label,
                    "statement": statement.strip(),
                    "notes": notes.strip(),
                    "checked": purpose in chosen,
                    "id": f"id_consent_{purpose}",
                }
            )
        return options

    def registration_data(self) -> dict[str, Any]:
        """The data for ``registrations.register``."""
        return {
            "first_name": self.cleaned_data["first_name"],
            "last_name": self.cleaned_data["last_name"],
            "email": self.cleaned_data["email"],
            "organisation_name": self.cleaned_data["organisation_name"],
            "answers": self.answers(),
            "consents": list(self.cleaned_data.get("consents") or []),
        }


def add_registration_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's errors onto the form: answers under their question's field, ``event`` and
    whatever the form has no field for on the form itself."""
    for path, messages in error_dict(error).items():
        field: str | None = path
        if path.startswith("answers."):
            field = ANSWER_PREFIX + path.split(".", 1)[1]
        if field not in form.fields:
            field = None
        for message in messages:
            form.add_error(field, message)


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How did you like it?"),
        choices=[
            ("5", _("5 – very good")),
            ("4", _("4 – good")),
            ("3", _("3 – fair")),
            ("2", _("2 – poor")),
            ("1", _("1 – very poor")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Comments"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_topic = forms.CharField(
        label=_("What should the next one be about?"), required=False, max_length=TOPIC_MAX
    )
