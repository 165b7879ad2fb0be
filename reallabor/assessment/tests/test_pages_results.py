"""The result pages: without saving (nothing stored), by signed-in users who may see it, re-takes, PDF, queries."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from reallabor.assessment import services
from reallabor.assessment.models import Response, ResponseLog
from reallabor.assessment.tests import helpers
from reallabor.assessment.tests.conftest import Checks
from reallabor.assessment.tests.pages_helpers import english, fitting_offer, whole_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client: Client) -> Client:
    return english(client)


def _counts() -> tuple[int, int]:
    return Response.objects.count(), ResponseLog.objects.count()


def test_without_saving_shows_the_result_and_stores_nothing(client: Client, checks: Checks) -> None:
    offer = fitting_offer()
    page = client.get(reverse("assessment:check-preview"))
    assert page.status_code == 200
    assert page.content.decode().count("<fieldset") > 40
    page = client.post(
        reverse("assessment:check-preview"), whole_post(helpers.example()) | {"headcount_band": "5-9"}
    )
    assert page.status_code == 200, page.content.decode()[:3000]
    text = page.content.decode()
    assert "23.2" in text and "<svg" in text and "Nothing was stored" in text
    assert offer.title in text
    assert _counts() == (0, 0)
    # the PDF is made again from the posted answers
    data = text.split('name="data" value="', 1)[1].split('"', 1)[0]
    import html

    posted = json.loads(html.unescape(data))
    assert posted["answers"] == helpers.example()["answers"]
    pdf = client.post(
        reverse("assessment:check-preview-pdf"), {"data": html.unescape(data), "headcount_band": "5-9"}
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert _counts() == (0, 0)


def test_without_saving_names_every_problem(client: Client, checks: Checks) -> None:
    post = whole_post(helpers.example())
    del post["a-5a-3"]
    post["a-2b-1"] = "7"
    page = client.post(reverse("assessment:check-preview"), post)
    assert page.status_code == 400
    text = page.content.decode()
    assert "5a: item 3 is missing" in text.split('id="a-5a-3"', 1)[1].split("</fieldset>", 1)[0]
    assert "2b, item 1: 7 is out of range (0–5)" in text
    assert "(2 problems)" in text
    assert _counts() == (0, 0)


@pytest.mark.parametrize(
    "data", ["", "{", '{"answers": {}}', '{"questionnaire": "dma-handwerk", "answers": {"1a": 3}}', "[]"]
)
def test_a_bad_preview_pdf_is_400(client: Client, checks: Checks, data: str) -> None:
    page = client.post(reverse("assessment:check-preview-pdf"), {"data": data})
    assert page.status_code == 400
    assert "The result could not be made" in page.content.decode()
    assert client.get(reverse("assessment:check-preview-pdf")).status_code == 405


def test_a_retake_shows_the_change(client: Client, checks: Checks) -> None:
    checks.submitted()
    later = checks.submitted(helpers.full({"1": 5, "2": 5, "3": 5, "4": 5, "5": 5, "6": 5}))
    member = Client()
    member.force_login(checks.member)
    english(member)
    page = member.get(reverse("assessment:response-result", kwargs={"uuid": later.uuid}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Change since your last check: 76.8 points (before: 23.2)" in text
    assert "+62.5" in text  # dimension 1: 37.5 → 100
    pdf = member.get(reverse("assessment:response-pdf", kwargs={"uuid": later.uuid}))
    assert pdf.content.startswith(b"%PDF")


def test_a_draft_has_no_result_page(client: Client, checks: Checks) -> None:
    draft = checks.draft()
    member = Client()
    member.force_login(checks.member)
    assert member.get(reverse("assessment:response-result", kwargs={"uuid": draft.uuid})).status_code == 404


def test_the_result_page_has_constant_queries(checks: Checks, django_assert_max_num_queries: object) -> None:
    coordinator = checks.portfolio.client("coordinator")
    first = checks.submitted()
    url = reverse("assessment:response-result", kwargs={"uuid": first.uuid})
    fitting_offer()
    with django_assert_max_num_queries(30) as context:  # type: ignore[operator]
        assert coordinator.get(url).status_code == 200
    baseline = len(context.captured_queries)
    for number in range(6):
        fitting_offer(f"Förderung {number}", dimensions=[str(number % 6 + 1)])
    later = checks.submitted()
    checks.submitted(organisation=checks.other_business)
    services.share_with(user=None, response=later, organisation=checks.chamber)
    url = reverse("assessment:response-result", kwargs={"uuid": later.uuid})
    with django_assert_max_num_queries(baseline + 1):  # type: ignore[operator]
        page = coordinator.get(url)
    assert page.status_code == 200
