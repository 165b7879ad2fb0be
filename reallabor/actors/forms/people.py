"""Forms of the people pages: the list's filters, a person, their roles, relationships.

The forms only convert input; ``actors.services.people`` and ``actors.services.relationships``
check it and their field errors are put back onto these forms.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from reallabor.actors.criteria import ALLIANCE, Criteria, CriteriaError, parse_criteria
from reallabor.actors.models import Affiliation, Person, Purpose, Relationship
from reallabor.actors.services.people import FIELDS
from reallabor.core.cache import cached_by_content
from reallabor.core.widgets import (
    CheckboxSelectMultiple,
    NumberInput,
    RadioSelect,
    Select,
    SelectMultiple,
    TextInput,
)
from reallabor.labs.fields import LabMultipleChoiceField
from reallabor.labs.forms import DateInput, OrganisationField, model_field
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import MOTIVATIONS_FAMILY, NEEDS_FAMILY, SECTOR_FAMILY, TRADES_FAMILY, Term

PERSON_OPTIONS_ID = "person-options"
DISTRICTS_SHOWN = 200

# The list's filters -----------------------------------------------------------------------------------


def _terms(family: str) -> list[Term]:
    return list(
        Term.objects.filter(vocabulary__family=family, vocabulary__retired_at__isnull=True)
        .select_related("vocabulary")
        .order_by("position", "code")
    )


def _flat_choices(family: str) -> list[tuple[str, str]]:
    return [(term.code, term.label) for term in _terms(family)]


def _grouped_choices(family: str, all_label: Any) -> list[tuple[str, Any]]:
    """Parents as groups, each offering itself (“all of …”) and its children."""
    terms = _terms(family)
    children: dict[int, list[Term]] = {}
    for term in terms:
        if term.parent_id is not None:
            children.setdefault(term.parent_id, []).append(term)
    groups: list[tuple[str, Any]] = []
    for term in terms:
        if term.parent_id is None:
            options = [(term.code, all_label % {"name": term.label})]
            options += [(child.code, f"{child.code} {child.label}") for child in children.get(term.pk, [])]
            groups.append((f"{term.code.upper()} {term.label}", options))
    return groups


def _districts() -> list[str]:
    organisations = Organisation.objects.exclude(district="").values_list("district", flat=True)
    people = Person.objects.exclude(district="").values_list("district", flat=True)
    return sorted(set(organisations.distinct()[:DISTRICTS_SHOWN]) | set(people.distinct()[:DISTRICTS_SHOWN]))


ALLIANCE_LABELS = {
    "member": _("member"),
    "applicant": _("applied"),
    "former": _("former member"),
    "none": _("not a member"),
}


def _filter_choices() -> dict[str, list[Any]]:
    """The choices of the people filters that come from the database (cached by the form)."""
    return {
        "sectors": _grouped_choices(SECTOR_FAMILY, _("all of “%(name)s”")),
        "trades": _grouped_choices(TRADES_FAMILY, _("all of “%(name)s”")),
        "districts": [(name, name) for name in _districts()],
        "needs": _flat_choices(NEEDS_FAMILY),
        "motivations": _flat_choices(MOTIVATIONS_FAMILY),
    }


class PeopleFilterForm(forms.Form):
    """The criteria of ``actors.criteria`` as a form (the query string of the people list)."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=200, help_text=_("Name or e-mail"), widget=TextInput
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kind of organisation"),
        required=False,
        choices=Organisation.Kind.choices,
        widget=CheckboxSelectMultiple,
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sector (WZ 2008)"), required=False, widget=SelectMultiple(attrs={"size": 6})
    )
    trades = forms.MultipleChoiceField(
        label=_("Trade"), required=False, widget=SelectMultiple(attrs={"size": 6})
    )
    districts = forms.MultipleChoiceField(
        label=_("District"), required=False, widget=SelectMultiple(attrs={"size": 4})
    )
    headcount_bands = forms.MultipleChoiceField(
        label=_("Headcount"),
        required=False,
        choices=Organisation.HeadcountBand.choices,
        widget=CheckboxSelectMultiple,
    )
    needs = forms.MultipleChoiceField(label=_("Needs"), required=False, widget=CheckboxSelectMultiple)
    motivations = forms.MultipleChoiceField(
        label=_("Motivations"), required=False, widget=CheckboxSelectMultiple
    )
    labs = LabMultipleChoiceField(label=_("Lab"), required=False)
    alliance = forms.MultipleChoiceField(
        label=_("Wirtschaftsallianz"),
        required=False,
        choices=[(value, ALLIANCE_LABELS[value]) for value in ALLIANCE],
        widget=CheckboxSelectMultiple,
    )
    contacted_within_days = forms.IntegerField(
        label=_("Contacted within the last … days"),
        required=False,
        min_value=0,
        max_value=36500,
        widget=NumberInput,
    )
    not_contacted_for_days = forms.IntegerField(
        label=_("Not contacted for … days (or never)"),
        required=False,
        min_value=0,
        max_value=36500,
        widget=NumberInput,
    )
    consent = forms.ChoiceField(
        label=_("Valid consent for"),
        required=False,
        widget=Select,
        choices=[("", _("any or none")), *Purpose.choices],
    )

    ADVANCED = (
        "sectors",
        "trades",
        "districts",
        "headcount_bands",
        "needs",
        "motivations",
        "labs",
        "alliance",
        "contacted_within_days",
        "not_contacted_for_days",
        "consent",
    )

    def __init__(self, *args: Any, labs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in cached_by_content("people-filter-choices", _filter_choices).items():
            self._set_choices(name, choices)
        self.fields["labs"].set_labs(list(labs))  # type: ignore[attr-defined]

    def _set_choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def criteria(self) -> Criteria:
        """The criteria of a valid form; criteria errors are added to the form (then re-raised)."""
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "", [])}
        try:
            return parse_criteria(data)
        except CriteriaError as error:
            for field, message in error.errors.items():
                self.add_error(field if field in self.fields else None, message)
            raise

    @property
    def advanced_used(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.ADVANCED)


