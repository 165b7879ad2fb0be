"""Organisations through organisations.services: slugs, validation, history, protected deletion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from reallabor.accounts.models import User
from reallabor.core.exceptions import EditConflict
from reallabor.core.testing.factories import UserFactory, make_lab, make_measure
from reallabor.history.models import Version
from reallabor.history.services import versions_of
from reallabor.labs import services as labs
from reallabor.labs.models import Measure
from reallabor.organisations import services
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Term

pytestmark = pytest.mark.django_db


def new_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)  # type: ignore[assignment]
    return user


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def snapshot() -> tuple[Any, ...]:
    return (
        [(o.pk, o.revision, services.organisation_state(o)) for o in Organisation.objects.order_by("pk")],
        Version.objects.count(),
    )


def create(name: str, **data: Any) -> Organisation:
    return services.create_organisation(user=None, data={"name": name, "kind": "company", **data})


def term(family: str, code: str) -> Term:
    return Term.objects.get(vocabulary__family=family, vocabulary__retired_at__isnull=True, code=code)


def test_create_organisation_with_all_fields() -> None:
    admin = new_user(role=User.Role.ADMINISTRATOR)
    organisation = services.create_organisation(
        user=admin,
        data={
            "name": "Kreishandwerkerschaft Emscher-Lippe-West",
            "kind": "multiplier",
            "sub_kind": "association",
            "sector": "94",
            "headcount_band": "10-19",
            "founding_year": 1952,
            "street": "Gladbecker Straße 1",
            "postcode": "46236",
            "city": "Bottrop",
            "district": "Alt-Bottrop",
            "quarter": "Stadtmitte",
            "email": "info@example.org",
            "phone": "+49 2041 12345-0",
            "website": "https://www.example.org/",
            "alliance_status": "member",
            "alliance_since": "2019-05-01",
            "profile_published": True,
            "profile_text": "Wir vertreten **das Handwerk**.",
        },
    )
    organisation.refresh_from_db()
    assert services.organisation_state(organisation) == {
        "name": "Kreishandwerkerschaft Emscher-Lippe-West",
        "slug": "kreishandwerkerschaft-emscher-lippe-west",
        "kind": "multiplier",
        "sub_kind": "association",
        "sector": "94",
        "trade": "",
        "headcount_band": "10-19",
        "founding_year": 1952,
        "street": "Gladbecker Straße 1",
        "postcode": "46236",
        "city": "Bottrop",
        "district": "Alt-Bottrop",
        "quarter": "Stadtmitte",
        "email": "info@example.org",
        "phone": "+49 2041 12345-0",
        "website": "https://www.example.org/",
        "alliance_status": "member",
        "alliance_since": "2019-05-01",
        "profile_published": True,
        "profile_text": "Wir vertreten **das Handwerk**.",
    }
    assert organisation.sector == term("wz2008", "94")
    assert organisation.alliance_since == dt.date(2019, 5, 1)
    assert (organisation.name_key, organisation.web_domain) == (
        "kreishandwerkerschaftemscherlippewest",
        "example.org",
    )
    assert organisation.address == "Gladbecker Straße 1, 46236 Bottrop"
    assert organisation.revision == 1
    version = versions_of(organisation).get()
    assert version.user == admin
    assert version.data["sector"] == "94"


def test_generated_slugs_are_unique() -> None:
    slugs = [create("Café am Pferdemarkt").slug for _ in range(3)]
    assert slugs == ["cafe-am-pferdemarkt", "cafe-am-pferdemarkt-2", "cafe-am-pferdemarkt-3"]
    assert create("!!!").slug == "organisation"


def test_a_given_slug_that_is_taken_is_refused_and_nothing_is_written() -> None:
    create("Jobcenter Bottrop", slug="jobcenter")
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        create("Ein anderes Jobcenter", slug="jobcenter")
    assert caught.value.message_dict == {"slug": ["This short name is already taken by “Jobcenter Bottrop”."]}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "paths"),
    [
        ({"name": ""}, ["name"]),
        ({"name": "X", "kind": "verein"}, ["kind"]),
        ({"name": "X", "website": "keine adresse"}, ["website"]),
        ({"name": "X", "slug": "Mit Leerzeichen"}, ["slug"]),
        ({"name": "X", "postcode": "123456789012"}, ["postcode"]),
        ({"name": "X", "founded": 1900}, ["founded"]),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(data: dict[str, Any], paths: list[str]) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.create_organisation(user=None, data={"kind": "company", **data})
    assert sorted(caught.value.message_dict) == paths
    assert snapshot() == before


def test_update_organisation_is_recorded_and_bumps_the_revision() -> None:
    organisation = create("IHK", city="Münster")
    services.update_organisation(user=None, organisation=organisation, data={"name": "IHK Nord Westfalen"})
    organisation.refresh_from_db()
    assert (organisation.name, organisation.revision, organisation.slug) == ("IHK Nord Westfalen", 2, "ihk")
    assert versions_of(organisation).first().changes == [  # type: ignore[union-attr]
        {"field": "name", "old": "IHK", "new": "IHK Nord Westfalen"}
    ]


def test_update_with_a_taken_slug_or_a_stale_revision_changes_nothing() -> None:
    create("Erste", slug="erste")
    second = create("Zweite", slug="zweite")
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.update_organisation(user=None, organisation=second, data={"slug": "erste", "city": "Essen"})
    assert list(caught.value.message_dict) == ["slug"]
    with pytest.raises(EditConflict):
        services.update_organisation(
            user=None, organisation=second, data={"city": "Essen"}, expected_revision=7
        )
    assert snapshot() == before


def test_deleting_an_unused_organisation() -> None:
    organisation = create("Buchhandlung Seitenweise")
    pk = organisation.pk
    services.delete_organisation(user=None, organisation=organisation)
    assert not Organisation.objects.filter(pk=pk).exists()
    assert Version.objects.filter(object_id=pk, content_type__model="organisation", action="deleted").exists()


@pytest.mark.parametrize(
    "use", ["lab coordinator", "lab organisation", "measure actor", "measure coordination"]
)
def test_an_organisation_in_use_cannot_be_deleted_and_says_why(use: str) -> None:
    organisation = create("Wirtschaftsförderung", slug="wifoe")
    lab = make_lab(name="Hybride Formen des Handels")
    measure = make_measure(lab, title="Fairtrade-Town")
    if use == "lab coordinator":
        labs.update_lab(user=None, lab=lab, data={"coordinator": "wifoe"})
    elif use == "lab organisation":
        labs.set_lab_organisation(user=None, lab=lab, organisation=organisation, role="partner")
    elif use == "measure actor":
        labs.update_measure(user=None, measure=measure, data={"actors": [{"organisation": "wifoe"}]})
    else:
        labs.update_measure(user=None, measure=measure, data={"coordinators": ["wifoe"]})
    before = snapshot()
    measure_before = labs.measure_state(Measure.objects.get(pk=measure.pk))
    with pytest.raises(ValidationError) as caught:
        services.delete_organisation(user=None, organisation=organisation)
    assert caught.value.code == "protected"
    message = caught.value.messages[0]
    assert message.startswith("“Wirtschaftsförderung” is still used (")
    assert message.endswith(") and cannot be deleted.")
    expected_use = "Hybride Formen des Handels" if use.startswith("lab") else "Fairtrade-Town"
    assert message == f"“Wirtschaftsförderung” is still used ({expected_use}) and cannot be deleted."
    assert snapshot() == before
    assert labs.measure_state(Measure.objects.get(pk=measure.pk)) == measure_before


@pytest.mark.parametrize("role", ["reader", "outsider", "partner", "coordinator"])
def test_only_administrators_delete_organisations(role: str) -> None:
    organisation = create("Marketing für Bottrop e.V.")
    user = new_user(role=User.Role.READER if role == "reader" else User.Role.MEMBER)
    if role in ("partner", "coordinator"):
        labs.set_lab_member(user=None, lab=make_lab(), member=user, role=role)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.delete_organisation(user=user, organisation=organisation)
    assert snapshot() == before


def test_partners_add_but_do_not_edit_and_coordinators_edit() -> None:
    lab = make_lab()
    partner, coordinator = new_user(), new_user()
    labs.set_lab_member(user=None, lab=lab, member=partner, role="partner")
    labs.set_lab_member(user=None, lab=lab, member=coordinator, role="coordinator")
    organisation = services.create_organisation(
        user=partner, data={"name": "Neu vom Partner", "kind": "company"}
    )
    assert versions_of(organisation).get().user == partner
    with pytest.raises(PermissionDenied):
        services.update_organisation(user=partner, organisation=organisation, data={"city": "Essen"})
    services.update_organisation(user=coordinator, organisation=organisation, data={"city": "Bottrop"})
    assert Organisation.objects.get(pk=organisation.pk).city == "Bottrop"
    for user in (new_user(), new_user(role=User.Role.READER)):
        with pytest.raises(PermissionDenied):
            services.create_organisation(user=user, data={"name": "Nein", "kind": "company"})
    assert not Organisation.objects.filter(name="Nein").exists()


# The fields of the actors' CRM ---------------------------------------------------------------------

THIS_YEAR = dt.date.today().year


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"sector": "f"},
            {"sector": ["“f” is no division of the WZ 2008: give a two-digit division code such as “43”."]},
        ),
        (
            {"sector": "a-24"},
            {
                "sector": [
                    "“a-24” is no division of the WZ 2008: give a two-digit division code such as “43”."
                ]
            },
        ),
        (
            {"sector": 43},
            {"sector": ["“43” is no division of the WZ 2008: give a two-digit division code such as “43”."]},
        ),
        (
            {"trade": "43"},
            {"trade": ["“43” is no trade of the crafts code: give a trade code such as “a-24”."]},
        ),
        (
            {"trade": "b1"},
            {"trade": ["“b1” is no trade of the crafts code: give a trade code such as “a-24”."]},
        ),
        (
            {"kind": "science", "trade": "a-24"},
            {"trade": ["Only companies (craft businesses) have a trade."]},
        ),
        ({"sub_kind": "school"}, {"sub_kind": ["Organisations of the kind “Company” have no sub-kind."]}),
        (
            {"kind": "science", "sub_kind": "school"},
            {
                "sub_kind": [
                    "“school” is no sub-kind of “Science”; choose one of: University, Research institute."
                ]
            },
        ),
        ({"sub_kind": "kiosk"}, {"sub_kind": ["Value 'kiosk' is not a valid choice."]}),
        ({"founding_year": 999}, {"founding_year": [f"Enter a founding year between 1000 and {THIS_YEAR}."]}),
        (
            {"founding_year": THIS_YEAR + 1},
            {"founding_year": [f"Enter a founding year between 1000 and {THIS_YEAR}."]},
        ),
        (
            {"founding_year": "neunzehnhundert"},
            {"founding_year": ["“neunzehnhundert” value must be an integer."]},
        ),
        ({"postcode": "4623"}, {"postcode": ["Enter a German postcode of five digits, such as 46236."]}),
        ({"postcode": "D-46236"}, {"postcode": ["Enter a German postcode of five digits, such as 46236."]}),
        ({"email": "keine-adresse"}, {"email": ["Enter a valid email address."]}),
        ({"website": "keine adresse"}, {"website": ["Enter a valid URL."]}),
        (
            {"phone": "=HYPERLINK(1)"},
            {"phone": ["Enter a phone number of digits, spaces and + ( ) / - only."]},
        ),
        ({"headcount_band": "viele"}, {"headcount_band": ["Value 'viele' is not a valid choice."]}),
        ({"alliance_status": "maybe"}, {"alliance_status": ["Value 'maybe' is not a valid choice."]}),
        (
            {"alliance_since": "2020-01-01"},
            {
                "alliance_since": [
                    "Give a date only for members and former members of the Wirtschaftsallianz."
                ]
            },
        ),
        (
            {"alliance_status": "applicant", "alliance_since": "2020-01-01"},
            {
                "alliance_since": [
                    "Give a date only for members and former members of the Wirtschaftsallianz."
                ]
            },
        ),
        (
            {
                "alliance_status": "member",
                "alliance_since": (dt.date.today() + dt.timedelta(days=2)).isoformat(),
            },
            {"alliance_since": ["The date lies in the future."]},
        ),
        (
            {"alliance_status": "member", "alliance_since": "gestern"},
            {
                "alliance_since": [
                    "“gestern” value has an invalid date format. It must be in YYYY-MM-DD format."
                ]
            },
        ),
        ({"profile_published": "ja"}, {"profile_published": ["Give true or false."]}),
        (
            {"sector": "99x", "postcode": "1", "email": "x"},
            {
                "sector": [
                    "“99x” is no division of the WZ 2008: give a two-digit division code such as “43”."
                ],
                "postcode": ["Enter a German postcode of five digits, such as 46236."],
                "email": ["Enter a valid email address."],
            },
        ),
    ],
)
def test_every_bad_value_is_named_with_its_message_and_nothing_is_written(
    data: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        create("Fehlerhaft GmbH", **data)
    assert caught.value.message_dict == errors
    assert snapshot() == before


def test_sector_and_trade_from_codes_terms_or_nothing() -> None:
    by_code = create("Sanitär Rohr", sector="43", trade="a-24")
    assert (by_code.sector, by_code.trade) == (term("wz2008", "43"), term("trades", "a-24"))
    state = services.organisation_state(by_code)
    assert (state["sector"], state["trade"]) == ("43", "a-24")
    by_term = create("Bau AG", sector=term("wz2008", "43"))
    assert by_term.sector is not None and by_term.sector.code == "43"
    assert create("Ohne", sector=None, trade="").sector is None
    # A single digit is the division with its leading zero (spreadsheets drop it).
    assert create("Hof Kirchhellen", sector="1").sector == term("wz2008", "01")
    cleared = services.update_organisation(
        user=None, organisation=by_code, data={"sector": None, "trade": None}
    )
    assert (cleared.sector, cleared.trade) == (None, None)
    assert services.organisation_state(cleared)["sector"] == ""


def test_a_term_of_the_wrong_vocabulary_is_refused() -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        create("Falsch", sector=term("trades", "a-01"), trade=term("wz2008", "43"))
    assert set(caught.value.message_dict) == {"sector", "trade"}
    assert snapshot() == before


def test_changing_the_kind_checks_the_sub_kind_and_the_trade() -> None:
    university = create("Hochschule", kind="science", sub_kind="university")
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.update_organisation(user=None, organisation=university, data={"kind": "multiplier"})
    assert list(caught.value.message_dict) == ["sub_kind"]
    assert snapshot() == before
    services.update_organisation(
        user=None, organisation=university, data={"kind": "multiplier", "sub_kind": "agency"}
    )
    assert Organisation.objects.get(pk=university.pk).sub_kind == "agency"
    craft = create("Dachdeckerei", trade="a-04")
    with pytest.raises(ValidationError) as caught:
        services.update_organisation(user=None, organisation=craft, data={"kind": "civil_society"})
    assert list(caught.value.message_dict) == ["trade"]


def test_name_key_and_web_domain_are_kept_on_every_write() -> None:
    organisation = create("Müller Bau GmbH & Co. KG", website="www.mueller-bau.de")
    assert organisation.website == "https://www.mueller-bau.de"
    stored = Organisation.objects.get(pk=organisation.pk)
    assert (stored.name_key, stored.web_domain) == ("muellerbau", "mueller-bau.de")
    services.update_organisation(
        user=None,
        organisation=organisation,
        data={"name": "Mueller-Bau e.K.", "website": "https://neu.example/"},
    )
    stored = Organisation.objects.get(pk=organisation.pk)
    assert (stored.name_key, stored.web_domain) == ("muellerbau", "neu.example")
    services.update_organisation(user=None, organisation=organisation, data={"website": ""})
    assert Organisation.objects.get(pk=organisation.pk).web_domain == ""


def test_keys_of_older_records_are_filled_by_a_write_that_changes_nothing_else() -> None:
    organisation = create("Alte Apotheke", website="https://alte-apotheke.example")
    Organisation.objects.filter(pk=organisation.pk).update(name_key="", web_domain="")
    versions = Version.objects.count()
    services.update_organisation(user=None, organisation=organisation, data={"name": "Alte Apotheke"})
    stored = Organisation.objects.get(pk=organisation.pk)
    assert (stored.name_key, stored.web_domain, stored.revision) == (
        "alteapotheke",
        "alte-apotheke.example",
        1,
    )
    assert Version.objects.count() == versions


def content_version() -> int:
    from reallabor.core.cache import content_version as current

    return current()


def test_publishing_the_profile_is_recorded_and_makes_cached_pages_stale() -> None:
    coordinator = new_user()
    labs.set_lab_member(user=None, lab=make_lab(), member=coordinator, role="coordinator")
    organisation = create("Eisdiele Venezia")
    version_before = content_version()
    published = services.publish_organisation_profile(
        user=coordinator, organisation=organisation, published=True
    )
    assert published.profile_published and published.revision == 2
    assert Organisation.objects.get(pk=organisation.pk).profile_published
    assert content_version() > version_before
    latest = versions_of(organisation).first()
    assert latest is not None and latest.user == coordinator
    assert latest.changes == [{"field": "profile_published", "old": False, "new": True}]
    # Publishing again changes nothing.
    services.publish_organisation_profile(user=coordinator, organisation=organisation, published=True)
    assert Organisation.objects.get(pk=organisation.pk).revision == 2
    services.publish_organisation_profile(user=None, organisation=organisation, published=False)
    assert not Organisation.objects.get(pk=organisation.pk).profile_published


@pytest.mark.parametrize("role", ["reader", "outsider", "partner"])
def test_only_administrators_and_coordinators_publish(role: str) -> None:
    organisation = create("Kiosk am Berliner Platz")
    user = new_user(role=User.Role.READER if role == "reader" else User.Role.MEMBER)
    if role == "partner":
        lab = make_lab()
        labs.set_lab_member(user=None, lab=lab, member=user, role="partner")
        labs.set_lab_organisation(user=None, lab=lab, organisation=organisation, role="partner")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.publish_organisation_profile(user=user, organisation=organisation, published=True)
    if role == "partner":  # a partner adds organisations, but not published ones
        with pytest.raises(PermissionDenied):
            services.create_organisation(
                user=user, data={"name": "Gleich öffentlich", "kind": "company", "profile_published": True}
            )
    assert snapshot() == before
