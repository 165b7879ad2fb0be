"""Forms of the internal lab and measure pages.

The forms only check and convert input; every change goes through ``labs.services`` with plain
data (see ``to_data`` methods), and the services' field errors are put back onto these forms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Model
from django.urls import reverse_lazy
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from reallabor.accounts.models import User
from reallabor.core.views_helpers import RowFormSet
from reallabor.core.widgets import suggestion_attrs
from reallabor.labs.models import (
    Activity,
    Actor,
    Financing,
    Lab,
    LabMembership,
    LabOrganisation,
    Measure,
    Result,
    TargetGroup,
)
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import SDG_FAMILY, TARGET_GROUP_FAMILY, Tag, Term, Vocabulary
from reallabor.taxonomy.services import tags_of

ORGANISATION_OPTIONS_ID = "organisation-options"
TAG_FAMILIES_EXCLUDED = (TARGET_GROUP_FAMILY,)
"""Target groups are a profile section, not tags."""


def model_field(model: type[Model], name: str, **overrides: Any) -> Any:
    """The form field Django derives from a model field (label, help text, limits), adjusted."""
    return model._meta.get_field(name).formfield(**overrides)  # type: ignore[union-attr]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


# Organisations as text with suggestions ----------------------------------------------------------


class OrganisationInput(forms.TextInput):
    """A text input with suggestions from a <datalist> (filled by htmx while typing)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            **suggestion_attrs(reverse_lazy("organisations:organisation-options")),
            "list": ORGANISATION_OPTIONS_ID,
            "hx-target": f"#{ORGANISATION_OPTIONS_ID}",
        }
        super().__init__({**defaults, **(attrs or {})})


