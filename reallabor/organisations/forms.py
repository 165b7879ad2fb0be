"""Forms of the organisation pages; every change goes through ``organisations.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reallabor.core.cache import cached_by_content
from reallabor.core.widgets import NumberInput, Select, TextInput
from reallabor.labs.fields import LabChoiceField
from reallabor.organisations.models import SUB_KINDS, Organisation
from reallabor.taxonomy.models import (
    MOTIVATIONS_FAMILY,
    NEEDS_FAMILY,
    SECTOR_FAMILY,
    TRADES_FAMILY,
    Term,
)

Choices = list[tuple[Any, Any]]


def model_field(name: str, **overrides: Any) -> Any:
    """The form field Django derives from the model field (label, help text, limits)."""
    return Organisation._meta.get_field(name).formfield(**overrides)  # type: ignore[union-attr]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def classification_choices(family: str) -> Choices:
    """The terms of a two-level vocabulary (WZ 2008, trades) grouped by their parent (one query)."""
    terms = list(
        Term.objects.filter(vocabulary__family=family, vocabulary__retired_at__isnull=True)
        .select_related("parent")
        .order_by("position", "code")
    )
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for term in terms:
        if term.parent_id is None:
            groups.setdefault(term.pk, (term.label, []))
    for term in terms:
        if term.parent_id is not None and term.parent_id in groups:
            groups[term.parent_id][1].append((term.code, f"{term.code} {term.label}"))
    return [("", "–"), *((label, options) for label, options in groups.values() if options)]


def sub_kind_choices() -> Choices:
    labels = dict(Organisation.SubKind.choices)
    kinds = dict(Organisation.Kind.choices)
    return [
        ("", "–"),
        *((kinds[kind], [(sub, labels[sub]) for sub in subs]) for kind, subs in SUB_KINDS.items()),
    ]


class OrganisationForm(forms.Form):
    """All fields of an organisation, grouped on the page as ``GROUPS`` says."""

    GROUPS: list[tuple[Any, tuple[str, ...]]] = [
        (_("Basic data"), ("name", "slug", "kind", "sub_kind", "founding_year")),
        (_("Classification"), ("sector", "trade")),
        (_("Size"), ("headcount_band",)),
        (_("Address"), ("street", "postcode", "city", "district", "quarter")),
        (_("Contact"), ("email", "phone", "website")),
        (_("Wirtschaftsallianz"), ("alliance_status", "alliance_since")),
        (_("Public profile"), ("profile_published", "profile_text")),
    ]

    def __init__(self, *args: Any, may_publish: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = {
            "name": model_field("name"),
            "slug": model_field("slug", required=False),
            "kind": model_field("kind"),
            "sub_kind": forms.ChoiceField(
                label=_("sub-kind"),
                required=False,
                choices=sub_kind_choices(),
                help_text=_("Only for science, multipliers and civil society."),
            ),
            "founding_year": model_field(
                "founding_year", min_value=1000, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
            ),
            "sector": forms.ChoiceField(
                label=_("sector (WZ 2008)"),
                required=False,
                choices=classification_choices(SECTOR_FAMILY),
                help_text=Organisation._meta.get_field("sector").help_text,
            ),
            "trade": forms.ChoiceField(
                label=_("trade"),
                required=False,
                choices=classification_choices(TRADES_FAMILY),
                help_text=Organisation._meta.get_field("trade").help_text,
            ),
            "headcount_band": model_field("headcount_band"),
            "street": model_field("street"),
            "postcode": model_field("postcode", widget=forms.TextInput(attrs={"inputmode": "numeric"})),
            "city": model_field("city"),
            "district": model_field("district"),
            "quarter": model_field("quarter"),
            "email": model_field("email"),
            "phone": model_field("phone", widget=forms.TextInput(attrs={"type": "tel"})),
            "website": model_field("website"),
            "alliance_status": model_field("alliance_status"),
            "alliance_since": model_field("alliance_since", widget=DateInput()),
            "profile_text": model_field("profile_text", widget=forms.Textarea(attrs={"rows": 6})),
        }
        if may_publish:
            fields["profile_published"] = model_field("profile_published")
        self.fields.update(fields)
        self.fields["slug"].help_text = _("Used in addresses (URLs). Leave empty to derive it from the name.")
        self.fields["district"].help_text = _("e.g. Alt-Bottrop, Kirchhellen or Eigen")
        self.fields["quarter"].help_text = _("The quarter within the district, e.g. Batenbrock.")
        self.fields["alliance_since"].help_text = _("For members and former members.")

    @property
    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """(legend, bound fields) for the template's fieldsets."""
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.GROUPS
            if any(name in self.fields for name in names)
        ]

    @staticmethod
    def initial_from(organisation: Organisation) -> dict[str, Any]:
        from reallabor.organisations.services import FIELDS

        initial: dict[str, Any] = {name: getattr(organisation, name) for name in FIELDS}
        initial["sector"] = organisation.sector.code if organisation.sector_id else ""  # type: ignore[union-attr]
        initial["trade"] = organisation.trade.code if organisation.trade_id else ""  # type: ignore[union-attr]
        initial["slug"] = organisation.slug
        return initial

    def to_data(self) -> dict[str, Any]:
        """The cleaned values for the services (empty optional values as "" or None)."""
        data: dict[str, Any] = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if name in ("founding_year", "alliance_since"):
                data[name] = value
            elif name == "profile_published":
                data[name] = bool(value)
            else:
                data[name] = value or ""
        if not data["slug"]:
            data.pop("slug")
        return data


