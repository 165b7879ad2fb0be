"""The segment form: a name, what the segment holds, and the criteria of ``actors.criteria``.

The criteria fields carry the names of the criteria, so the form's values are also a valid query
string for the live count (``/segmente/zaehlen/``) and the lists. The form checks the choices (the
labs: those the user sees); ``actors.services.segments`` checks the criteria again (codes that
exist, labs the user sees) and names bad ones.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reallabor.actors.criteria import ALLIANCE, DAY_FIELDS, LIST_FIELDS, MAX_DAYS, Criteria, CriteriaError
from reallabor.actors.criteria import parse_criteria as parse
from reallabor.actors.filters import check_criteria
from reallabor.actors.models import Person, Purpose, Segment
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import MOTIVATIONS_FAMILY, NEEDS_FAMILY, SECTOR_FAMILY, TRADES_FAMILY, Term

DISTRICTS_SHOWN = 200
CRITERIA_FIELDS = ("q", *LIST_FIELDS, *DAY_FIELDS, "consent")
# Aliases in the query strings of the lists (one value each) for the criteria's list names.
QUERY_ALIASES = {"kind": "kinds", "sub_kind": "sub_kinds", "district": "districts", "lab": "labs"}


def _terms(family: str) -> list[Term]:
    return list(
        Term.objects.filter(vocabulary__family=family, vocabulary__retired_at__isnull=True).order_by(
            "position", "code"
        )
    )


def flat_choices(family: str) -> list[tuple[str, str]]:
    return [(term.code, term.label) for term in _terms(family)]


def grouped_choices(family: str) -> list[tuple[str, Any]]:
    """Parents as option groups, each offering itself (all of its children) and its children."""
    terms = _terms(family)
    children: dict[int, list[Term]] = {}
    for term in terms:
        if term.parent_id is not None:
            children.setdefault(term.parent_id, []).append(term)
    groups: list[tuple[str, Any]] = []
    for term in terms:
        if term.parent_id is None:
            title = f"{term.code.upper()} {term.label}"
            options = [(term.code, _("%(name)s: all") % {"name": title})]
            options += [
                (child.code, f"{child.code.upper()} {child.label}") for child in children.get(term.pk, [])
            ]
            groups.append((title, options))
    return groups


def district_choices(extra: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The districts in the data (organisations and people), and those a segment already names."""
    organisations = (
        Organisation.objects.exclude(district="").values_list("district", flat=True).distinct().order_by()
    )
    people = Person.objects.exclude(district="").values_list("district", flat=True).distinct().order_by()
    names = set(organisations[:DISTRICTS_SHOWN]) | set(people[:DISTRICTS_SHOWN]) | set(extra)
    return [(name, name) for name in sorted(names, key=str.casefold)]


ALLIANCE_LABELS = {
    "member": _("member"),
    "applicant": _("applied"),
    "former": _("former member"),
    "none": _("not a member"),
}