# A person ---------------------------------------------------------------------------------------------


class PersonForm(forms.Form):
    salutation = model_field(Person, "salutation")
    first_name = model_field(Person, "first_name")
    last_name = model_field(Person, "last_name")
    function = model_field(Person, "function")
    email = model_field(Person, "email")
    phone = model_field(Person, "phone")
    mobile = model_field(Person, "mobile")
    street = model_field(Person, "street")
    postcode = model_field(Person, "postcode")
    city = model_field(Person, "city")
    district = model_field(Person, "district")
    notes = model_field(Person, "notes", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.fields["postcode"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["last_name"].required = False  # the service names the missing last name

    @staticmethod
    def initial_of(person: Person) -> dict[str, Any]:
        return {field: getattr(person, field) for field in FIELDS}

    def to_data(self) -> dict[str, Any]:
        return {field: self.cleaned_data.get(field) or "" for field in FIELDS}


class PersonCreateForm(PersonForm):
    """A new person, optionally with a role at an organisation right away."""

    organisation = OrganisationField(label=_("Organisation"), required=False)
    role = model_field(Affiliation, "role")
    start_date = model_field(Affiliation, "start_date", widget=DateInput())

    AFFILIATION_FIELDS = {
        "affiliations[0].organisation": "organisation",
        "affiliations[0].role": "role",
        "affiliations[0].start_date": "start_date",
    }

    def affiliations(self) -> list[dict[str, Any]]:
        organisation = self.cleaned_data.get("organisation")
        if organisation is None:
            return []
        return [
            {
                "organisation": organisation,
                "role": self.cleaned_data.get("role") or "",
                "start_date": self.cleaned_data.get("start_date"),
            }
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        without_organisation = not data.get("organisation") and "organisation" not in self.errors
        if without_organisation and (data.get("role") or data.get("start_date")):
            self.add_error("organisation", _("Choose the organisation of this role."))
        return data


# Roles at organisations ---------------------------------------------------------------------------------


class AffiliationForm(forms.Form):
    organisation = OrganisationField(label=_("Organisation"))
    role = model_field(Affiliation, "role")
    start_date = model_field(Affiliation, "start_date", widget=DateInput())
    end_date = model_field(Affiliation, "end_date", widget=DateInput())
    is_primary = model_field(Affiliation, "is_primary")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["is_primary"].help_text = _("The organisation's main contact person.")
        self.fields["end_date"].help_text = _("Leave empty while the role lasts.")

    @staticmethod
    def initial_of(affiliation: Affiliation) -> dict[str, Any]:
        return {
            "organisation": affiliation.organisation.slug,
            "role": affiliation.role,
            "start_date": affiliation.start_date,
            "end_date": affiliation.end_date,
            "is_primary": affiliation.is_primary,
        }

    def to_data(self) -> dict[str, Any]:
        return {
            "organisation": self.cleaned_data["organisation"],
            "role": self.cleaned_data.get("role") or "",
            "start_date": self.cleaned_data.get("start_date"),
            "end_date": self.cleaned_data.get("end_date"),
            "is_primary": bool(self.cleaned_data.get("is_primary")),
        }


class EndAffiliationForm(forms.Form):
    end_date = forms.DateField(label=_("Last day in this role"), widget=DateInput())


# Relationships ----------------------------------------------------------------------------------------


class PersonInput(forms.TextInput):
    """A text input with suggestions of people from a <datalist> (filled by htmx while typing)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "list": PERSON_OPTIONS_ID,
            "autocomplete": "off",
            "hx-get": reverse_lazy("actors:person-options"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": f"#{PERSON_OPTIONS_ID}",
            "hx-swap": "innerHTML",
        }
        super().__init__({**defaults, **(attrs or {})})


class PersonField(forms.CharField):
    """A person given by the id from the suggestions, their e-mail address or their exact name."""

    widget = PersonInput
    default_error_messages = {
        "unknown": _("There is no person “%(value)s”. Add them under People first."),
        "ambiguous": _("Several people are called “%(value)s”; choose one from the list."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", _("Type a few letters of the name and choose from the list."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Person):
            return str(value.uuid)
        return value

    def clean(self, value: Any) -> Person | None:
        text = super().clean(value)
        if not text:
            return None
        people = Person.objects.filter(anonymised_at__isnull=True)
        try:
            found = people.filter(uuid=uuid.UUID(text)).first()
        except ValueError:
            found = None
        if found is None:
            matches = list(people.filter(email__iexact=text)[:2]) if "@" in text else []
            if not matches:
                words = text.split()
                if len(words) >= 2:
                    matches = list(
                        people.filter(
                            Q(first_name__iexact=" ".join(words[:-1]), last_name__iexact=words[-1])
                            | Q(first_name__iexact=words[0], last_name__iexact=" ".join(words[1:]))
                        ).distinct()[:2]
                    )
                else:
                    matches = list(people.filter(last_name__iexact=text)[:2])
            if len(matches) > 1:
                raise forms.ValidationError(self.error_messages["ambiguous"], params={"value": text})
            if not matches:
                raise forms.ValidationError(self.error_messages["unknown"], params={"value": text})
            found = matches[0]
        return found


class RelationshipForm(forms.Form):
    """A relationship seen from one side (the page's organisation or person)."""

    DIRECTIONS = (("out", _("this one → the other")), ("in", _("the other → this one")))

    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=DIRECTIONS,
        initial="out",
        widget=RadioSelect,
    )
    kind = forms.ChoiceField(label=_("Relationship"), choices=Relationship.Kind.choices)
    start_date = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end_date = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, between_people: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        other: forms.Field
        if between_people:
            other = PersonField(label=_("Other person"))
        else:
            other = OrganisationField(label=_("Other organisation"))
        self.fields = {
            "direction": self.fields["direction"],
            "kind": self.fields["kind"],
            "other": other,
            **{name: self.fields[name] for name in ("start_date", "end_date", "note")},
        }


class RelationshipEditForm(forms.Form):
    kind = forms.ChoiceField(label=_("Relationship"), choices=Relationship.Kind.choices)
    start_date = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end_date = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    @staticmethod
    def initial_of(relationship: Relationship) -> dict[str, Any]:
        return {
            "kind": relationship.kind,
            "start_date": relationship.start_date,
            "end_date": relationship.end_date,
            "note": relationship.note,
        }

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": self.cleaned_data["kind"],
            "start_date": self.cleaned_data.get("start_date"),
            "end_date": self.cleaned_data.get("end_date"),
            "note": self.cleaned_data.get("note") or "",
        }
