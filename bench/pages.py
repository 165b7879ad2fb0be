"""The pages the benchmark measures, found in whatever database is current.

Shared by the benchmark runner and the query-count tests, so both look at the same pages:
the portfolio overview, a typical lab page, a measure page, a filtered measure list and the API
list of measures; and the actors' pages an administrator uses (``discover_actors``): lists and
searches of organisations and people, segments, interactions and my follow-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import Resolver404, resolve, reverse

from reallabor.actors.models import Segment
from reallabor.labs.models import Lab, Measure

FLOOR = "floor"
PAGE_KEYS = ("overview", "lab", "measure", "filtered", "api")
FILTER_QUERY = "sdg=8&status=running"
API_CANDIDATES = ("/api/v1/measures", "/api/v1/measures/")
API_QUERY = "limit=50"


@dataclass(frozen=True)
class Page:
    key: str
    path: str | None  # None: the page does not exist (yet)
    note: str = ""


def typical_lab_size() -> int:
    """The mean number of published measures per published lab (about 20 at both scales)."""
    labs = Lab.objects.published().count()
    return round(Measure.objects.published().count() / labs) if labs else 0


def pick_lab(size: int | None = None) -> Lab | None:
    """The published lab whose number of published measures is closest to ``size`` (default: typical)."""
    wanted = typical_lab_size() if size is None else size
    labs = Lab.objects.published().annotate(shown=Count("measures", filter=Q(measures__is_published=True)))
    best = min(
        labs.values_list("pk", "shown", "position"),
        key=lambda row: (abs(row[1] - wanted), row[2], row[0]),
        default=None,
    )
    return Lab.objects.get(pk=best[0]) if best else None


def pick_measure(lab: Lab) -> Measure | None:
    """A published measure of ``lab`` with a full profile (results included) where there is one."""
    measures = Measure.objects.filter(lab=lab, is_published=True).order_by("position", "pk")
    return measures.filter(results__isnull=False).first() or measures.first()


def api_list_path() -> str | None:
    for candidate in API_CANDIDATES:
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return f"{candidate}?{API_QUERY}"
    return None


def discover(lab_size: int | None = None) -> list[Page]:
    """The benchmarked pages in the current database (anonymous visitors can see all of them)."""
    lab = pick_lab(lab_size)
    measure = pick_measure(lab) if lab is not None else None
    api = api_list_path()
    return [
        Page("overview", reverse("labs:portfolio")),
        Page("lab", lab.get_absolute_url() if lab else None, "no published lab" if lab is None else ""),
        Page(
            "measure",
            measure.get_absolute_url() if measure else None,
            "no published measure" if measure is None else "",
        ),
        Page("filtered", f"{reverse('labs:measure-list')}?{FILTER_QUERY}"),
        Page("api", api, "" if api else "no API list of measures at " + " or ".join(API_CANDIDATES)),
    ]


ACTOR_PAGE_KEYS = (
    "organisations",
    "organisation search",
    "organisations filtered",
    "people",
    "people search",
    "segment",
    "segments",
    "interactions",
    "follow-ups",
)
ORGANISATION_SEARCH = "Elektrotechnik"  # one of the generated names' common words (about 1 in 20 companies)
PEOPLE_SEARCH = "Müller"  # a common last name (1 in 20 people)
ORGANISATION_FILTER = "kinds=company&needs=digitalisation&districts=Eigen&districts=Boy"


def pick_segment() -> Segment | None:
    """The people segment with the most criteria (the costliest to count), else any segment."""
    segments = sorted(
        Segment.objects.all(),
        key=lambda s: (s.subject != Segment.Subject.PEOPLE, -len(s.criteria or {}), s.name, s.pk),
    )
    return segments[0] if segments else None


def discover_actors() -> list[Page]:
    """The actors' pages as the office uses them (they show personal data: measured as an administrator)."""
    organisations = reverse("organisations:organisation-list")
    people = reverse("actors:person-list")
    segment = pick_segment()
    return [
        Page("organisations", organisations),
        Page("organisation search", f"{organisations}?{urlencode({'q': ORGANISATION_SEARCH})}"),
        Page("organisations filtered", f"{organisations}?{ORGANISATION_FILTER}"),
        Page("people", people),
        Page("people search", f"{people}?{urlencode({'q': PEOPLE_SEARCH})}"),
        Page(
            "segment",
            reverse("actors:segment-detail", kwargs={"uuid": segment.uuid}) if segment else None,
            "" if segment else "no segment",
        ),
        Page("segments", reverse("actors:segment-list")),
        Page("interactions", reverse("actors:interaction-list")),
        Page("follow-ups", reverse("actors:followup-list")),
    ]


def floor_page() -> Page:
    return Page(FLOOR, reverse("bench-floor"))