# Filters of the list --------------------------------------------------------------------------------


def _term_choices(families: tuple[str, ...], *, top_level: bool) -> dict[str, Choices]:
    """(code, label) pairs per family: the top level (sections, lists) or all terms (one query)."""
    terms = Term.objects.filter(vocabulary__family__in=families, vocabulary__retired_at__isnull=True)
    if top_level:
        terms = terms.filter(parent__isnull=True)
    result: dict[str, Choices] = {family: [] for family in families}
    for term in terms.select_related("vocabulary").order_by("position", "code"):
        label = f"{term.code.upper()} {term.label}" if top_level else term.label
        result[term.vocabulary.family].append((term.code, label))
    return result


PUBLIC_FILTERS = ("q", "kinds", "sectors", "trades", "districts")
"""The filters everybody gets; the others work on data beyond the public profile."""


class OrganisationFilterForm(forms.Form):
    """The filters of the organisation list, named like the criteria (``actors.criteria``).

    Only rendered (unbound, with the request's values as initial values): the criteria parser
    reads the query string and names bad values, so the list and a segment agree.
    """

    q = forms.CharField(label=_("Search"), required=False, max_length=200, widget=TextInput)
    kinds = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Organisation.Kind.choices],
        widget=Select,
    )
    sectors = forms.ChoiceField(label=_("Sector (WZ 2008 section)"), required=False, widget=Select)
    trades = forms.ChoiceField(label=_("Trades"), required=False, widget=Select)
    districts = forms.ChoiceField(label=_("District"), required=False, widget=Select)
    headcount_bands = forms.ChoiceField(
        label=_("Headcount"),
        required=False,
        choices=[("", _("All sizes")), *Organisation.HeadcountBand.choices],
        widget=Select,
    )
    needs = forms.ChoiceField(label=_("Need"), required=False, widget=Select)
    motivations = forms.ChoiceField(label=_("Motivation"), required=False, widget=Select)
    labs = LabChoiceField(label=_("Real-world lab"), required=False, empty_label=_("All labs"))
    alliance = forms.ChoiceField(
        label=_("Wirtschaftsallianz"),
        required=False,
        widget=Select,
        choices=[
            ("", _("All")),
            ("member", _("member")),
            ("applicant", _("applied")),
            ("former", _("former member")),
            ("none", _("not a member")),
        ],
    )
    contacted_within_days = forms.IntegerField(
        label=_("Contacted within (days)"), required=False, min_value=0, widget=NumberInput
    )
    not_contacted_for_days = forms.IntegerField(
        label=_("Not contacted for (days)"), required=False, min_value=0, widget=NumberInput
    )

    def __init__(
        self,
        *args: Any,
        districts: list[str] | None = None,
        labs: list[tuple[str, str]] | None = None,
        internal: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not internal:
            for name in list(self.fields):
                if name not in PUBLIC_FILTERS:
                    del self.fields[name]
        top = cached_by_content(
            "organisation-filter-top-terms",
            lambda: _term_choices((SECTOR_FAMILY, TRADES_FAMILY), top_level=True),
        )
        self._set_choices("sectors", _("All sectors"), top[SECTOR_FAMILY])
        self._set_choices("trades", _("All trades"), top[TRADES_FAMILY])
        self._set_choices("districts", _("All districts"), [(d, d) for d in districts or []])
        if internal:
            tags = cached_by_content(
                "organisation-filter-tags",
                lambda: _term_choices((NEEDS_FAMILY, MOTIVATIONS_FAMILY), top_level=False),
            )
            self._set_choices("needs", _("All needs"), tags[NEEDS_FAMILY])
            self._set_choices("motivations", _("All motivations"), tags[MOTIVATIONS_FAMILY])
            self.fields["labs"].set_labs(labs or [])  # type: ignore[attr-defined]

    def _set_choices(self, name: str, empty: Any, choices: Choices) -> None:
        if name in self.fields:
            self.fields[name].choices = [("", empty), *choices]  # type: ignore[attr-defined]

    @classmethod
    def initial_from_query(cls, query: Any) -> dict[str, str]:
        """The first value of each filter (a comma list shows its first item)."""
        initial: dict[str, str] = {}
        for name in cls.base_fields:
            value = str(query.get(name, ""))
            if name != "q":
                value = value.split(",")[0].strip()
            initial[name] = value
        return initial