class OrganisationField(forms.CharField):
    """An organisation given by its short name (slug) or its exact name."""

    widget = OrganisationInput
    default_error_messages = {
        "unknown": _("There is no organisation “%(value)s”. Add it under Organisations first."),
        "ambiguous": _("Several organisations are called “%(value)s”; choose one from the list."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 220)
        kwargs.setdefault("help_text", _("Type a few letters of the name and choose from the list."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Organisation):
            return value.slug
        return value

    def clean(self, value: Any) -> Organisation | None:
        text = super().clean(value)
        if not text:
            return None
        found = Organisation.objects.filter(slug=text).first()
        if found is None:
            matches = list(Organisation.objects.filter(name=text)[:2]) or list(
                Organisation.objects.filter(name__iexact=text)[:2]
            )
            if len(matches) > 1:
                raise forms.ValidationError(self.error_messages["ambiguous"], params={"value": text})
            if not matches:
                raise forms.ValidationError(self.error_messages["unknown"], params={"value": text})
            found = matches[0]
        return found


def organisation_suggestions(limit: int = 300) -> list[Organisation]:
    """The options of the organisation datalist when the page loads (htmx narrows them later)."""
    return list(Organisation.objects.only("name", "slug").order_by("name")[:limit])


# Labs ---------------------------------------------------------------------------------------------


class LabForm(forms.ModelForm):
    slug = model_field(Lab, "slug", required=False)
    coordinator = OrganisationField(required=False, label=_("Coordinating organisation"))

    class Meta:
        model = Lab
        fields = [
            "name",
            "slug",
            "summary",
            "background",
            "outlook",
            "phase",
            "funding_start",
            "funding_end",
            "coordinator",
            "is_published",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "funding_start": DateInput(),
            "funding_end": DateInput(),
        }

    def __init__(self, *args: Any, with_published: bool = True, **kwargs: Any) -> None:
        """``with_published``: the edit page publishes with its own button instead."""
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = _("Leave empty to derive it from the name.")
        if not with_published:
            del self.fields["is_published"]

    def to_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        coordinator = data.pop("coordinator")
        data["coordinator"] = coordinator.slug if coordinator else None
        if not data["slug"]:
            data.pop("slug")
        for name in ("summary", "background", "outlook"):
            data[name] = data[name] or ""
        return data


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=LabMembership.Role.choices)

    def __init__(self, *args: Any, may_appoint_coordinators: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_appoint_coordinators:
            role_field = self.fields["role"]
            assert isinstance(role_field, forms.ChoiceField)
            role_field.choices = [(LabMembership.Role.PARTNER, LabMembership.Role.PARTNER.label)]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        member = User.objects.filter(email__iexact=email, is_active=True).first()
        if member is None:
            raise forms.ValidationError(
                _("There is no account with this e-mail address. Ask the office to create one.")
            )
        self.cleaned_data["member"] = member
        return email


class LabOrganisationForm(forms.Form):
    organisation = OrganisationField(label=_("Organisation"))
    role = forms.ChoiceField(
        label=_("Role"), choices=LabOrganisation.Role.choices, initial=LabOrganisation.Role.PARTNER
    )


# Measures -----------------------------------------------------------------------------------------


class MeasureForm(forms.ModelForm):
    """Title, short name, summary, status, period and, when a measure is created, publication."""

    slug = model_field(Measure, "slug", required=False)

    class Meta:
        model = Measure
        fields = ["title", "slug", "summary", "status", "start", "end", "is_published"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "start": DateInput(),
            "end": DateInput(),
        }

    def __init__(self, *args: Any, with_published: bool = True, **kwargs: Any) -> None:
        """``with_published``: the edit page publishes with its own button instead."""
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = _("Leave empty to derive it from the title.")
        if not with_published:
            del self.fields["is_published"]

    def to_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        if not data["slug"]:
            data.pop("slug")
        data["summary"] = data["summary"] or ""
        return data


# Profile sections ---------------------------------------------------------------------------------


class RowForm(forms.Form):
    """One row of a profile section: builds its initial values and its plain service data."""

    @classmethod
    def initial_rows(cls, measure: Measure) -> list[dict[str, Any]]:
        raise NotImplementedError

    def to_data(self) -> Any:
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in ("ORDER", "DELETE")}


class ActivityForm(RowForm):
    title = model_field(Activity, "title")
    start = model_field(Activity, "start", widget=DateInput())
    end = model_field(Activity, "end", widget=DateInput())
    text = model_field(Activity, "text", widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def initial_rows(cls, measure: Measure) -> list[dict[str, Any]]:
        return [
            {"title": row.title, "start": row.start, "end": row.end, "text": row.text}
            for row in measure.activities.all()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("end") and not data.get("start"):
            self.add_error("start", _("Give a start date when there is an end date."))
        elif data.get("end") and data.get("start") and data["end"] < data["start"]:
            self.add_error("end", _("The end must not be before the start."))
        return data


class CoordinationForm(RowForm):
    organisation = OrganisationField(label=_("Organisation"))

    @classmethod
    def initial_rows(cls, measure: Measure) -> list[dict[str, Any]]:
        return [{"organisation": org.slug} for org in measure.coordinators.order_by("name")]

    def to_data(self) -> Any:
        return self.cleaned_data["organisation"].slug


class FinancingForm(RowForm):
    source_kind = model_field(Financing, "source_kind")
    source = model_field(Financing, "source")
    amount = model_field(Financing, "amount", min_value=0)
    start = model_field(Financing, "start", widget=DateInput())
    end = model_field(Financing, "end", widget=DateInput())

    @classmethod
    def initial_rows(cls, measure: Measure) -> list[dict[str, Any]]:
        return [
            {
                "source_kind": row.source_kind,
                "source": row.source,
                "amount": row.amount,
                "start": row.start,
                "end": row.end,
            }
            for row in measure.financing.all()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("end") and data.get("start") and data["end"] < data["start"]:
            self.add_error("end", _("The end must not be before the start."))
        return data


class ActorForm(RowForm):
    organisation = OrganisationField(label=_("Organisation"), required=False)
    group_name = model_field(Actor, "group_name")
    role = model_field(Actor, "role")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group_name"].help_text = _("Or a group without an organisation, e.g. “Einzelhändler”.")

    @classmethod
    def initial_rows(cls, measure: Measure) -> list[dict[str, Any]]:
        return [
            {
                "organisation": row.organisation.slug if row.organisation else "",
                "group_name": row.group_name,
                "role": row.role,
            }
            for row in measure.actors.select_related("organisation")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "organisation" in self.errors:
            return data
        if data.get("organisation") and data.get("group_name"):
            self.add_error("group_name", _("Name either an organisation or a group, not both."))
        elif not data.get("organisation") and not data.get("group_name"):
            self.add_error("organisation", _("Name an organisation or a group."))
        return data

    def to_data(self) -> Any:
        organisation = self.cleaned_data.get("organisation")
        return {
            "organisation": organisation.slug if organisation else None,
            "group_name": self.cleaned_data.get("group_name") or "",
            "role": self.cleaned_data.get("role") or "",
        }


class TargetGroupForm(RowForm):
    term = forms.ModelChoiceField(label=_("Target group"), queryset=Term.objects.none())
    added_value = model_field(TargetGroup, "added_value", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, term_queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if term_queryset is not None:
            self.fields["term"].queryset = term_queryset  # type: ignore[attr-defined]

    @staticmethod
    def term_queryset(measure: Measure) -> Any:
        """Current target groups, and those of retired versions that the measure still names."""
        from django.db.models import Q

        used = measure.target_groups.values("term_id")
        return (
            Term.objects.filter(
                Q(vocabulary__family=TARGET_GROUP_FAMILY, vocabulary__retired_at__isnull=True)
                | Q(pk__in=used)
            )
            .select_related("vocabulary")
            .order_by("vocabulary__version", "position", "name")
        )

    @classmethod
    def initial_rows(cls, measure: Measure) -> list[dict[str, Any]]:
        return [{"term": row.term_id, "added_value": row.added_value} for row in measure.target_groups.all()]

    def to_data(self) -> Any:
        return {
            "term": self.cleaned_data["term"].pk,
            "added_value": self.cleaned_data.get("added_value") or "",
        }


class ResultForm(RowForm):
    date = model_field(Result, "date", widget=DateInput())
    text = model_field(Result, "text", widget=forms.Textarea(attrs={"rows": 3}))
    evidence_url = model_field(Result, "evidence_url")
    evidence_file = forms.FileField(label=_("Evidence (file)"), required=False)
    current_file = forms.CharField(required=False, widget=forms.HiddenInput)
    remove_file = forms.BooleanField(label=_("Remove the file"), required=False)

    def __init__(self, *args: Any, allowed_files: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_files = set(allowed_files)
        self.fields["evidence_file"].help_text = _("PDF, image or office document.")

    @property
    def current_file_name(self) -> str:
        """The stored evidence file of this row (only names that belong to the measure count)."""
        value = self["current_file"].value() or ""
        return value if value in self.allowed_files else ""

    @classmethod
    def initial_rows(cls, measure: Measure) -> list[dict[str, Any]]:
        return [
            {
                "date": row.date,
                "text": row.text,
                "evidence_url": row.evidence_url,
                "current_file": row.evidence_file.name or "",
            }
            for row in measure.results.all()
        ]

    def to_data(self) -> Any:
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            evidence: Any = upload
        elif self.cleaned_data.get("remove_file"):
            evidence = ""
        else:
            evidence = self.current_file_name
        return {
            "date": self.cleaned_data.get("date"),
            "text": self.cleaned_data.get("text") or "",
            "evidence_url": self.cleaned_data.get("evidence_url") or "",
            "evidence_file": evidence,
        }


@dataclass(frozen=True)
class Section:
    """A profile section: its page, its form and the key under which the service takes it."""

    name: str
    label: Any
    form_class: type[RowForm]
    key: str
    row_label: Any
    field_map: dict[str, str] = field(default_factory=dict)
    multipart: bool = False

    def formset_class(self) -> type[RowFormSet]:
        return forms.formset_factory(  # type: ignore[return-value]
            self.form_class, formset=RowFormSet, extra=1, can_delete=True, can_order=True
        )

    def form_kwargs(self, measure: Measure) -> dict[str, Any]:
        if self.form_class is TargetGroupForm:
            return {"term_queryset": TargetGroupForm.term_queryset(measure)}
        if self.form_class is ResultForm:
            names = measure.results.exclude(evidence_file="").values_list("evidence_file", flat=True)
            return {"allowed_files": list(names)}
        return {}


SECTIONS: dict[str, Section] = {
    section.name: section
    for section in (
        Section("activities", _("Activities"), ActivityForm, "activities", _("Activity")),
        Section(
            "coordination",
            _("Coordination"),
            CoordinationForm,
            "coordinators",
            _("Coordinating organisation"),
            field_map={"": "organisation"},
        ),
        Section("financing", _("Financing"), FinancingForm, "financing", _("Source of funding")),
        Section("actors", _("Participating actors"), ActorForm, "actors", _("Actor")),
        Section(
            "target_groups",
            _("Target groups and added value"),
            TargetGroupForm,
            "target_groups",
            _("Target group"),
        ),
        Section("results", _("Results"), ResultForm, "results", _("Result"), multipart=True),
    )
}


# Tags ---------------------------------------------------------------------------------------------


class TermChoiceField(forms.TypedChoiceField):
    """A term id from a grouped select; whether the term may be used is the service's decision."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=None, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit()


class TagForm(RowForm):
    term = TermChoiceField(label=_("Term"))
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=[("", _("– (share given)")), *Tag.Priority.choices],
        help_text=_("Either a priority or a share; without either the tag counts as primary."),
    )
    share = forms.IntegerField(label=_("Share in percent"), required=False, min_value=1, max_value=100)
    note = model_field(Tag, "note", required=False)

    def __init__(self, *args: Any, term_choices: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [("", "---------"), *(term_choices or [])]  # type: ignore[attr-defined]

    @classmethod
    def initial_rows(cls, measure: Measure) -> list[dict[str, Any]]:
        return [
            {"term": tag.term_id, "priority": tag.priority, "share": tag.share, "note": tag.note}
            for tag in tags_of(measure)
        ]

    def to_data(self) -> Any:
        return {
            "term": self.cleaned_data["term"],
            "priority": self.cleaned_data.get("priority") or "",
            "share": self.cleaned_data.get("share"),
            "note": self.cleaned_data.get("note") or "",
        }


TagFormSet: type[RowFormSet] = forms.formset_factory(  # type: ignore[assignment]
    TagForm, formset=RowFormSet, extra=1, can_delete=True, can_order=True
)


def _term_option(term: Term) -> str:
    if term.vocabulary.kind == Vocabulary.Kind.SDG:
        if term.parent_id:
            return Truncator(f"\u2003{term.code} {term.label}").chars(140)
        return Truncator(f"SDG {term.code} »{term.label}«").chars(140)
    return term.display


def tag_term_choices(measure: Measure) -> list[Any]:
    """Grouped choices: every current vocabulary (SDGs, megatrends, strategy goals …), then the
    terms of retired versions that the measure still carries."""
    current = (
        Term.objects.filter(vocabulary__retired_at__isnull=True)
        .exclude(vocabulary__family__in=TAG_FAMILIES_EXCLUDED)
        .select_related("vocabulary")
        .order_by("vocabulary__family", "position", "code")
    )
    groups: dict[int, tuple[Vocabulary, list[tuple[int, str]]]] = {}
    for term in current:
        groups.setdefault(term.vocabulary_id, (term.vocabulary, []))[1].append((term.pk, _term_option(term)))
    retired = [tag.term for tag in tags_of(measure) if tag.term.vocabulary.is_retired]
    retired_groups: dict[int, tuple[Vocabulary, list[tuple[int, str]]]] = {}
    for term in retired:
        retired_groups.setdefault(term.vocabulary_id, (term.vocabulary, []))[1].append(
            (term.pk, _term_option(term))
        )
    order = {SDG_FAMILY: 0, "megatrends": 1, "strategy": 2}
    choices: list[Any] = []
    for vocabulary, options in sorted(
        groups.values(), key=lambda item: (order.get(item[0].family, 9), item[0].name)
    ):
        choices.append((vocabulary.label, options))
    for vocabulary, options in retired_groups.values():
        label = _("%(vocabulary)s (retired version %(version)s)") % {
            "vocabulary": vocabulary.label,
            "version": vocabulary.version,
        }
        choices.append((label, options))
    return choices


class BlueprintImportForm(forms.Form):
    file = forms.FileField(
        label=_("Blueprint (JSON file)"),
        help_text=_("A file written by “Export blueprint” or by the command reallabor export-blueprint."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    slug = forms.SlugField(
        label=_("New short name"),
        required=False,
        max_length=100,
        help_text=_("Optional: import under this short name (URL) instead of the one in the file."),
    )
    dry_run = forms.BooleanField(label=_("Only check the file, import nothing"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.MAX_UPLOAD_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("The file “%(name)s” is %(size)s MB; at most %(limit)s MB are allowed.")
                % {
                    "name": upload.name,
                    "size": round(upload.size / 1048576, 1),
                    "limit": round(limit / 1048576),
                }
            )
        return upload
