"""Helpers of the page tests: answer files as posted forms, an offer that fits, the personal link."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reallabor.assessment import engine, links
from reallabor.assessment.models import Response
from reallabor.offers import services as offer_services
from reallabor.offers.models import Offer


def english(client: Client) -> Client:
    """The client asks for English pages (the tests read the English msgids and number format)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def section_post(section_id: str, file: dict[str, Any], go: str = "next") -> dict[str, Any]:
    """One section's answers and relevance of an answer file, as the step's form posts them."""
    definition = engine.load_definition("dma-handwerk")
    section = next(section for section in definition.sections if section.id == section_id)
    post: dict[str, Any] = {"go": go}
    for question in section.questions:
        value = file["answers"].get(question.id)
        if value is None:
            continue
        if isinstance(value, list):
            post[f"a-{question.id}"] = [str(item) for item in value]
        else:
            for item, entry in value.items():
                post[f"a-{question.id}-{item}"] = str(entry)
    relevance = (file.get("relevance") or {}).get(section_id)
    if relevance is not None:
        post[f"r-{section_id}"] = str(relevance)
    return post


def whole_post(file: dict[str, Any]) -> dict[str, Any]:
    """The whole answer file as the one-page form (without saving) posts it."""
    post: dict[str, Any] = {}
    for section_id in ("1", "2", "3", "4", "5", "6"):
        post |= section_post(section_id, file)
    post.pop("go", None)
    return post


def fitting_offer(title: str = "Digitalbonus Handwerk", **changes: object) -> Offer:
    """A published offer for every craft business in NRW that addresses dimensions 2 and 4."""
    data: dict[str, object] = {
        "provider": "handwerkskammer-muenster",
        "kind": "funding",
        "title": title,
        "funding_types": ["grant"],
        "funding_areas": ["digitalisierung"],
        "region_level": "state",
        "region_code": "NW",
        "dimensions": ["2", "4"],
        "supported": "Beratung und Investitionen in Software",
        "status": "published",
        "verified_on": timezone.localdate().isoformat(),
    }
    data.update(changes)
    return offer_services.create_offer(user=None, data=data)


def token_of(url: str) -> str:
    """The token in a personal link's URL (``/digitalcheck/weiter/<token>/…``)."""
    return url.split("/weiter/", 1)[1].split("/", 1)[0]


def link_url(name: str, response: Response, **kwargs: Any) -> str:
    return reverse(f"assessment:{name}", kwargs={"token": links.response_link_token(response), **kwargs})


def start(client: Client) -> tuple[Response, str]:
    """Start a check by the start page's button: the new draft and its continue URL."""
    before = set(Response.objects.values_list("pk", flat=True))
    page = client.post(reverse("assessment:check-start"))
    assert page.status_code == 302, page.content[:500]
    response = Response.objects.exclude(pk__in=before).get()
    return response, page["Location"]