def _multiple(
    label: Any, *, checkboxes: bool = True, size: int = 8, **kwargs: Any
) -> forms.MultipleChoiceField:
    widget = forms.CheckboxSelectMultiple if checkboxes else forms.SelectMultiple(attrs={"size": size})
    return forms.MultipleChoiceField(label=label, required=False, widget=widget, **kwargs)


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=Segment._meta.get_field("name").max_length)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    subject = forms.ChoiceField(
        label=_("The segment holds"),
        choices=Segment.Subject.choices,
        initial=Segment.Subject.ORGANISATIONS,
        widget=forms.RadioSelect,
        help_text=_(
            "People: the people who match (organisation criteria apply to their current organisations). "
            "Organisations: the matching organisations; a mailing reaches the people currently working there."
        ),
    )
    q = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=200,
        help_text=_("Organisations: in the name or city. People: every word in the name or e-mail address."),
    )
    kinds = _multiple(_("Kind of organisation"), choices=Organisation.Kind.choices)
    sub_kinds = _multiple(_("Sub-kind"), choices=Organisation.SubKind.choices)
    sectors = _multiple(
        _("Sector (WZ 2008)"),
        checkboxes=False,
        size=10,
        help_text=_("A section includes all its divisions. Choose several with Ctrl or Shift."),
    )
    trades = _multiple(
        _("Trade"),
        checkboxes=False,
        size=10,
        help_text=_("A list of the crafts code includes all its trades. Choose several with Ctrl or Shift."),
    )
    districts = _multiple(_("District"))
    headcount_bands = _multiple(_("Headcount"), choices=Organisation.HeadcountBand.choices)
    needs = _multiple(
        _("Needs"), help_text=_("People: their own needs or those of their current organisations.")
    )
    motivations = _multiple(_("Motivations"))
    labs = _multiple(_("Lab"), help_text=_("Organisations taking part in the lab."))
    alliance = _multiple(
        _("Wirtschaftsallianz"), choices=[(value, ALLIANCE_LABELS[value]) for value in ALLIANCE]
    )
    contacted_within_days = forms.IntegerField(
        label=_("Contacted within the last … days"), required=False, min_value=0, max_value=MAX_DAYS
    )
    not_contacted_for_days = forms.IntegerField(
        label=_("Not contacted for … days (or never)"), required=False, min_value=0, max_value=MAX_DAYS
    )
    consent = forms.ChoiceField(
        label=_("Valid consent for"),
        required=False,
        choices=[("", _("not required")), *Purpose.choices],
        help_text=_(
            "Only people with a valid consent for this purpose (for organisation segments: the people reached)."
        ),
    )

    def __init__(
        self, *args: Any, user: Any, labs: Any = (), districts: tuple[str, ...] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user  # the criteria name only labs the user sees
        self._set_choices("sectors", grouped_choices(SECTOR_FAMILY))
        self._set_choices("trades", grouped_choices(TRADES_FAMILY))
        self._set_choices("needs", flat_choices(NEEDS_FAMILY))
        self._set_choices("motivations", flat_choices(MOTIVATIONS_FAMILY))
        self._set_choices("labs", [(lab.slug, lab.name) for lab in labs])
        known = tuple(self.initial.get("districts") or ())
        if self.is_bound:
            known += tuple(self.data.getlist("districts") if hasattr(self.data, "getlist") else ())
        self._set_choices("districts", district_choices(tuple(districts) + known))

    def _set_choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(name in self.errors for name in CRITERIA_FIELDS):
            return cleaned
        try:
            check_criteria(self.criteria(), user=self.user)
        except CriteriaError as error:
            for field, message in error.errors.items():
                self.add_error(field if field in self.fields else None, message)
        return cleaned

    def criteria(self) -> Criteria:
        """The criteria of the cleaned data (raises ``CriteriaError``)."""
        data = {
            name: self.cleaned_data.get(name)
            for name in CRITERIA_FIELDS
            if self.cleaned_data.get(name) not in (None, "", [])
        }
        return parse(data)

    def to_data(self) -> dict[str, Any]:
        """The data for ``create_segment`` / ``update_segment``."""
        return {
            "name": self.cleaned_data["name"],
            "description": self.cleaned_data.get("description") or "",
            "subject": self.cleaned_data["subject"],
            "criteria": self.criteria().to_dict(),
        }

    def criteria_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CRITERIA_FIELDS]


def initial_of(segment: Segment) -> dict[str, Any]:
    """The form's initial values for an existing segment."""
    initial: dict[str, Any] = {
        "name": segment.name,
        "description": segment.description,
        "subject": segment.subject,
    }
    initial.update(segment.criteria)
    return initial


def initial_from_query(query: Any) -> dict[str, Any]:
    """Initial values from a list's query string (``?kinds=company&districts=Mitte``, ``subject=people``).

    Unknown parameters (page, sort) are ignored; the aliases of the organisation list (``kind``,
    ``district``) count as their criteria. Bad values are left to the form and the live count.
    """
    initial: dict[str, Any] = {}
    subject = query.get("subject")
    if subject in Segment.Subject.values:
        initial["subject"] = subject
    for name in LIST_FIELDS:
        values: list[str] = []
        for key in (name, *(alias for alias, target in QUERY_ALIASES.items() if target == name)):
            for value in query.getlist(key):
                values.extend(part.strip() for part in value.split(",") if part.strip())
        if values:
            initial[name] = list(dict.fromkeys(values))
    for name in ("q", "consent", *DAY_FIELDS, "name", "description"):
        if query.get(name):
            initial[name] = query.get(name).strip()
    return initial


def query_of(initial: dict[str, Any]) -> dict[str, Any]:
    """The criteria among initial values (what the live count needs first)."""
    return {name: initial[name] for name in CRITERIA_FIELDS if name in initial}
