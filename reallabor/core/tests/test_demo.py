"""The Bottrop demo data: exactly the seed overview, one account per role, loaded once."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from reallabor.accounts.models import User
from reallabor.core.demo import bottrop
from reallabor.history.models import Version
from reallabor.labs import permissions
from reallabor.labs.models import Lab, LabMembership, Measure
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag

pytestmark = pytest.mark.django_db

# The table of the seed document »Bottrop setzt um – Reallabore«, exactly.
SEED_OVERVIEW = [
    (
        "Hybride Formen des Handels",
        [
            (
                "Fairtrade-Town – Auszeichnung und Netzwerk",
                [
                    "MT »Faires Handeln«",
                    "SDG 11 »Nachhaltige Städte und Gemeinden«",
                    "SDG 12 »Nachhaltige/r Konsum und Produktion«",
                ],
            ),
            (
                "HalloBot – Onlineplattform und Digitalisierungsangebot",
                ["MT »Digitalisierung« (durch die Covid-19-Pandemie gestärkt)"],
            ),
        ],
    ),
    (
        "Digitale Koproduktion im Handwerk",
        [
            (
                "Kooperation zur Erhöhung des Digitalisierungsstands der Bottroper Handwerksunternehmen",
                ["MT »Digitalisierung«", "SDG 8 »Menschenwürdige Arbeit und Wirtschaftswachstum«"],
            )
        ],
    ),
    (
        "Fachkräftesicherung",
        [
            (
                "Unterstützung der Integration von Geflüchteten in Bottroper Unternehmen",
                [
                    "MT »demografischer Wandel«",
                    "MT »Migration«",
                    "SDG 8 »Menschenwürdige Arbeit und Wirtschaftswachstum«",
                    "SDG 10 »Weniger Ungleichheiten«",
                ],
            )
        ],
    ),
]


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with translation.override("de"):
        yield


@pytest.fixture
def loaded() -> list[tuple[str, str]]:
    return bottrop.load()


def overview() -> list[tuple[str, list[tuple[str, list[str]]]]]:
    return [
        (
            lab.name,
            [
                (measure.title, [tag.display for tag in measure.tags.order_by("position", "id")])
                for measure in lab.measures.all()
            ],
        )
        for lab in Lab.objects.all()
    ]


def test_the_demo_data_is_exactly_the_seed_overview(loaded: list[tuple[str, str]]) -> None:
    assert overview() == SEED_OVERVIEW
    assert Lab.objects.count() == 3
    assert Measure.objects.count() == 4


def test_everything_of_the_demo_portfolio_is_published(loaded: list[tuple[str, str]]) -> None:
    assert Lab.objects.published().count() == 3
    assert Measure.objects.published().count() == 4
    assert list(Measure.objects.visible_to(None).values_list("title", flat=True)) == [
        measure for _lab, measures in SEED_OVERVIEW for measure, _tags in measures
    ]


def test_the_profile_facts_of_the_seed(loaded: list[tuple[str, str]]) -> None:
    fairtrade = Measure.objects.get(slug="fairtrade-town")
    assert [(str(r.date), r.text) for r in fairtrade.results.all()][:2] == [
        ("2020-10-01", "Steuerungsgruppe gegründet (17 Mitglieder zum Zeitpunkt der Auszeichnung)."),
        ("2021-11-26", "Auszeichnung als 775. Fairtrade-Town in Deutschland."),
    ]
    assert list(fairtrade.coordinators.values_list("slug", flat=True)) == ["wirtschaftsfoerderung-bottrop"]
    assert list(fairtrade.financing.values_list("source", flat=True)) == ["Bottrop 2018+"]
    hallobot = Measure.objects.get(slug="hallobot")
    wifi = hallobot.financing.get(source__startswith="WiFi4EU")
    assert wifi.amount == Decimal("15000.00")
    integration = Measure.objects.get(slug="integration-gefluechteter")
    assert list(integration.target_groups.values_list("term__code", flat=True)) == [
        "unternehmen",
        "gefluechtete",
    ]
    handwerk = Lab.objects.get(slug="digitale-koproduktion-im-handwerk")
    assert handwerk.coordinator is not None
    assert handwerk.coordinator.slug == "wirtschaftsfoerderung-bottrop"
    assert handwerk.background.startswith("Schon in der ersten Projektphase")


def test_companies_are_marked_fictional_and_public_institutions_keep_their_names(
    loaded: list[tuple[str, str]],
) -> None:
    companies = Organisation.objects.filter(kind=Organisation.Kind.COMPANY)
    assert companies.exists()
    assert all("(fiktiv)" in name for name in companies.values_list("name", flat=True))
    assert Organisation.objects.filter(name="Handwerkskammer Münster", kind="multiplier").exists()
    assert Organisation.objects.filter(name="Hochschule Ruhr West", kind="science").exists()


def test_one_demo_account_per_role(loaded: list[tuple[str, str]]) -> None:
    accounts = {email: User.objects.get(email=email) for email, *_rest in bottrop.DEMO_ACCOUNTS}
    assert [email for email, _description in loaded] == list(accounts)
    admin = accounts["verwaltung@reallabor.example"]
    reader = accounts["leser@reallabor.example"]
    coordinator = accounts["koordination@reallabor.example"]
    partner = accounts["partner@reallabor.example"]
    assert admin.is_administrator and admin.role == User.Role.ADMINISTRATOR
    assert reader.role == User.Role.READER and not reader.is_administrator
    assert list(coordinator.lab_memberships.values_list("lab__slug", "role")) == [
        ("digitale-koproduktion-im-handwerk", LabMembership.Role.COORDINATOR)
    ]
    assert list(partner.lab_memberships.values_list("lab__slug", "role")) == [
        ("hybride-formen-des-handels", LabMembership.Role.PARTNER)
    ]
    for user in accounts.values():
        assert user.check_password(bottrop.DEMO_PASSWORD)
        assert user.is_active
    handwerk = Lab.objects.get(slug="digitale-koproduktion-im-handwerk")
    assert permissions.can_publish_lab(coordinator, handwerk)
    assert permissions.can_edit_measure(partner, Measure.objects.get(slug="fairtrade-town"))
    assert not permissions.can_publish_measure(partner, Measure.objects.get(slug="fairtrade-town"))


def test_the_demo_data_has_a_history(loaded: list[tuple[str, str]]) -> None:
    for measure in Measure.objects.all():
        assert Version.objects.filter(
            content_type__model="measure", object_id=measure.pk, action="created"
        ).exists()
    assert Version.objects.filter(content_type__model="organisation").count() == Organisation.objects.count()


def test_the_command_loads_and_prints_the_accounts() -> None:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    output = out.getvalue()
    assert overview() == SEED_OVERVIEW
    assert bottrop.DEMO_PASSWORD in output
    for email, *_rest in bottrop.DEMO_ACCOUNTS:
        assert email in output


def test_if_empty_twice_does_not_duplicate() -> None:
    call_command("load_demo_data", "--if-empty", stdout=StringIO())
    counts = [
        Model.objects.count() for Model in (Lab, Measure, Organisation, User, Tag, Version, LabMembership)
    ]
    out = StringIO()
    call_command("load_demo_data", "--if-empty", stdout=out)
    assert [
        Model.objects.count() for Model in (Lab, Measure, Organisation, User, Tag, Version, LabMembership)
    ] == counts
    assert "already holds labs" in out.getvalue()
    assert "partner@reallabor.example" in out.getvalue()
    assert overview() == SEED_OVERVIEW


def test_loading_into_a_filled_database_without_if_empty_fails_and_changes_nothing(
    loaded: list[tuple[str, str]],
) -> None:
    counts = [Model.objects.count() for Model in (Lab, Measure, Organisation, User, Tag, Version)]
    err = StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("load_demo_data", stdout=StringIO(), stderr=err)
    assert caught.value.code == 1
    assert "already holds labs" in err.getvalue()
    assert [Model.objects.count() for Model in (Lab, Measure, Organisation, User, Tag, Version)] == counts
