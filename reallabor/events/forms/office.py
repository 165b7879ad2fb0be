"""Forms of the office's event pages: series, events with their questions, registering on someone's
behalf, invitations, documents, minutes and results.

The forms only convert input into the plain data of ``reallabor.events.services``; the services
check it, and their field errors are put back onto these forms (``add_service_errors``).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reallabor.actors.forms.interactions import DATETIME_FORMATS, DateTimeLocalInput
from reallabor.actors.models import Purpose, Segment
from reallabor.core.views_helpers import RowFormSet
from reallabor.events import permissions
from reallabor.events.models import Event, EventDocument, EventSeries, Question
from reallabor.labs.fields import LabChoiceField
from reallabor.labs.forms import OrganisationField
from reallabor.labs.models import Lab, Measure
from reallabor.organisations.models import Organisation

MAX_ORGANISERS = 30
OFFICE_WORDS = frozenset({"verwaltung"})
"""Path words of the office pages under /veranstaltungen/ that an event's short name must not take."""

# Reminders as people write them: "2 Tage, 2 Stunden", "1 day, 30 min" ------------------------------

UNITS = {
    "d": 1440,
    "tag": 1440,
    "tage": 1440,
    "tagen": 1440,
    "day": 1440,
    "days": 1440,
    "h": 60,
    "std": 60,
    "stunde": 60,
    "stunden": 60,
    "hour": 60,
    "hours": 60,
    "min": 1,
    "minute": 1,
    "minuten": 1,
    "minutes": 1,
}
_REMINDER = re.compile(r"^(\d{1,4})\s*([a-zA-ZäöüÄÖÜ.]+)$")


def parse_reminders(value: str) -> list[int]:
    """Minutes before the start from a text like "2 Tage, 2 Stunden" (separated by commas or
    semicolons); raises ValidationError naming the part it cannot read."""
    minutes: list[int] = []
    for part in re.split(r"[,;\n]", value or ""):
        part = part.strip()
        if not part:
            continue
        match = _REMINDER.match(part)
        unit = UNITS.get(match.group(2).lower().rstrip(".")) if match else None
        if match is None or unit is None:
            raise ValidationError(
                _(
                    "“%(part)s” is not a time before the start; write for example “2 days, 2 hours, 30 minutes”."
                ),
                params={"part": part[:50]},
            )
        minutes.append(int(match.group(1)) * unit)
    return minutes


