"""The organisation pages: public profiles, internal data by role, filters, changes through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES, Portfolio
from reallabor.labs.models import LabOrganisation
from reallabor.organisations import services
from reallabor.organisations.models import Organisation
from reallabor.organisations.views import PER_PAGE
from reallabor.taxonomy.models import Tag, Term

ORG = "wirtschaftsfoerderung-bottrop"  # coordinates the partner's lab: the partner sees it
HANDWERKSKAMMER = "handwerkskammer-muenster"  # only in the coordinator's lab


def client_for(portfolio: Portfolio, role: str, **headers: str) -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.defaults.update(headers)
    return client


def snapshot() -> dict[str, Any]:
    return {org.slug: (services.organisation_state(org), org.revision) for org in Organisation.objects.all()}


def form_data(organisation: Organisation, **changes: Any) -> dict[str, Any]:
    state = services.organisation_state(organisation)
    data = {key: "" if value is None else value for key, value in state.items()}
    if not data["profile_published"]:
        data.pop("profile_published")  # an unticked checkbox is not sent
    data["expected_revision"] = str(organisation.revision)
    data.update(changes)
    return data


def term(family: str, code: str) -> Term:
    return Term.objects.get(vocabulary__family=family, vocabulary__retired_at__isnull=True, code=code)


def names(response: Any) -> list[str]:
    return [org.name for org in response.context["organisations"]]


def make_published(**fields: Any) -> Organisation:
    """A published craft business with every internal field filled in."""
    data: dict[str, Any] = {
        "name": "Sanitär Sonnenschein GmbH (fiktiv)",
        "kind": "company",
        "sector": "43",
        "trade": "a-24",
        "headcount_band": "10-19",
        "founding_year": 1987,
        "street": "Geheimweg 7",
        "postcode": "46242",
        "city": "Bottrop",
        "district": "Eigen",
        "quarter": "Batenbrock",
        "email": "geheim@sonnenschein.example",
        "phone": "02041 998877",
        "website": "https://sonnenschein.example",
        "alliance_status": "member",
        "alliance_since": "2018-03-01",
        "profile_published": True,
        "profile_text": "Wir bauen **Bäder** für Bottrop.",
    }
    data.update(fields)
    return services.create_organisation(user=None, data=data)


INTERNAL_VALUES = [
    "geheim@sonnenschein.example",
    "02041 998877",
    "Geheimweg",
    "46242",
    "Batenbrock",
    "1987",
    "10–19",
    "Wirtschaftsallianz",
]


# The role matrix ------------------------------------------------------------------------------------

ALL = dict.fromkeys(ROLES, 200)
SIGNED_IN = {**ALL, "anonymous": 302}
CREATORS = {**SIGNED_IN, "reader": 403, "outsider": 403}
# ORG is a partner's organisation (visible, not editable); the outsider sees no unpublished one.
DETAIL = {**ALL, "anonymous": 404, "outsider": 404}
EDITORS = {**CREATORS, "partner": 403, "outsider": 404}
ADMIN_ONLY = {**EDITORS, "coordinator": 403}

PAGES = [
    ("list", reverse("organisations:organisation-list"), ALL),
    ("detail", reverse("organisations:organisation-detail", kwargs={"slug": ORG}), DETAIL),
    (
        "detail of another lab's organisation",
        reverse("organisations:organisation-detail", kwargs={"slug": HANDWERKSKAMMER}),
        {**DETAIL, "partner": 404},
    ),
    ("options", reverse("organisations:organisation-options") + "?q=bot", SIGNED_IN),
    ("create", reverse("organisations:organisation-create"), CREATORS),
    ("edit", reverse("organisations:organisation-edit", kwargs={"slug": ORG}), EDITORS),
    ("delete", reverse("organisations:organisation-delete", kwargs={"slug": ORG}), ADMIN_ONLY),
    ("publish (POST only)", reverse("organisations:organisation-publish", kwargs={"slug": ORG}), {**dict.fromkeys(ROLES, 405), "anonymous": 302}),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "url", "expected"), PAGES, ids=[page[0] for page in PAGES])
def test_pages_by_role(portfolio: Portfolio, label: str, url: str, expected: dict[str, int]) -> None:
    for role in ROLES:
        response = client_for(portfolio, role).get(url)
        assert response.status_code == expected[role], role
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_unknown_organisation_is_404(portfolio: Portfolio) -> None:
    url = reverse("organisations:organisation-detail", kwargs={"slug": "gibt-es-nicht"})
    assert client_for(portfolio, "reader").get(url).status_code == 404


WRITES = [
    (
        "create",
        lambda: reverse("organisations:organisation-create"),
        lambda: {"name": "Bäckerei Sonnenschein (fiktiv)", "kind": "company", "city": "Bottrop"},
        {**CREATORS, "partner": 302, "coordinator": 302, "administrator": 302},
    ),
    (
        "edit",
        lambda: reverse("organisations:organisation-edit", kwargs={"slug": ORG}),
        lambda: form_data(
            Organisation.objects.get(slug=ORG), street="Ernst-Wilczok-Platz 1", postcode="46236"
        ),
        {**EDITORS, "coordinator": 302, "administrator": 302},
    ),
    (
        "publish",
        lambda: reverse("organisations:organisation-publish", kwargs={"slug": ORG}),
        lambda: {"published": "1"},
        {**EDITORS, "coordinator": 302, "administrator": 302},
    ),
    (
        "delete",
        lambda: reverse("organisations:organisation-delete", kwargs={"slug": "buchhandlung-seitenweise"}),
        dict,
        # The administrator sees the service's message: the organisation still takes part in a lab.
        {**ADMIN_ONLY, "partner": 403, "outsider": 404, "administrator": 200},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "url", "data", "expected"), WRITES, ids=[write[0] for write in WRITES])
def test_writes_by_role(
    portfolio: Portfolio, label: str, url: Any, data: Any, expected: dict[str, int]
) -> None:
    for role in ROLES:
        with transaction.atomic():
            before = snapshot()
            response = client_for(portfolio, role).post(url(), data())
            assert response.status_code == expected[role], role
            if expected[role] == 302 and role != "anonymous":
                assert snapshot() != before, role
            else:
                assert snapshot() == before, role
            transaction.set_rollback(True)


# Forms ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_derives_the_slug_and_reports_collisions(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "partner")
    response = client.post(
        reverse("organisations:organisation-create"),
        {"name": "Bäckerei Sonnenschein", "kind": "company", "website": "https://example.org"},
    )
    created = Organisation.objects.get(name="Bäckerei Sonnenschein")
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()
    assert created.slug == "baeckerei-sonnenschein"

    before = snapshot()
    response = client.post(
        reverse("organisations:organisation-create"),
        {"name": "Noch eine", "slug": "baeckerei-sonnenschein", "kind": "unknown", "website": "kein link"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"kind", "website"}  # the form's own checks first
    response = client.post(
        reverse("organisations:organisation-create"),
        {"name": "Noch eine", "slug": "baeckerei-sonnenschein", "kind": "company"},
    )
    assert response.context["form"].errors == {
        "slug": ["This short name is already taken by “Bäckerei Sonnenschein”."]
    }
    assert snapshot() == before


@pytest.mark.django_db
def test_the_form_groups_every_field_and_saves_them(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "coordinator")
    page = client.get(reverse("organisations:organisation-create")).content.decode()
    for legend in (
        "Basic data",
        "Classification",
        "Size",
        "Address",
        "Contact",
        "Wirtschaftsallianz",
        "Public profile",
    ):
        assert f"<legend>{legend}</legend>" in page
    assert '<optgroup label="Construction">' in page  # sectors grouped by WZ 2008 section
    assert '<option value="43">43 Specialised construction activities</option>' in page
    assert '<optgroup label="Licensed crafts (list A)">' in page  # trades grouped by list
    assert 'name="profile_published"' in page
    data = {
        "name": "Sanitär Mustermann",
        "kind": "company",
        "sector": "43",
        "trade": "a-24",
        "headcount_band": "5-9",
        "founding_year": "1999",
        "postcode": "46236",
        "district": "Eigen",
        "quarter": "Batenbrock",
        "email": "info@mustermann.example",
        "phone": "02041 123456",
        "website": "mustermann.example",
        "alliance_status": "member",
        "alliance_since": "2021-02-01",
        "profile_published": "on",
        "profile_text": "Bäder und Heizungen.",
    }
    response = client.post(reverse("organisations:organisation-create"), data)
    assert response.status_code == 302
    created = Organisation.objects.get(name="Sanitär Mustermann")
    state = services.organisation_state(created)
    assert {key: state[key] for key in ("sector", "trade", "founding_year", "alliance_since", "website")} == {
        "sector": "43",
        "trade": "a-24",
        "founding_year": 1999,
        "alliance_since": "2021-02-01",
        "website": "https://mustermann.example",
    }
    assert created.profile_published and created.web_domain == "mustermann.example"
    edit = client.get(
        reverse("organisations:organisation-edit", kwargs={"slug": created.slug})
    ).content.decode()
    assert '<option value="43" selected>' in edit and '<option value="a-24" selected>' in edit


@pytest.mark.django_db
def test_service_errors_appear_on_their_fields(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "coordinator")
    before = snapshot()
    response = client.post(
        reverse("organisations:organisation-create"),
        {
            "name": "Fehler",
            "kind": "science",
            "sub_kind": "school",
            "trade": "a-24",
            "postcode": "123",
            "founding_year": "3000",
            "alliance_since": "2020-01-01",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "sub_kind",
        "trade",
        "postcode",
        "founding_year",
        "alliance_since",
    }
    assert 'id="id_postcode_error"' in response.content.decode()
    assert snapshot() == before


@pytest.mark.django_db
def test_a_partner_adds_organisations_without_publishing_them(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "partner")
    assert (
        'name="profile_published"'
        not in client.get(reverse("organisations:organisation-create")).content.decode()
    )
    client.post(
        reverse("organisations:organisation-create"),
        {"name": "Heimlich", "kind": "company", "profile_published": "on"},
    )
    assert Organisation.objects.get(name="Heimlich").profile_published is False


@pytest.mark.django_db
def test_edit_saves_and_reports_conflicts(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "coordinator")
    url = reverse("organisations:organisation-edit", kwargs={"slug": ORG})
    organisation = Organisation.objects.get(slug=ORG)
    stale = form_data(organisation, postcode="46236")
    response = client.post(url, form_data(organisation, district="Kirchhellen"))
    assert response.status_code == 302
    assert Organisation.objects.get(slug=ORG).district == "Kirchhellen"
    before = snapshot()
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "changed by someone else" in response.context["form"].non_field_errors()[0]
    assert snapshot() == before


@pytest.mark.django_db
def test_delete_of_a_used_organisation_explains_itself(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "administrator")
    before = snapshot()
    response = client.post(reverse("organisations:organisation-delete", kwargs={"slug": ORG}))
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert snapshot() == before

    unused = services.create_organisation(user=None, data={"name": "Unbenutzt", "kind": "company"})
    response = client.post(reverse("organisations:organisation-delete", kwargs={"slug": unused.slug}))
    assert response.status_code == 302
    assert not Organisation.objects.filter(slug=unused.slug).exists()


# Publishing ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publish_and_unpublish_from_the_detail_page(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "coordinator")
    detail = reverse("organisations:organisation-detail", kwargs={"slug": HANDWERKSKAMMER})
    publish = reverse("organisations:organisation-publish", kwargs={"slug": HANDWERKSKAMMER})
    page = client.get(detail).content.decode()
    assert "Publish the profile" in page and f'action="{publish}"' in page
    assert client_for(portfolio, "anonymous").get(detail).status_code == 404
    response = client.post(publish, {"published": "1"}, follow=True)
    assert "The profile is now shown on the public pages." in response.content.decode()
    assert client_for(portfolio, "anonymous").get(detail).status_code == 200
    assert "Unpublish the profile" in client.get(detail).content.decode()
    client.post(publish, {"published": "0"})
    assert client_for(portfolio, "anonymous").get(detail).status_code == 404
    # A value that is neither says so and changes nothing.
    before = snapshot()
    response = client.post(publish, {"published": "vielleicht"}, follow=True)
    assert "Choose whether to publish (1) or unpublish (0) the profile." in response.content.decode()
    assert snapshot() == before
    # Readers see the state but get no button.
    reader_page = client_for(portfolio, "reader").get(detail).content.decode()
    assert "The profile is not published" in reader_page and "Publish the profile" not in reader_page


# The public profile --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "outsider", "partner"])
def test_the_public_profile_shows_public_data_only(portfolio: Portfolio, role: str) -> None:
    organisation = make_published()
    LabOrganisation.objects.create(lab=portfolio.handwerk, organisation=organisation, role="partner")
    response = client_for(portfolio, role).get(organisation.get_absolute_url())
    assert response.status_code == 200
    assert next(template.name for template in response.templates) == "organisations/organisation_profile.html"
    content = response.content.decode()
    for shown in (
        "Sanitär Sonnenschein GmbH (fiktiv)",
        "Company",
        "43 Specialised construction activities",
        "Plumber and heating installer",
        "Eigen",
        'href="https://sonnenschein.example"',
        "<strong>Bäder</strong>",
        "Digitale Koproduktion im Handwerk",
    ):
        assert shown in content, shown
    for hidden in INTERNAL_VALUES:
        assert hidden not in content, hidden
    assert "/bearbeiten/" not in content and "veroeffentlichen" not in content


@pytest.mark.django_db
def test_the_partner_sees_internal_data_of_their_labs_organisations_only(portfolio: Portfolio) -> None:
    organisation = make_published(name="Im Handel", email="handel@example.org")
    client = client_for(portfolio, "partner")
    assert "handel@example.org" not in client.get(organisation.get_absolute_url()).content.decode()
    LabOrganisation.objects.create(lab=portfolio.handel, organisation=organisation)
    page = client.get(organisation.get_absolute_url())
    assert page.templates[0].name == "organisations/organisation_detail.html"
    assert "handel@example.org" in page.content.decode()


@pytest.mark.django_db
def test_the_internal_detail_page_shows_every_field(portfolio: Portfolio) -> None:
    organisation = make_published(profile_published=False)
    LabOrganisation.objects.create(lab=portfolio.handwerk, organisation=organisation, role="science")
    content = client_for(portfolio, "reader").get(organisation.get_absolute_url()).content.decode()
    for shown in [*INTERNAL_VALUES, "Member – since", "Scientific partner", "<strong>Bäder</strong>"]:
        assert shown in content, shown


@pytest.mark.django_db
def test_detail_shows_labs_and_measures(portfolio: Portfolio) -> None:
    content = (
        client_for(portfolio, "reader")
        .get(reverse("organisations:organisation-detail", kwargs={"slug": HANDWERKSKAMMER}))
        .content.decode()
    )
    assert "Digitale Koproduktion im Handwerk" in content
    assert "Kooperation zur Erhöhung des Digitalisierungsstands" in content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_the_public_list_shows_published_profiles_only(portfolio: Portfolio, role: str) -> None:
    url = reverse("organisations:organisation-list")
    client = client_for(portfolio, role)
    empty = client.get(url)
    assert names(empty) == []
    assert "No organisation has published a profile yet." in empty.content.decode()
    make_published()
    response = client.get(url)
    assert names(response) == ["Sanitär Sonnenschein GmbH (fiktiv)"]
    content = response.content.decode()
    assert 'name="needs"' not in content and 'name="alliance"' not in content  # internal filters
    assert "Add organisation" not in content
    # Filters on internal data find nothing, even where the data would match.
    assert names(client.get(url, {"alliance": "member"})) == []
    assert names(client.get(url, {"headcount_bands": "10-19"})) == []
    assert names(client.get(url, {"sectors": "f", "trades": "a"})) == ["Sanitär Sonnenschein GmbH (fiktiv)"]


# The list and its filters ---------------------------------------------------------------------------


def _crm_data(portfolio: Portfolio) -> dict[str, Organisation]:
    """Three organisations that differ in every criterion."""
    craft = make_published(name="Alpha Sanitär", profile_published=False)
    science = services.create_organisation(
        user=None,
        data={
            "name": "Beta Institut",
            "kind": "science",
            "sub_kind": "research_institute",
            "sector": "72",
            "district": "Kirchhellen",
            "headcount_band": "50-249",
            "alliance_status": "applicant",
        },
    )
    shop = services.create_organisation(
        user=None, data={"name": "Gamma Laden", "kind": "company", "sector": "47", "district": "Eigen"}
    )
    LabOrganisation.objects.create(lab=portfolio.handel, organisation=shop)
    Tag.objects.create(content_object=craft, term=term("needs", "skilled-workers"), priority="primary")
    Tag.objects.create(content_object=science, term=term("motivations", "innovation"), priority="primary")
    now = timezone.now()
    Organisation.objects.filter(pk=craft.pk).update(last_contact_at=now - dt.timedelta(days=5))
    Organisation.objects.filter(pk=science.pk).update(last_contact_at=now - dt.timedelta(days=400))
    return {"craft": craft, "science": science, "shop": shop}


FILTERS = [
    ({"kinds": "science"}, ["Beta Institut"]),
    ({"kinds": "company,science", "q": "a"}, ["Alpha Sanitär", "Beta Institut", "Gamma Laden"]),
    ({"sub_kinds": "research_institute"}, ["Beta Institut"]),
    ({"sectors": "f"}, ["Alpha Sanitär"]),
    ({"sectors": "47"}, ["Gamma Laden"]),
    ({"trades": "a"}, ["Alpha Sanitär"]),
    ({"trades": "b1"}, []),
    ({"districts": "Eigen", "q": "a"}, ["Alpha Sanitär", "Gamma Laden"]),
    ({"headcount_bands": "50-249"}, ["Beta Institut"]),
    ({"needs": "skilled-workers"}, ["Alpha Sanitär"]),
    ({"motivations": "innovation"}, ["Beta Institut"]),
    ({"labs": "hybride-formen-des-handels", "q": "Gamma"}, ["Gamma Laden"]),
    ({"alliance": "member"}, ["Alpha Sanitär"]),
    ({"alliance": "none", "q": "Gamma"}, ["Gamma Laden"]),
    ({"contacted_within_days": "30"}, ["Alpha Sanitär"]),
    ({"not_contacted_for_days": "365", "q": "a "}, ["Beta Institut", "Gamma Laden"]),
    ({"q": "Institut"}, ["Beta Institut"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[str(query) for query, _ in FILTERS])
def test_list_filters(portfolio: Portfolio, query: dict[str, str], expected: list[str]) -> None:
    _crm_data(portfolio)
    response = client_for(portfolio, "reader").get(reverse("organisations:organisation-list"), query)
    assert response.status_code == 200
    found = [name for name in names(response) if name in ("Alpha Sanitär", "Beta Institut", "Gamma Laden")]
    assert found == expected


@pytest.mark.django_db
def test_the_partner_filters_their_labs_organisations_by_internal_data(portfolio: Portfolio) -> None:
    crm = _crm_data(portfolio)
    client = client_for(portfolio, "partner")
    url = reverse("organisations:organisation-list")
    assert "Beta Institut" not in names(client.get(url))
    assert names(client.get(url, {"alliance": "none", "q": "Gamma"})) == ["Gamma Laden"]
    services.publish_organisation_profile(user=None, organisation=crm["science"], published=True)
    assert "Beta Institut" in names(client.get(url))
    # Published, but not of the partner's labs: its internal data does not make it match.
    assert names(client.get(url, {"alliance": "applicant"})) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kinds": "verein"}, "Kind: Unknown value(s): verein."),
        ({"sectors": "zz"}, "Sector (WZ 2008 section): Unknown code(s): zz."),
        ({"needs": "geld"}, "Need: Unknown code(s): geld."),
        ({"labs": "gibt-es-nicht"}, "Real-world lab: Unknown lab(s): gibt-es-nicht."),
        ({"contacted_within_days": "bald"}, "Contacted within (days): Enter a whole number of days."),
        (
            {"not_contacted_for_days": "-3"},
            "Not contacted for (days): Enter a whole number of days",
        ),
        ({"consent": "spam"}, "consent: Unknown purpose “spam”."),
    ],
)
def test_a_bad_filter_value_shows_the_message(
    portfolio: Portfolio, query: dict[str, str], message: str
) -> None:
    response = client_for(portfolio, "reader").get(reverse("organisations:organisation-list"), query)
    assert response.status_code == 200
    content = response.content.decode()
    assert "The filters could not be applied:" in content
    assert message in content
    assert response.context["organisations"] == []


@pytest.mark.django_db
def test_garbage_in_the_query_string_is_never_an_error(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "reader")
    url = reverse("organisations:organisation-list")
    for query in (
        {"q": "bot\x00trop"},
        {"sectors": "4\x003"},
        {"page": "x"},
        {"page": "99999999999999999999"},
        {"kinds": "," * 500},
        {"q": "x" * 5000},
    ):
        assert client.get(url, query).status_code == 200, query
    assert client.get(reverse("organisations:organisation-options"), {"q": "a\x00b"}).status_code == 200


@pytest.mark.django_db
def test_list_pagination(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "reader")
    url = reverse("organisations:organisation-list")
    Organisation.objects.bulk_create(
        Organisation(name=f"Firma {number:03}", slug=f"firma-{number:03}", kind="company")
        for number in range(120)
    )
    first = client.get(url, {"q": "Firma"})
    assert len(first.context["organisations"]) == PER_PAGE and first.context["has_next"]
    assert 'href="?q=Firma&amp;page=2"' in first.content.decode()
    third = client.get(url, {"q": "Firma", "page": "3"})
    assert names(third) == [f"Firma {number:03}" for number in range(100, 120)]
    assert not third.context["has_next"]


@pytest.mark.django_db
def test_list_never_counts(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "reader")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("organisations:organisation-list"), {"q": "bottrop", "page": "2"})
    assert response.status_code == 200
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


ALL_FILTERS = {
    "q": "a",
    "kinds": "company,science",
    "sectors": "f,m,g",
    "trades": "a",
    "districts": "Eigen,Kirchhellen",
    "headcount_bands": "10-19,50-249",
    "needs": "skilled-workers",
    "motivations": "innovation",
    "labs": "hybride-formen-des-handels,digitale-koproduktion-im-handwerk",
    "alliance": "member,applicant,none",
    "not_contacted_for_days": "1",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "reader", "partner", "coordinator"])
@pytest.mark.parametrize("query", [{}, ALL_FILTERS], ids=["unfiltered", "every filter"])
def test_the_list_costs_the_same_queries_for_3_and_33_organisations(
    portfolio: Portfolio, role: str, query: dict[str, str]
) -> None:
    client = client_for(portfolio, role)
    url = reverse("organisations:organisation-list")

    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            organisation = make_published(
                name=f"Betrieb {number:02} a",
                profile_published=bool(number % 2),
                email=f"b{number}@example.org",
            )
            LabOrganisation.objects.create(
                lab=portfolio.handel if number % 3 else portfolio.handwerk, organisation=organisation
            )
            for family, code in (("needs", "skilled-workers"), ("motivations", "innovation")):
                Tag.objects.create(content_object=organisation, term=term(family, code), priority="primary")

    add(3, 0)
    client.get(url, query)  # warm up: session, content types
    with CaptureQueriesContext(connection) as small:
        response = client.get(url, query)
    assert response.status_code == 200
    add(30, 3)
    client.get(url, query)  # the filter choices are cached until the content changes: warm them again
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, query)
    assert len(response.context["organisations"]) > 3 or (role == "anonymous" and query)
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_list_with_htmx_returns_the_results_fragment(portfolio: Portfolio) -> None:
    response = client_for(portfolio, "reader", HTTP_HX_REQUEST="true").get(
        reverse("organisations:organisation-list"), {"q": "Jobcenter"}
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="organisation-results" aria-live="polite">')
    assert "Jobcenter Bottrop" in content
    assert "<form" not in content and "<h1>" not in content
    assert "HX-Request" in response["Vary"]
    page = client_for(portfolio, "reader").get(reverse("organisations:organisation-list")).content.decode()
    assert 'hx-push-url="true"' in page and 'hx-target="#organisation-results"' in page


@pytest.mark.django_db
def test_organisation_suggestions_follow_what_the_user_sees(portfolio: Portfolio) -> None:
    url = reverse("organisations:organisation-options")
    coordinator = client_for(portfolio, "coordinator").get(url, {"coordinator": "Handwerk"}).content.decode()
    assert '<option value="handwerkskammer-muenster">Handwerkskammer Münster</option>' in coordinator
    partner = client_for(portfolio, "partner").get(url, {"q": "Bottrop"}).content.decode()
    assert '<option value="wirtschaftsfoerderung-bottrop">' in partner
    assert (
        "handwerkskammer" not in client_for(portfolio, "partner").get(url, {"q": "Handwerk"}).content.decode()
    )
