"""The business's journey through the check's pages: start, six steps, context, submit, result, PDF."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from reallabor.assessment import links, services
from reallabor.assessment.models import Response, ResponseLog
from reallabor.assessment.tests import helpers
from reallabor.assessment.tests.conftest import Checks
from reallabor.assessment.tests.pages_helpers import (
    english,
    fitting_offer,
    link_url,
    section_post,
    start,
    token_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client: Client) -> Client:
    return english(client)


def test_the_start_page_explains_and_stores_nothing(client: Client, checks: Checks) -> None:
    page = client.get(reverse("assessment:check-start"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "10 minutes" in text
    assert "nothing is stored" in text
    assert reverse("assessment:check-preview") in text
    assert not Response.objects.exists()


def test_the_whole_journey(client: Client, checks: Checks) -> None:
    offer = fitting_offer()
    file = helpers.example()
    response, url = start(client)
    assert response.status == Response.Status.DRAFT and response.organisation is None
    page = client.get(url)
    assert page.status_code == 200
    assert "Save this link to continue later" in page.content.decode()
    assert f"http://testserver{url}" in page.content.decode()

    step_url = reverse("assessment:check-step", kwargs={"token": token_of(url), "step": 1})
    for step in range(1, 7):
        page = client.get(step_url)
        assert page.status_code == 200
        text = page.content.decode()
        assert f"Step {step} of 6" in text
        assert 'type="radio"' in text and "<legend>" in text
        page = client.post(step_url, section_post(str(step), file))
        assert page.status_code == 302, page.content.decode()[:2000]
        step_url = page["Location"]
    assert "/angaben/" in step_url
    response.refresh_from_db()
    assert response.answers == file["answers"]
    assert response.relevance == file["relevance"]

    page = client.get(step_url)
    assert page.status_code == 200
    page = client.post(
        step_url,
        {
            "trade": checks.trade.code,
            "headcount_band": "5-9",
            "founding_year": "1998",
            "district": "Kirchhellen",
            "benchmark_consent": "on",
            "go": "next",
        },
    )
    assert page.status_code == 302
    summary_url = page["Location"]
    assert "/abschluss/" in summary_url
    page = client.get(summary_url)
    assert "All questions are answered." in page.content.decode()
    page = client.post(summary_url)
    assert page.status_code == 302
    result_url = page["Location"]
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    assert (response.trade, response.headcount_band, response.founding_year) == (checks.trade, "5-9", 1998)
    assert response.benchmark_consent is True
    assert str(response.overall) == "23.2" and response.band == "einstieg"

    page = client.get(result_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "23.2" in text and "<svg" in text and 'role="img"' in text
    assert "<table>" in text and "Data and connectivity" in text
    # the largest gaps first (dma.md's example: 4 77.4, 2 69.3, 3 53.8 …)
    gaps = text.split("Your largest gaps first", 1)[1]
    assert (
        gaps.index("Data and connectivity")
        < gaps.index("Digital readiness")
        < gaps.index("Digital business strategy")
    )
    assert offer.title in text and "Handwerkskammer" in text
    # the personal link of a submitted check goes to the result
    assert client.get(url)["Location"].endswith("/ergebnis/")

    pdf = client.get(reverse("assessment:check-pdf", kwargs={"token": token_of(result_url)}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    actions = list(
        ResponseLog.objects.filter(response=response).order_by("pk").values_list("action", "by_link")
    )
    assert actions == [("started", False), *[("saved", True)] * 6, ("context", True), ("submitted", True)]


def test_back_saves_and_goes_back(client: Client, checks: Checks) -> None:
    response = checks.draft(organisation=None)
    url = link_url("check-step", response, step=2)
    page = client.post(url, section_post("2", helpers.example(), go="back"))
    assert page.status_code == 302 and "/schritt/1/" in page["Location"]
    response.refresh_from_db()
    assert response.answers["2a"] == [1, 2, 3]
    # Back from step 1 goes to the link page
    page = client.post(link_url("check-step", response, step=1), {"go": "back"})
    assert (
        page.status_code == 302
        and token_of(page["Location"])
        and page["Location"].endswith(token_of(page["Location"]) + "/")
    )


def test_errors_are_named_per_question_and_item(client: Client, checks: Checks) -> None:
    response = checks.draft(organisation=None)
    post = section_post("4", helpers.example())
    post["a-4a"] = ["1", "8"]  # the exclusive item with another
    page = client.post(link_url("check-step", response, step=4), post)
    assert page.status_code == 400
    text = page.content.decode()
    assert "4a: item 8 (exclusive) cannot be ticked together with other items" in text
    response.refresh_from_db()
    assert response.answers == {}

    post = section_post("2", helpers.example())
    post["a-2b-3"] = "6"
    post["r-2"] = "9"
    page = client.post(link_url("check-step", response, step=2), post)
    assert page.status_code == 400
    text = page.content.decode()
    item = text.split('id="a-2b-3"', 1)[1].split("</fieldset>", 1)[0]
    assert "2b, item 3: 6 is out of range (0–5)" in item
    assert "relevance, dimension 2: 9 is out of range (1–5)" in text.split('id="r-2"', 1)[1]
    assert 'value="6"' not in text or "checked" in text  # the page keeps what was posted
    response.refresh_from_db()
    assert response.answers == {}


def test_the_summary_names_what_is_missing_and_refuses(client: Client, checks: Checks) -> None:
    response = checks.draft(organisation=None)
    file = helpers.example()
    del file["answers"]["5a"]
    services.save_answers(user=None, response=response, data={"answers": file["answers"]})
    page = client.get(link_url("check-submit", response))
    text = page.content.decode()
    assert "5a: the answer is missing" in text
    assert (
        reverse("assessment:check-step", kwargs={"token": token_of(page.request["PATH_INFO"]), "step": 5})
        in text
    )
    page = client.post(link_url("check-submit", response))
    assert page.status_code == 400
    assert "5a: the answer is missing" in page.content.decode()
    response.refresh_from_db()
    assert response.status == Response.Status.DRAFT


def test_context_errors_name_the_field(client: Client, checks: Checks) -> None:
    response = checks.draft(organisation=None)
    page = client.post(
        link_url("check-context", response), {"founding_year": "3000", "trade": "nope", "go": "next"}
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert 'id="id_founding_year_error"' in text and 'id="id_trade_error"' in text
    response.refresh_from_db()
    assert response.founding_year is None


@pytest.mark.parametrize(
    "name", ["check-continue", "check-step", "check-context", "check-submit", "check-result", "check-pdf"]
)
def test_a_damaged_link_gives_400(client: Client, checks: Checks, name: str) -> None:
    kwargs = {"step": 1} if name == "check-step" else {}
    response = checks.draft(organisation=None)
    token = links.response_link_token(response)
    for broken in (token[:-3], "x", token + "a", "%00"):
        page = client.get(reverse(f"assessment:{name}", kwargs={"token": broken, **kwargs}))
        assert page.status_code == 400
        assert "This link is damaged" in page.content.decode()


def test_an_expired_or_deleted_link_gives_410(client: Client, checks: Checks) -> None:
    response = checks.draft(organisation=None)
    token = links.response_link_token(response)
    made = int(time.time() - (links.MAX_AGE + dt.timedelta(days=1)).total_seconds())

    class MadeLongAgo(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(made)

    expired = MadeLongAgo(salt=links.SALT).sign_object(response.uuid.hex, compress=False)
    assert links.response_from_link(token).pk == response.pk
    page = client.get(reverse("assessment:check-continue", kwargs={"token": expired}))
    assert page.status_code == 410
    assert "This link has expired" in page.content.decode()
    Response.objects.filter(pk=response.pk).delete()
    page = client.get(reverse("assessment:check-continue", kwargs={"token": token}))
    assert page.status_code == 410
    assert "This check no longer exists." in page.content.decode()


def test_a_step_out_of_range_is_404(client: Client, checks: Checks) -> None:
    response = checks.draft(organisation=None)
    assert client.get(link_url("check-step", response, step=7)).status_code == 404
    assert client.get(link_url("check-step", response, step=0)).status_code == 404


def test_the_link_holder_deletes_the_check(client: Client, checks: Checks) -> None:
    response = checks.draft(organisation=None)
    url = link_url("check-delete", response)
    page = client.get(url)
    assert page.status_code == 200 and "delete this check" in page.content.decode()
    assert Response.objects.filter(pk=response.pk).exists()
    page = client.post(url)
    assert page.status_code == 200 and "Your answers were deleted." in page.content.decode()
    assert not Response.objects.filter(pk=response.pk).exists()
    assert client.get(url).status_code == 410