def format_reminders(offsets: list[int] | None) -> str:
    """The reminders as a text ``parse_reminders`` reads back (in the current language)."""
    parts = []
    for offset in sorted(offsets or [], reverse=True):
        if offset % 1440 == 0:
            parts.append(
                ngettext("%(count)s day", "%(count)s days", offset // 1440) % {"count": offset // 1440}
            )
        elif offset % 60 == 0:
            parts.append(
                ngettext("%(count)s hour", "%(count)s hours", offset // 60) % {"count": offset // 60}
            )
        else:
            parts.append(ngettext("%(count)s minute", "%(count)s minutes", offset) % {"count": offset})
    return ", ".join(parts)


def organisers_text(organisations: Any) -> str:
    return "\n".join(organisation.name for organisation in organisations)


def parse_organisers(value: str) -> list[Organisation]:
    """One organisation per line, by its short name or exact name (``OrganisationField``)."""
    lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
    if len(lines) > MAX_ORGANISERS:
        raise ValidationError(_("At most %(max)s organisers."), params={"max": MAX_ORGANISERS})
    field = OrganisationField(required=False)
    found: list[Organisation] = []
    problems: list[str] = []
    for line in lines:
        try:
            organisation = field.clean(line)
        except ValidationError as error:
            problems.extend(error.messages)
        else:
            if organisation is not None and organisation not in found:
                found.append(organisation)
    if problems:
        raise ValidationError(problems)
    return found


def creatable_labs(user: Any) -> list[tuple[str, str]]:
    """(slug, name) of the labs the user may create events and series for."""
    return [
        (lab.slug, lab.name)
        for lab in Lab.objects.order_by("position", "name", "id").only("slug", "name")
        if permissions.can_create_event(user, lab)
    ]


def _lab_initial(obj: Any) -> str:
    return obj.lab.slug if obj.lab_id else ""


# Series -----------------------------------------------------------------------------------------


# The fields an event form shows and hands to the services as they are (the others are converted).
EVENT_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "venue_name",
    "street",
    "postcode",
    "city",
    "accessibility_notes",
    "format",
    "online_url",
    "capacity",
    "reserved_seats",
    "registration_opens_at",
    "registration_closes_at",
    "change_cutoff_hours",
    "offer_hours",
    "agenda",
    "visibility",
)


class SeriesForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name (URL)"),
        required=False,
        max_length=120,
        help_text=_("Empty: made from the title."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown"),
    )
    lab = LabChoiceField(label=_("Lab"), required=False, empty_label=_("No lab (the office's own)"))
    organisers = forms.CharField(
        label=_("Organisers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One organisation per line: its name or short name."),
    )
    is_public = forms.BooleanField(
        label=_("Public"), required=False, help_text=_("Shown in the public calendar with its ICS feed.")
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lab"].set_labs(creatable_labs(user))  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(series: EventSeries) -> dict[str, Any]:
        return {
            "title": series.title,
            "slug": series.slug,
            "description": series.description,
            "lab": _lab_initial(series),
            "organisers": organisers_text(series.organisers.order_by("name")),
            "is_public": series.is_public,
        }

    def clean_organisers(self) -> list[Organisation]:
        return parse_organisers(self.cleaned_data.get("organisers") or "")

    def to_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data = {name: cleaned[name] for name in ("title", "description", "organisers", "is_public")}
        data["lab"] = cleaned.get("lab") or None
        if cleaned.get("slug"):
            data["slug"] = cleaned["slug"]
        return data


# Events -----------------------------------------------------------------------------------------


def _datetime(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeLocalInput(),
        input_formats=DATETIME_FORMATS,
        help_text=help_text or _("Local time (Berlin)."),
    )


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name (URL)"),
        required=False,
        max_length=120,
        help_text=_("Empty: made from the title and the date."),
    )
    series = forms.ChoiceField(label=_("Series"), required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown"),
    )
    starts_at = _datetime(_("Starts"))
    ends_at = _datetime(_("Ends"))
    host = OrganisationField(label=_("Host organisation"), required=False)
    venue_name = forms.CharField(label=_("Venue"), required=False, max_length=200)
    street = forms.CharField(label=_("Street and number"), required=False, max_length=200)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=10)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    accessibility_notes = forms.CharField(
        label=_("Accessibility"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Step-free access, toilets, hearing loop, parking …"),
    )
    format = forms.ChoiceField(label=_("Format"), choices=Event.Format.choices)
    online_url = forms.CharField(
        label=_("Online link"), required=False, max_length=500, help_text=_("For online and hybrid events.")
    )
    capacity = forms.IntegerField(
        label=_("Capacity"), required=False, min_value=1, max_value=100_000, help_text=_("Empty: unlimited.")
    )
    reserved_seats = forms.IntegerField(
        label=_("Seats for organisers"),
        min_value=0,
        max_value=100_000,
        initial=0,
        help_text=_("Kept free for organisers; part of the capacity."),
    )
    registration_opens_at = _datetime(
        _("Registration opens"), required=False, help_text=_("Local time (Berlin). Empty: open now.")
    )
    registration_closes_at = _datetime(
        _("Registration closes"), required=False, help_text=_("Local time (Berlin). Empty: at the start.")
    )
    change_cutoff_hours = forms.IntegerField(
        label=_("Participants may change or cancel until (hours before the start)"),
        min_value=0,
        max_value=24 * 30,
        initial=24,
    )
    offer_hours = forms.IntegerField(
        label=_("A freed seat is held for (hours)"),
        min_value=1,
        max_value=24 * 14,
        initial=24,
        help_text=_("For the next person on the waiting list."),
    )
    reminders = forms.CharField(
        label=_("Reminders before the start"),
        required=False,
        max_length=200,
        help_text=_("For example “2 days, 2 hours”. Empty: no reminders."),
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text=_("Markdown")
    )
    lab = LabChoiceField(label=_("Lab"), required=False, empty_label=_("No lab (the office's own)"))
    measures = forms.MultipleChoiceField(
        label=_("Measures"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Measures of the event's lab."),
    )
    organisers = forms.CharField(
        label=_("Organisers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One organisation per line: its name or short name."),
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Event.Visibility.choices)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lab"].set_labs(creatable_labs(user))  # type: ignore[attr-defined]
        series = [
            (item.slug, item.title)
            for item in EventSeries.objects.select_related("lab").order_by("title")
            if permissions.can_manage_series(user, item)
        ]
        self.fields["series"].choices = [("", _("No series")), *series]  # type: ignore[attr-defined]
        labs = {slug for slug, _name in self.fields["lab"].labs}  # type: ignore[attr-defined]
        groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        for measure in (
            Measure.objects.filter(lab__slug__in=labs)
            .select_related("lab")
            .order_by("lab__position", "lab__name", "position")
        ):
            groups.setdefault(measure.lab.slug, (measure.lab.name, []))[1].append(
                (str(measure.pk), measure.title)
            )
        self.fields["measures"].choices = list(groups.values())  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(event: Event) -> dict[str, Any]:
        values: dict[str, Any] = {name: getattr(event, name) for name in (*EVENT_FIELDS, "slug")}
        values["series"] = event.series.slug if event.series is not None else ""
        values["host"] = event.host.slug if event.host is not None else ""
        values["reminders"] = format_reminders(event.reminder_offsets)
        values["lab"] = _lab_initial(event)
        values["measures"] = [str(pk) for pk in event.measures.values_list("pk", flat=True)]
        values["organisers"] = organisers_text(event.organisers.order_by("name"))
        return values

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data.get("slug") or ""
        if slug in OFFICE_WORDS:
            raise ValidationError(
                _("“%(slug)s” is reserved; choose another short name."), params={"slug": slug}
            )
        return slug

    def clean_reminders(self) -> list[int]:
        return parse_reminders(self.cleaned_data.get("reminders") or "")

    def clean_organisers(self) -> list[Organisation]:
        return parse_organisers(self.cleaned_data.get("organisers") or "")

    def to_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data = {name: cleaned[name] for name in (*EVENT_FIELDS, "organisers")}
        data["series"] = cleaned.get("series") or None
        data["host"] = cleaned.get("host")
        data["reminder_offsets"] = cleaned["reminders"]
        data["lab"] = cleaned.get("lab") or None
        data["measures"] = [int(pk) for pk in cleaned.get("measures") or []]
        if cleaned.get("slug"):
            data["slug"] = cleaned["slug"]
        return data


FIELD_MAP = {"reminder_offsets": "reminders"}
"""Service fields named differently on the event form."""


# Questions of the registration form ---------------------------------------------------------------


class QuestionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Question"), max_length=300)
    help_text = forms.CharField(label=_("Help text"), required=False, max_length=500)
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices, initial=Question.Kind.TEXT)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For questions with choices: one per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)

    def to_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        item: dict[str, Any] = {
            "label": cleaned["label"],
            "help_text": cleaned.get("help_text") or "",
            "kind": cleaned["kind"],
            "required": bool(cleaned.get("required")),
        }
        if cleaned.get("id"):
            item["id"] = cleaned["id"]
        if cleaned["kind"] == Question.Kind.CHOICE:
            item["choices"] = [
                line.strip() for line in (cleaned.get("choices") or "").splitlines() if line.strip()
            ]
        return item


