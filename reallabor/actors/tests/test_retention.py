"""The retention rule: who is flagged (edge cases), the page, the CLI and the API."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import Portfolio
from reallabor.actors.models import Interaction, Person, Purpose
from reallabor.actors.services import privacy
from reallabor.actors.tests.test_privacy import actors_digest
from reallabor.api.tests.conftest import api_client, call
from reallabor.core.testing.actors import Crm, affiliate, give_consent, make_person

pytestmark = pytest.mark.django_db

NOW = timezone.now()
YEAR = dt.timedelta(days=365)
CUTOFF = privacy.retention_cutoff(3, NOW)


def old_person(created_at: dt.datetime | None = None, **fields: str) -> Person:
    person = make_person(**fields)
    Person.objects.filter(pk=person.pk).update(created_at=created_at or NOW - 5 * YEAR)
    person.refresh_from_db()
    return person


def took_part(person: Person, occurred_at: dt.datetime) -> Interaction:
    interaction = Interaction.objects.create(kind="call", occurred_at=occurred_at, subject="Anruf")
    interaction.participants.add(person)
    return interaction


def flagged(years: int = 3) -> set[int]:
    return set(privacy.flagged_for_retention(user=None, years=years, now=NOW).values_list("pk", flat=True))


def test_cutoff_is_calendar_years() -> None:
    moment = dt.datetime(2028, 2, 29, 12, 0, tzinfo=dt.UTC)
    assert privacy.retention_cutoff(3, moment) == dt.datetime(2025, 2, 28, 12, 0, tzinfo=dt.UTC)
    assert privacy.retention_cutoff(4, moment) == dt.datetime(2024, 2, 29, 12, 0, tzinfo=dt.UTC)


def test_the_rule(crm: Crm) -> None:
    second = dt.timedelta(seconds=1)
    expected = {
        "forgotten": old_person(),
        "old interaction": old_person(),
        "interaction just before the cutoff": old_person(),
        "expired consent": old_person(),
        "withdrawn consent": old_person(),
        "consent dated in the future": old_person(),
    }
    kept = {
        "new record": old_person(created_at=NOW - YEAR),
        "record exactly at the cutoff": old_person(created_at=CUTOFF),
        "recent interaction": old_person(),
        "interaction exactly at the cutoff": old_person(),
        "valid consent": old_person(),
        "valid consent with expiry": old_person(),
        "anonymised": old_person(),
    }
    took_part(expected["old interaction"], NOW - 4 * YEAR)
    took_part(expected["interaction just before the cutoff"], CUTOFF - second)
    give_consent(
        expected["expired consent"], Purpose.NEWSLETTER, given_at=NOW - 4 * YEAR, expires_at=NOW - YEAR
    )
    give_consent(
        expected["withdrawn consent"], Purpose.NEWSLETTER, given_at=NOW - 4 * YEAR, withdrawn_at=NOW - YEAR
    )
    give_consent(expected["consent dated in the future"], Purpose.PHOTOS, given_at=NOW + YEAR)
    took_part(kept["recent interaction"], NOW - YEAR)
    took_part(kept["recent interaction"], NOW - 6 * YEAR)
    took_part(kept["interaction exactly at the cutoff"], CUTOFF)
    give_consent(kept["valid consent"], Purpose.MATCHING, given_at=NOW - 4 * YEAR)
    give_consent(
        kept["valid consent with expiry"], Purpose.MATCHING, given_at=NOW - 4 * YEAR, expires_at=NOW + YEAR
    )
    Person.objects.filter(pk=kept["anonymised"].pk).update(anonymised_at=NOW - YEAR)

    found = flagged()
    for label, person in expected.items():
        assert person.pk in found, label
    for label, person in kept.items():
        assert person.pk not in found, label
    # the crm's people were created just now
    assert not {crm.anna.pk, crm.bernd.pk, crm.clara.pk} & found
    # a longer period flags fewer
    assert expected["old interaction"].pk not in flagged(years=5)
    assert expected["forgotten"].pk not in flagged(years=6)
    rows = {p.pk: p for p in privacy.flagged_for_retention(user=None, years=3, now=NOW)}
    assert rows[expected["old interaction"].pk].last_interaction_at == NOW - 4 * YEAR  # type: ignore[attr-defined]
    assert rows[expected["forgotten"].pk].last_interaction_at is None  # type: ignore[attr-defined]


def test_years_come_from_the_settings() -> None:
    person = old_person(created_at=NOW - 4 * YEAR)
    assert person.pk in set(privacy.flagged_for_retention(user=None).values_list("pk", flat=True))
    with override_settings(REALLABOR_RETENTION_YEARS=5):
        assert privacy.retention_years() == 5
        assert person.pk not in set(privacy.flagged_for_retention(user=None).values_list("pk", flat=True))


def test_only_the_office_sees_the_list(portfolio: Portfolio) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        privacy.flagged_for_retention(user=portfolio.users["reader"])
    privacy.flagged_for_retention(user=portfolio.users["coordinator"])


def client_for(portfolio: Portfolio, role: str) -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_page(portfolio: Portfolio, crm: Crm) -> None:
    forgotten = old_person(first_name="Fritz", last_name="Vergessen")
    affiliate(forgotten, crm.tischlerei, "Geselle")
    url = reverse("actors:retention-list")
    page = client_for(portfolio, "coordinator").get(url)
    assert page.status_code == 200
    assert "Fritz Vergessen" in page.text and "Tischlerei Beispiel GmbH (Geselle)" in page.text
    total = privacy.flagged_for_retention(user=None).count()
    assert f"{total} person flagged" in page.text or f"{total} people flagged" in page.text
    assert reverse("actors:person-erase", args=[forgotten.uuid]) not in page.text  # coordinators don't erase
    admin_page = client_for(portfolio, "administrator").get(url)
    assert reverse("actors:person-erase", args=[forgotten.uuid]) in admin_page.text
    assert reverse("actors:person-anonymise", args=[forgotten.uuid]) in admin_page.text
    longer = client_for(portfolio, "coordinator").get(url, {"years": "10"})
    assert "Fritz Vergessen" not in longer.text
    for garbage in ({"years": "0"}, {"years": "abc"}, {"years": "99999"}, {"page": "-3"}, {"page": "x" * 50}):
        assert client_for(portfolio, "coordinator").get(url, garbage).status_code == 200
    fragment = client_for(portfolio, "coordinator").get(url, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.text and 'id="retention-results"' in fragment.text


def test_the_page_needs_constant_queries(portfolio: Portfolio, crm: Crm) -> None:
    client = client_for(portfolio, "administrator")
    url = reverse("actors:retention-list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for index in range(2):
        affiliate(old_person(last_name=f"Alt{index}"), crm.tischlerei)
    few = queries()
    for index in range(12):
        person = old_person(last_name=f"Älter{index}")
        affiliate(person, crm.tischlerei)
        took_part(person, NOW - 4 * YEAR)
    assert queries() == few


def test_pagination(portfolio: Portfolio, crm: Crm) -> None:
    from reallabor.actors.views.privacy import PER_PAGE

    Person.objects.bulk_create([Person(last_name=f"Alt {i:03}") for i in range(PER_PAGE + 3)])
    Person.objects.filter(last_name__startswith="Alt ").update(created_at=NOW - 5 * YEAR)
    client = client_for(portfolio, "coordinator")
    first = client.get(reverse("actors:retention-list"))
    assert 'rel="next"' in first.text and "Alt 000" in first.text and "Alt 052" not in first.text
    second = client.get(reverse("actors:retention-list"), {"page": "2"})
    assert "Alt 052" in second.text and "Alt 000" not in second.text


def test_the_command_prints_and_changes_no_person(crm: Crm) -> None:
    forgotten = old_person(first_name="Fritz", last_name="Vergessen")
    took_part(old_person(last_name="Kontakt"), NOW - YEAR)
    before = actors_digest()
    out, err = StringIO(), StringIO()
    call_command("flag_retention", stdout=out, stderr=err)
    assert f"{forgotten.uuid}\t" in out.getvalue() and "Fritz Vergessen" in out.getvalue()
    assert "Kontakt" not in out.getvalue()
    total = privacy.flagged_for_retention(user=None).count()
    assert f"{total} {'person' if total == 1 else 'people'} flagged" in err.getvalue()
    assert "No person was changed." in err.getvalue()
    assert "0 uploaded import files removed (not imported within 7 days; the reports stay)." in err.getvalue()
    call_command("flag_retention", "--years", "6", stdout=(out := StringIO()), stderr=StringIO())
    assert "Fritz Vergessen" not in out.getvalue()
    assert actors_digest() == before
    for bad in ("0", "x", "101"):
        with pytest.raises(CommandError):
            call_command("flag_retention", "--years", bad, stdout=StringIO(), stderr=StringIO())


def test_the_api(portfolio: Portfolio) -> None:
    forgotten = old_person(first_name="Fritz", last_name="Vergessen")
    client = api_client(portfolio.users["coordinator"])
    body = call(client, "get", "/api/v1/privacy/retention").json()
    assert body["count"] == privacy.flagged_for_retention(user=None).count()
    item = next(item for item in body["items"] if item["uuid"] == str(forgotten.uuid))
    assert item["name"] == "Fritz Vergessen" and item["last_interaction_at"] is None
    assert item["url"] == forgotten.get_absolute_url()
    longer = call(client, "get", "/api/v1/privacy/retention?years=10").json()
    assert str(forgotten.uuid) not in {item["uuid"] for item in longer["items"]}
    assert call(client, "get", "/api/v1/privacy/retention?years=0").status_code == 422
    assert call(client, "get", "/api/v1/privacy/retention?years=zwei").status_code == 422
