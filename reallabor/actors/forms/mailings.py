"""The mailing form: subject, Markdown message, segment, purpose and the measures it is about.

The form checks and converts the input; ``actors.services.mailings`` decides (and names bad
values again). Segments are chosen by their UUID, measures as ``lab-slug/measure-slug``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reallabor.actors.models import Mailing, Purpose, Segment
from reallabor.actors.services.mailings import BODY_MAX, SUBJECT_MAX
from reallabor.labs.models import Measure

MEASURES_SHOWN = 500


def measure_choices(user: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """The measures the user may see, grouped by lab (option groups)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    measures = (
        Measure.objects.visible_to(user)
        .select_related("lab")
        .only("slug", "title", "lab__slug", "lab__name")
        .order_by("lab__name", "position", "id")[:MEASURES_SHOWN]
    )
    for measure in measures:
        groups.setdefault(measure.lab.name, []).append((f"{measure.lab.slug}/{measure.slug}", measure.title))
    return list(groups.items())


class MailingForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Markdown: **bold**, *italic*, lists with “-”, links as [text](https://…). The salutation "
            "and the footer with the unsubscribe link are added to each message."
        ),
    )
    segment = forms.ChoiceField(
        label=_("Segment"),
        required=False,
        help_text=_("Whom the mailing goes to: the people of the segment who consented to the purpose."),
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=Purpose.choices,
        initial=Purpose.NEWSLETTER,
        help_text=_("Only people with a valid consent for this purpose receive the mailing."),
    )
    measures = forms.MultipleChoiceField(
        label=_("Measures the message is about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their added value (“Mehrwert”) for each target group is added to the message."),
    )

    def __init__(self, *args: Any, user: Any, mailing: Mailing | None = None, **kwargs: Any) -> None:
        if mailing is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "subject": mailing.subject,
                "body": mailing.body,
                "segment": str(mailing.segment.uuid) if mailing.segment else "",
                "purpose": mailing.purpose,
                "measures": [f"{m.lab.slug}/{m.slug}" for m in mailing.measures.select_related("lab")],
            }
        super().__init__(*args, **kwargs)
        segments = Segment.objects.visible_to(user).only("uuid", "name").order_by("name")
        self.fields["segment"].choices = [  # type: ignore[attr-defined]
            ("", _("– choose later –")),
            *((str(segment.uuid), segment.name) for segment in segments),
        ]
        self.fields["measures"].choices = measure_choices(user)  # type: ignore[attr-defined]

    def to_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "subject": data["subject"],
            "body": data["body"],
            "segment": data.get("segment") or None,
            "purpose": data["purpose"],
            "measures": list(data.get("measures") or []),
        }