class QuestionFormSet(RowFormSet):
    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this question")

    def to_data(self) -> tuple[list[dict[str, Any]], list[int]]:
        """The questions in the order given, and the index of the form each came from."""
        rows = self.rows()
        return [form.to_data() for _index, form in rows], [index for index, _form in rows]  # type: ignore[attr-defined]


QuestionFormSetFactory = forms.formset_factory(
    QuestionForm,
    formset=QuestionFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=20,
    absolute_max=40,
)


def question_initial(event: Event | None) -> list[dict[str, Any]]:
    if event is None:
        return []
    return [
        {
            "id": question.pk,
            "label": question.label,
            "help_text": question.help_text,
            "kind": question.kind,
            "choices": "\n".join(question.choices or []),
            "required": question.required,
            "ORDER": position,
        }
        for position, question in enumerate(event.questions.all(), start=1)
    ]


# Participants -----------------------------------------------------------------------------------


class OnBehalfForm(forms.Form):
    """Staff register someone: by phone or at the door (e-mail optional only for walk-ins)."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    organisation_name = forms.CharField(label=_("Organisation"), required=False, max_length=200)
    organisation = OrganisationField(
        label=_("Recorded organisation"),
        required=False,
        help_text=_("Optional: the organisation among the actors (else matched by name)."),
    )
    reserved = forms.BooleanField(label=_("Organiser seat"), required=False)

    def to_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data = {
            "first_name": cleaned.get("first_name") or "",
            "last_name": cleaned["last_name"],
            "email": cleaned["email"],
            "organisation_name": cleaned.get("organisation_name") or "",
            "reserved": bool(cleaned.get("reserved")),
        }
        if cleaned.get("organisation") is not None:
            data["organisation"] = cleaned["organisation"].slug
            data["organisation_name"] = data["organisation_name"] or cleaned["organisation"].name
        return data


class InviteForm(forms.Form):
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.none(),
        help_text=_(
            "Only people with an e-mail address and consent to the office's information are invited."
        ),
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=Purpose.choices,
        initial=Purpose.NEWSLETTER,
        required=False,
        help_text=_("Only people with a valid consent for this purpose are invited and mailed."),
    )

    def clean_purpose(self) -> str:
        return str(self.cleaned_data.get("purpose") or Purpose.NEWSLETTER)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.visible_to(user).order_by("name")  # type: ignore[attr-defined]
        self.fields["segment"].to_field_name = "uuid"  # type: ignore[attr-defined]


# Documents, minutes and results -----------------------------------------------------------------


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventDocument.Kind.choices)
    audience = forms.ChoiceField(
        label=_("Who may download it"),
        choices=EventDocument.Audience.choices,
        initial=EventDocument.Audience.OFFICE,
        required=False,
    )
    file = forms.FileField(label=_("File"))

    def clean_audience(self) -> str:
        return str(self.cleaned_data.get("audience") or EventDocument.Audience.OFFICE)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 12}), help_text=_("Markdown")
    )
    results = forms.CharField(
        label=_("Results"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: what followed, with links to the measures."),
    )
    measures = forms.MultipleChoiceField(
        label=_("Measures"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The lab's measures the results belong to."),
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if event.lab_id is None:
            del self.fields["measures"]
        else:
            self.fields["measures"].choices = [  # type: ignore[attr-defined]
                (str(measure.pk), measure.title)
                for measure in Measure.objects.filter(lab_id=event.lab_id).order_by("position")
            ]

    @staticmethod
    def initial_from(event: Event) -> dict[str, Any]:
        return {
            "minutes": event.minutes,
            "results": event.results,
            "measures": [str(pk) for pk in event.measures.values_list("pk", flat=True)],
        }

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "minutes": self.cleaned_data.get("minutes") or "",
            "results": self.cleaned_data.get("results") or "",
        }
        if "measures" in self.fields:
            data["measures"] = [int(pk) for pk in self.cleaned_data.get("measures") or []]
        return data
