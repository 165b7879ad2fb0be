"""Forms of the offers' pages: the catalogue's filters, the office's offer form and uptakes.

The offer form only gathers the input: ``offers.services`` checks it (vocabulary codes, amounts,
dates) and its errors are put on the fields by name (``add_service_errors``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reallabor.offers.models import DIMENSIONS, Offer
from reallabor.organisations.models import Organisation

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("all")), *choices]


class CatalogueFilterForm(forms.Form):
    """The public catalogue's filters (GET); unknown values are simply not valid (and ignored)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_blank(Offer.Kind.choices))
    funding_type = forms.ChoiceField(
        label=_("Type of funding"), required=False, choices=_blank(Offer.FundingType.choices)
    )
    region_level = forms.ChoiceField(
        label=_("Region"), required=False, choices=_blank(Offer.RegionLevel.choices)
    )
    dimension = forms.ChoiceField(
        label=_("Dimension of the check"),
        required=False,
        choices=_blank([(code, code) for code in DIMENSIONS]),
    )

    def __init__(self, *args: Any, dimension_labels: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if dimension_labels:
            field = self.fields["dimension"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = _blank([(code, dimension_labels.get(code, code)) for code in DIMENSIONS])


class OfficeFilterForm(CatalogueFilterForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(Offer.Status.choices))
    needs_verification = forms.BooleanField(label=_("Only those needing verification"), required=False)


LIST_HELP = _("Codes separated by commas.")


class OfferForm(forms.Form):
    provider = forms.CharField(
        label=_("Provider"),
        max_length=200,
        help_text=_("The providing organisation's short name or exact name."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Offer.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.CharField(
        label=_("Short name"), max_length=200, required=False, help_text=_("Made from the title when empty.")
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown."),
    )
    supported = forms.CharField(
        label=_("What is supported"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    eligibility = forms.CharField(
        label=_("Who is eligible"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    funding_types = forms.MultipleChoiceField(
        label=_("Type of funding"),
        required=False,
        choices=Offer.FundingType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    funding_areas = forms.CharField(label=_("Funding areas"), required=False, help_text=LIST_HELP)
    region_level = forms.ChoiceField(label=_("Region"), choices=Offer.RegionLevel.choices)
    region_code = forms.CharField(
        label=_("Region code"),
        required=False,
        max_length=50,
        help_text=_("A state's code (NW) or the slug of the district or city (bottrop)."),
    )
    region_name = forms.CharField(label=_("Region name"), required=False, max_length=100)
    headcount_bands = forms.MultipleChoiceField(
        label=_("Sizes (employees)"),
        required=False,
        choices=Organisation.HeadcountBand.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: any size."),
    )
    sectors = forms.CharField(label=_("Sectors (WZ 2008)"), required=False, help_text=LIST_HELP)
    trades = forms.CharField(label=_("Trades"), required=False, help_text=LIST_HELP)
    founders = forms.ChoiceField(
        label=_("Founders"), required=False, choices=[("", _("not specified")), *Offer.Founders.choices]
    )
    dimensions = forms.MultipleChoiceField(
        label=_("Dimensions of the check"),
        required=False,
        choices=[(code, code) for code in DIMENSIONS],
        widget=forms.CheckboxSelectMultiple,
    )
    needs = forms.CharField(label=_("Needs"), required=False, help_text=LIST_HELP)
    amount_min = forms.CharField(label=_("Amount from (EUR)"), required=False, max_length=30)
    amount_max = forms.CharField(label=_("Amount up to (EUR)"), required=False, max_length=30)
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DATE_INPUT,
        input_formats=DATE_FORMATS,
        help_text=_("Empty: open."),
    )
    contact = forms.CharField(label=_("Contact"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    link = forms.CharField(label=_("Link"), required=False, max_length=500)
    verified_on = forms.DateField(
        label=_("Last verified"), required=False, widget=DATE_INPUT, input_formats=DATE_FORMATS
    )
    is_example = forms.BooleanField(label=_("Example (not verified demo data)"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Offer.Status.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, _("The text contains a character that cannot be stored."))
        return data

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("slug"):
            data.pop("slug", None)
        return data


def offer_initial(offer: Offer) -> dict[str, Any]:
    def codes(manager: Any) -> str:
        return ", ".join(term.code for term in manager.all())

    return {
        "provider": offer.provider.slug,
        "kind": offer.kind,
        "title": offer.title,
        "slug": offer.slug,
        "description": offer.description,
        "supported": offer.supported,
        "eligibility": offer.eligibility,
        "funding_types": offer.funding_types,
        "funding_areas": codes(offer.funding_areas),
        "region_level": offer.region_level,
        "region_code": offer.region_code,
        "region_name": offer.region_name,
        "headcount_bands": offer.headcount_bands,
        "sectors": codes(offer.sectors),
        "trades": codes(offer.trades),
        "founders": offer.founders,
        "dimensions": offer.dimensions,
        "needs": codes(offer.needs),
        "amount_min": "" if offer.amount_min is None else str(offer.amount_min),
        "amount_max": "" if offer.amount_max is None else str(offer.amount_max),
        "deadline": offer.deadline,
        "contact": offer.contact,
        "link": offer.link,
        "verified_on": offer.verified_on,
        "is_example": offer.is_example,
        "status": offer.status,
    }


class UptakeForm(forms.Form):
    organisation = forms.CharField(
        label=_("Organisation"), max_length=200, help_text=_("The organisation's short name.")
    )
    taken_up_on = forms.DateField(
        label=_("Taken up on"),
        required=False,
        widget=DATE_INPUT,
        input_formats=DATE_FORMATS,
        help_text=_("Empty: today."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
