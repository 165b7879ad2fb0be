"""The report pages: every role, URL and format; drafts in the internal report; bad input; queries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from conftest import ROLES, Portfolio
from reallabor.core.testing.factories import make_lab, make_measure
from reallabor.labs.models import Lab
from reallabor.reports.formats import FORMATS

pytestmark = pytest.mark.django_db

HANDEL = "hybride-formen-des-handels"
TYPES = {name: fmt.content_type for name, fmt in FORMATS.items()}
DOWNLOADS = ("pdf", "md", "docx")


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with translation.override("de"):
        yield


def portfolio_url(**params: str) -> str:
    return _with(reverse("reports:portfolio"), params)


def lab_url(slug: str = HANDEL, **params: str) -> str:
    return _with(reverse("reports:lab", kwargs={"slug": slug}), params)


def _with(url: str, params: dict[str, str]) -> str:
    return url + ("?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else "")


def content(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def drafts(portfolio: Portfolio) -> dict[str, Any]:
    """A draft measure in »Hybride Formen des Handels« (the partner's lab), one in »Fachkräftesicherung«
    (nobody's), and a draft lab."""
    draft_lab = make_lab(name="Labor im Entwurf", slug="labor-im-entwurf", is_published=False)
    return {
        "handel": make_measure(portfolio.handel, title="Entwurf im Handel", is_published=False),
        "fachkraefte": make_measure(
            portfolio.fachkraefte, title="Entwurf der Fachkräfte", is_published=False
        ),
        "lab": draft_lab,
    }


class TestStatus:
    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("url", [portfolio_url(), lab_url()], ids=["portfolio", "lab"])
    def test_the_page_for_everyone(self, portfolio: Portfolio, role: str, url: str) -> None:
        response = portfolio.client(role).get(url)

        assert response.status_code == 200
        assert response["Content-Type"] == TYPES["html"]
        assert "Reallabore in Bottrop" in content(response)

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("fmt", DOWNLOADS)
    def test_downloads_for_everyone(self, portfolio: Portfolio, role: str, fmt: str) -> None:
        today = timezone.localdate().isoformat()
        client = portfolio.client(role)

        response = client.get(portfolio_url(format=fmt))
        assert response.status_code == 200
        assert response["Content-Type"] == TYPES[fmt]
        assert response["Content-Disposition"] == f'attachment; filename="reallabor-bottrop-{today}.{fmt}"'

        response = client.get(lab_url(format=fmt))
        assert response.status_code == 200
        assert (
            response["Content-Disposition"]
            == f'attachment; filename="reallabor-bottrop-{HANDEL}-{today}.{fmt}"'
        )

    @pytest.mark.parametrize("fmt", ["html", *DOWNLOADS])
    def test_internal_asks_anonymous_visitors_to_log_in(self, portfolio: Portfolio, fmt: str) -> None:
        for url in (portfolio_url(internal="1", format=fmt), lab_url(internal="1", format=fmt)):
            response = portfolio.client("anonymous").get(url)

            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login") + "?next=")

    @pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
    @pytest.mark.parametrize("fmt", ["html", *DOWNLOADS])
    def test_internal_for_signed_in_users(self, portfolio: Portfolio, role: str, fmt: str) -> None:
        today = timezone.localdate().isoformat()

        response = portfolio.client(role).get(lab_url(internal="1", format=fmt))
        assert response.status_code == 200
        if fmt != "html":
            assert response["Content-Disposition"] == (
                f'attachment; filename="reallabor-bottrop-{HANDEL}-{today}-intern.{fmt}"'
            )

    def test_the_pdf_is_a_pdf(self, portfolio: Portfolio) -> None:
        response = portfolio.client("anonymous").get(portfolio_url(format="pdf"))

        assert response.content.startswith(b"%PDF-")

    @pytest.mark.parametrize("role", ROLES)
    def test_an_unknown_lab(self, portfolio: Portfolio, role: str) -> None:
        client = portfolio.client(role)

        assert client.get(lab_url("gibt-es-nicht")).status_code == 404
        assert client.get(lab_url("gibt-es-nicht", format="pdf")).status_code == 404

    @pytest.mark.parametrize("value", ["xyz", "PDF", "pdf%00", "html5"])
    def test_an_unknown_format(self, portfolio: Portfolio, value: str) -> None:
        response = portfolio.client("anonymous").get(portfolio_url(format=value))

        assert response.status_code == 400
        assert "html, pdf, md, docx" in content(response)
        assert "Content-Disposition" not in response

    def test_a_bad_internal_value(self, portfolio: Portfolio) -> None:
        response = portfolio.client("reader").get(portfolio_url(internal="ja"))

        assert response.status_code == 400
        assert "internal" in content(response)

    def test_only_get(self, portfolio: Portfolio) -> None:
        client = portfolio.client("administrator")

        assert client.post(portfolio_url()).status_code == 405
        assert client.post(lab_url(format="pdf")).status_code == 405


class TestDrafts:
    # Which drafts each role finds in the internal report (reader and administrator see everything,
    # members their labs' drafts, the outsider none).
    SEES = {
        "reader": {"handel", "fachkraefte", "lab"},
        "partner": {"handel"},
        "coordinator": set(),
        "administrator": {"handel", "fachkraefte", "lab"},
        "outsider": set(),
    }
    TITLES = {
        "handel": "Entwurf im Handel",
        "fachkraefte": "Entwurf der Fachkräfte",
        "lab": "Labor im Entwurf",
    }

    @pytest.mark.parametrize("role", ROLES)
    def test_the_public_report_has_no_drafts(
        self, portfolio: Portfolio, drafts: dict[str, Any], role: str
    ) -> None:
        page = content(portfolio.client(role).get(portfolio_url()))

        assert not [title for title in self.TITLES.values() if title in page]
        assert "badge--draft" not in page

    @pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
    def test_the_internal_report_has_the_drafts_the_user_may_see(
        self, portfolio: Portfolio, drafts: dict[str, Any], role: str
    ) -> None:
        page = content(portfolio.client(role).get(portfolio_url(internal="1")))

        assert {key for key, title in self.TITLES.items() if title in page} == self.SEES[role]
        assert ("badge--draft" in page) == bool(self.SEES[role])

    def test_the_internal_download_has_the_partners_drafts(
        self, portfolio: Portfolio, drafts: dict[str, Any]
    ) -> None:
        client = portfolio.client("partner")

        internal = client.get(lab_url(internal="1", format="md")).content.decode()
        public = client.get(lab_url(format="md")).content.decode()
        assert "Entwurf im Handel" in internal
        assert "Entwurf im Handel" not in public

    @pytest.mark.parametrize("role", ROLES)
    def test_a_draft_lab(self, portfolio: Portfolio, drafts: dict[str, Any], role: str) -> None:
        client = portfolio.client(role)
        slug = drafts["lab"].slug

        assert client.get(lab_url(slug)).status_code == 404  # no public report of a draft lab
        expected = 302 if role == "anonymous" else 200 if "lab" in self.SEES[role] else 404
        assert client.get(lab_url(slug, internal="1")).status_code == expected

    def test_the_draft_lab_of_its_coordinator(self, portfolio: Portfolio, drafts: dict[str, Any]) -> None:
        from reallabor.core.testing.factories import add_member

        coordinator = portfolio.users["coordinator"]
        assert coordinator is not None
        add_member(drafts["lab"], coordinator, "coordinator")

        response = portfolio.client("coordinator").get(lab_url(drafts["lab"].slug, internal="1"))
        assert response.status_code == 200
        page = content(response)
        assert "Labor im Entwurf" in page
        assert "?internal=1" in page
        assert f'href="{lab_url(drafts["lab"].slug)}"' not in page  # no link to a public report


class TestPage:
    def test_download_buttons(self, portfolio: Portfolio) -> None:
        page = content(portfolio.client("anonymous").get(portfolio_url()))

        for fmt in DOWNLOADS:
            assert f'href="?format={fmt}"' in page
        assert "?internal=1" not in page  # no switch for anonymous visitors

    def test_the_switch_for_signed_in_users(self, portfolio: Portfolio) -> None:
        page = content(portfolio.client("reader").get(portfolio_url(internal="1")))

        assert f'href="{reverse("reports:portfolio")}?internal=1" aria-current="page"' in page
        assert f'href="{reverse("reports:portfolio")}"' in page
        for fmt in DOWNLOADS:
            assert f'href="?internal=1&amp;format={fmt}"' in page

    def test_the_charts_and_the_report_stylesheet(self, portfolio: Portfolio) -> None:
        page = content(portfolio.client("anonymous").get(portfolio_url()))

        assert page.count('role="img"') >= 2
        assert 'id="sdg-chart"' in page and 'id="megatrend-chart"' in page
        assert "/static/css/report.css" in page
        assert "<style" not in page and " style=" not in page  # the Content Security Policy forbids them

    def test_the_lab_page_breadcrumbs(self, portfolio: Portfolio) -> None:
        page = content(portfolio.client("anonymous").get(lab_url()))

        assert f'href="{portfolio.handel.get_absolute_url()}"' in page
        assert "Digitale Koproduktion im Handwerk" not in page.split("<main", 1)[1]

    @pytest.mark.parametrize(("role", "queries"), [("anonymous", 11), ("reader", 14), ("partner", 14)])
    def test_the_number_of_queries_does_not_grow(
        self, portfolio: Portfolio, role: str, queries: int, django_assert_num_queries: Any
    ) -> None:
        client = portfolio.client(role)
        client.get(portfolio_url())  # the session and the content version are loaded from now on

        with django_assert_num_queries(queries):
            assert client.get(portfolio_url(internal="1" if role != "anonymous" else "0")).status_code == 200
        lab = Lab.objects.get(slug=HANDEL)
        for number in range(5):
            make_measure(
                lab,
                title=f"Neu {number}",
                activities=[{"title": "Aktivität", "text": "Text"}],
                tags=[{"term": {"family": "sdg", "code": "8"}, "priority": "primary"}],
            )
        with django_assert_num_queries(queries):
            assert client.get(portfolio_url(internal="1" if role != "anonymous" else "0")).status_code == 200


class TestReportLinks:
    """The block of report links on the portfolio and lab pages (outside their cached fragments)."""

    def test_the_public_links_for_anonymous_visitors(self, portfolio: Portfolio) -> None:
        page = content(portfolio.client("anonymous").get(reverse("labs:portfolio")))

        assert f'href="{portfolio_url()}"' in page
        assert f'href="{portfolio_url(format="pdf")}"' in page
        assert "internal=1" not in page

    def test_a_signed_in_user_gets_the_internal_links_too(self, portfolio: Portfolio) -> None:
        anonymous = portfolio.client("anonymous")
        anonymous.get(reverse("labs:portfolio"))  # fills the shared fragment cache of the public

        page = content(portfolio.client("outsider").get(reverse("labs:portfolio")))
        assert f'href="{portfolio_url(internal="1")}"' in page
        # … and the anonymous visitor, served the same cached fragment, still does not.
        assert "internal=1" not in content(anonymous.get(reverse("labs:portfolio")))

    def test_the_lab_page(self, portfolio: Portfolio) -> None:
        page = content(portfolio.client("partner").get(portfolio.handel.get_absolute_url()))

        assert f'href="{lab_url()}"' in page
        assert f'href="{lab_url(internal="1")}"' in page
        assert f'href="{lab_url(internal="1")}&amp;format=docx"' in page

    def test_a_draft_lab_has_only_the_internal_report(self, portfolio: Portfolio) -> None:
        lab = make_lab(name="Labor im Entwurf", slug="labor-im-entwurf", is_published=False)

        page = content(portfolio.client("reader").get(lab.get_absolute_url()))
        assert f'href="{lab_url(lab.slug)}"' not in page
        assert f'href="{lab_url(lab.slug, internal="1")}"' in page
