"""The interactions service: recording, validation, last contacts, follow-ups."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from conftest import Portfolio
from reallabor.accounts.models import User
from reallabor.actors.models import FollowUp, Interaction, Person
from reallabor.actors.services import interactions as services
from reallabor.core.testing.actors import Crm, affiliate, make_person
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def user_of(portfolio: Portfolio, role: str) -> User:
    user = portfolio.users[role]
    assert user is not None
    return user


UTC = dt.UTC


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Assertions on our messages hold once the German translations arrive."""
    with translation.override("en"):
        yield


def messages_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def base_data(crm: Crm, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "call",
        "occurred_at": "2025-02-18T09:30",
        "subject": "Telefonat zur Nachfolge",
        "organisation": crm.tischlerei.slug,
        "participants": [str(crm.bernd.uuid)],
    }
    data.update(overrides)
    return data


def test_record_stores_berlin_input_in_utc_and_defaults_the_staff_to_the_user(
    portfolio: Portfolio, crm: Crm
) -> None:
    coordinator = user_of(portfolio, "coordinator")
    winter = services.record_interaction(user=coordinator, data=base_data(crm))
    summer = services.record_interaction(
        user=coordinator, data=base_data(crm, occurred_at="2025-07-01 09:30")
    )
    winter.refresh_from_db()
    summer.refresh_from_db()
    assert winter.occurred_at == dt.datetime(2025, 2, 18, 8, 30, tzinfo=UTC)
    assert summer.occurred_at == dt.datetime(2025, 7, 1, 7, 30, tzinfo=UTC)
    assert winter.staff == coordinator
    assert winter.created_by == coordinator
    assert winter.organisation == crm.tischlerei
    assert list(winter.participants.all()) == [crm.bernd]


def test_record_with_aware_datetime_lab_measure_and_follow_ups(portfolio: Portfolio, crm: Crm) -> None:
    admin = user_of(portfolio, "administrator")
    coordinator = user_of(portfolio, "coordinator")
    measure = portfolio.handwerk.measures.order_by("position").first()
    assert measure is not None
    moment = dt.datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    interaction = services.record_interaction(
        user=admin,
        data=base_data(
            crm,
            kind="meeting",
            occurred_at=moment,
            staff=coordinator.email,
            measure=measure,
            follow_ups=[
                {"title": "Angebot schicken", "due_date": "2025-03-10", "assignee": coordinator.email},
                {"title": "Termin vereinbaren", "due_date": dt.date(2025, 3, 5)},
            ],
        ),
    )
    assert interaction.occurred_at == moment
    assert interaction.staff == coordinator
    assert interaction.measure == measure
    assert interaction.lab == portfolio.handwerk  # from the measure
    follow_ups = list(interaction.follow_ups.order_by("id"))
    assert [(f.title, f.due_date, f.assignee) for f in follow_ups] == [
        ("Angebot schicken", dt.date(2025, 3, 10), coordinator),
        ("Termin vereinbaren", dt.date(2025, 3, 5), admin),
    ]
    assert len({f.uuid for f in follow_ups}) == 2


def test_events_record_attendance_with_participants_only(portfolio: Portfolio, crm: Crm) -> None:
    interaction = services.record_interaction(
        user=None,
        data={
            "kind": "event",
            "occurred_at": timezone.now() - dt.timedelta(hours=2),
            "subject": "Handwerksfrühstück",
            "participants": [crm.clara],
            "lab": portfolio.handwerk.slug,
        },
    )
    assert interaction.staff is None
    assert interaction.lab == portfolio.handwerk
    crm.clara.refresh_from_db()
    assert crm.clara.last_contact_at == interaction.occurred_at


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": "fax"}, "kind", "Unknown kind “fax”"),
        ({"occurred_at": "morgen früh"}, "occurred_at", "is not a date and time"),
        ({"occurred_at": "1850-01-01T10:00"}, "occurred_at", "must not be before 1900"),
        ({"subject": "  "}, "subject", "Give the subject."),
        ({"subject": "x" * 201}, "subject", "at most 200"),
        ({"notes": "a\x00b"}, "notes", "cannot be stored"),
        ({"organisation": "gibt-es-nicht"}, "organisation", "There is no organisation “gibt-es-nicht”."),
        ({"participants": ["keine-uuid"]}, "participants[0]", "is not a person's ID"),
        (
            {"participants": ["00000000-0000-0000-0000-000000000000"]},
            "participants[0]",
            "There is no person with the ID",
        ),
        ({"organisation": None, "participants": []}, "participants", "Name the organisation or at least one"),
        ({"lab": "kein-labor"}, "lab", "There is no lab “kein-labor”."),
        ({"measure": "irgendwas"}, "measure", "Name the lab of the measure"),
        ({"staff": "niemand@example.org"}, "staff", "There is no user with the e-mail address"),
        ({"staff": "reader@example.org"}, "staff", "is not one of the office's staff"),
        ({"colour": "blau"}, "colour", "Unknown field."),
        (
            {"follow_ups": [{"title": "Zu früh", "due_date": "2025-02-01"}]},
            "follow_ups[0].due_date",
            "must not be before the interaction (02/18/2025)",
        ),
        ({"follow_ups": [{"title": "", "due_date": "2025-03-01"}]}, "follow_ups[0].title", "Give the task."),
        (
            {"follow_ups": [{"title": "X", "due_date": "2025-03-01", "assignee": "partner@example.org"}]},
            "follow_ups[0].assignee",
            "is not one of the office's staff",
        ),
        ({"follow_ups": [{"title": "X", "due_date": "bald"}]}, "follow_ups[0].due_date", "is not a date"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    portfolio: Portfolio, crm: Crm, overrides: dict[str, Any], field: str, message: str
) -> None:
    before = (Interaction.objects.count(), FollowUp.objects.count())
    with pytest.raises(ValidationError) as error:
        services.record_interaction(user=user_of(portfolio, "coordinator"), data=base_data(crm, **overrides))
    assert any(message in text for text in messages_of(error)[field]), messages_of(error)
    assert (Interaction.objects.count(), FollowUp.objects.count()) == before


def test_future_interactions_and_measures_of_other_labs_are_refused(portfolio: Portfolio, crm: Crm) -> None:
    coordinator = user_of(portfolio, "coordinator")
    with pytest.raises(ValidationError) as error:
        services.record_interaction(
            user=coordinator, data=base_data(crm, occurred_at=timezone.now() + dt.timedelta(days=1))
        )
    assert "once it has happened" in messages_of(error)["occurred_at"][0]
    other = portfolio.handel.measures.first()
    assert other is not None
    with pytest.raises(ValidationError) as error:
        services.record_interaction(
            user=coordinator, data=base_data(crm, lab=portfolio.handwerk.slug, measure=other)
        )
    assert messages_of(error)["measure"] == [
        f"“{other.title}” is not a measure of the lab “{portfolio.handwerk.name}”."
    ]


def test_anonymised_people_take_part_in_no_new_interaction(portfolio: Portfolio, crm: Crm) -> None:
    Person.objects.filter(pk=crm.clara.pk).update(anonymised_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        services.record_interaction(
            user=user_of(portfolio, "coordinator"), data=base_data(crm, participants=[str(crm.clara.uuid)])
        )
    assert "anonymised" in messages_of(error)["participants[0]"][0]


@pytest.mark.parametrize("role", ["anonymous", "reader", "partner", "outsider"])
def test_only_the_office_records_interactions(portfolio: Portfolio, crm: Crm, role: str) -> None:
    user = portfolio.users[role] or AnonymousUser()
    before = Interaction.objects.count()
    with pytest.raises(PermissionDenied):
        services.record_interaction(user=user, data=base_data(crm))
    with pytest.raises(PermissionDenied):
        services.update_interaction(user=user, interaction=crm.interaction, data={"subject": "Neu"})
    with pytest.raises(PermissionDenied):
        services.delete_interaction(user=user, interaction=crm.interaction)
    with pytest.raises(PermissionDenied):
        services.add_follow_up(
            user=user, interaction=crm.interaction, title="X", due_date=timezone.localdate(), assignee=None
        )
    with pytest.raises(PermissionDenied):
        services.complete_follow_up(user=user, follow_up=crm.follow_up)
    assert Interaction.objects.count() == before
    crm.interaction.refresh_from_db()
    crm.follow_up.refresh_from_db()
    assert crm.interaction.subject == "Besuch in der Werkstatt"
    assert crm.follow_up.done_at is None
    assert FollowUp.objects.count() == 1


# Last contact ------------------------------------------------------------------------------------------


def _last(obj: Organisation | Person) -> dt.datetime | None:
    obj.refresh_from_db()
    return obj.last_contact_at


def test_last_contact_is_the_latest_interaction_through_record_update_and_delete(
    portfolio: Portfolio, crm: Crm
) -> None:
    coordinator = user_of(portfolio, "coordinator")
    visit = crm.interaction.occurred_at  # three days ago, with the Tischlerei and Anna
    assert _last(crm.tischlerei) == visit
    older = services.record_interaction(
        user=coordinator,
        data=base_data(crm, occurred_at=visit - dt.timedelta(days=10), participants=[str(crm.anna.uuid)]),
    )
    assert _last(crm.tischlerei) == visit  # an older interaction does not move it back
    assert _last(crm.anna) == visit
    assert _last(crm.bernd) is None
    newer_moment = timezone.now() - dt.timedelta(hours=1)
    newer = services.record_interaction(
        user=coordinator, data=base_data(crm, occurred_at=newer_moment, participants=[str(crm.bernd.uuid)])
    )
    assert _last(crm.tischlerei) == newer_moment
    assert _last(crm.bernd) == newer_moment

    # Moving the newer interaction to another organisation and person: both sides are recomputed.
    other = Organisation.objects.create(name="Bäckerei Korn", slug="baeckerei-korn", kind="company")
    services.update_interaction(
        user=coordinator,
        interaction=newer,
        data={"organisation": other.slug, "participants": [str(crm.clara.uuid)]},
    )
    assert _last(crm.tischlerei) == visit
    assert _last(other) == newer_moment
    assert _last(crm.bernd) is None
    assert _last(crm.clara) == newer_moment

    # An earlier date for the old visit: the older interaction is the latest again for Anna.
    services.update_interaction(
        user=coordinator, interaction=crm.interaction, data={"occurred_at": visit - dt.timedelta(days=20)}
    )
    assert _last(crm.anna) == older.occurred_at
    assert _last(crm.tischlerei) == older.occurred_at

    services.delete_interaction(user=coordinator, interaction=older)
    assert _last(crm.anna) == visit - dt.timedelta(days=20)
    services.delete_interaction(user=coordinator, interaction=crm.interaction)
    assert _last(crm.anna) is None
    assert _last(crm.tischlerei) is None
    assert FollowUp.objects.count() == 0  # the visit's follow-up went with it


def test_update_checks_like_record_and_refuses_follow_ups(portfolio: Portfolio, crm: Crm) -> None:
    coordinator = user_of(portfolio, "coordinator")
    with pytest.raises(ValidationError) as error:
        services.update_interaction(
            user=coordinator, interaction=crm.interaction, data={"organisation": None, "participants": []}
        )
    assert "participants" in messages_of(error)
    with pytest.raises(ValidationError) as error:
        services.update_interaction(
            user=coordinator, interaction=crm.interaction, data={"follow_ups": [{"title": "X"}]}
        )
    assert messages_of(error)["follow_ups"] == ["Add follow-ups one by one to a recorded interaction."]
    measure = portfolio.handwerk.measures.first()
    services.update_interaction(user=coordinator, interaction=crm.interaction, data={"measure": measure})
    with pytest.raises(ValidationError) as error:
        services.update_interaction(
            user=coordinator, interaction=crm.interaction, data={"lab": portfolio.handel.slug}
        )
    assert "belongs to another lab" in messages_of(error)["lab"][0]
    crm.interaction.refresh_from_db()
    assert crm.interaction.organisation == crm.tischlerei
    assert crm.interaction.lab == portfolio.handwerk


# Follow-ups ------------------------------------------------------------------------------------------------


def test_follow_up_flow(portfolio: Portfolio, crm: Crm) -> None:
    coordinator = user_of(portfolio, "coordinator")
    admin = user_of(portfolio, "administrator")
    added = services.add_follow_up(
        user=admin,
        interaction=crm.interaction,
        title="Förderprogramm prüfen",
        due_date="2999-01-31",
        assignee=coordinator.email,
    )
    assert added.uuid is not None and added.uuid != crm.follow_up.uuid
    found = services.get_follow_up(admin, added.uuid)
    assert found is not None and found.pk == added.pk and found.assignee == coordinator
    assert services.get_follow_up(None, str(added.uuid)) == found  # the system sees everything
    assert services.get_follow_up(admin, uuid.uuid4()) is None
    assert services.get_follow_up(admin, "x") is None
    assert services.get_follow_up(admin, None) is None
    for role in ("reader", "partner", "outsider"):
        assert services.get_follow_up(user_of(portfolio, role), added.uuid) is None

    done = services.complete_follow_up(user=admin, follow_up=found)
    done.refresh_from_db()
    assert done.done_at is not None and done.done_by == admin
    with pytest.raises(ValidationError) as error:
        services.complete_follow_up(user=admin, follow_up=found)
    assert error.value.code == "conflict"
    assert error.value.messages == ["“Förderprogramm prüfen” is already done."]

    reopened = services.reopen_follow_up(user=coordinator, follow_up=found)
    reopened.refresh_from_db()
    assert reopened.done_at is None and reopened.done_by is None
    with pytest.raises(ValidationError) as error:
        services.reopen_follow_up(user=coordinator, follow_up=found)
    assert error.value.messages == ["“Förderprogramm prüfen” is still open."]


@pytest.mark.parametrize(
    ("title", "due_date", "assignee", "field", "message"),
    [
        ("", "2999-01-01", None, "title", "Give the task."),
        ("X", "", None, "due_date", "Give the due date."),
        ("X", "31.02.2999", None, "due_date", "is not a date"),
        ("X", "2000-01-01", None, "due_date", "must not be before the interaction"),
        ("X", "2999-01-01", "outsider@example.org", "assignee", "is not one of the office's staff"),
    ],
)
def test_add_follow_up_names_the_bad_field(
    portfolio: Portfolio, crm: Crm, title: str, due_date: str, assignee: str | None, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.add_follow_up(
            user=user_of(portfolio, "coordinator"),
            interaction=crm.interaction,
            title=title,
            due_date=due_date,
            assignee=assignee,
        )
    assert message in messages_of(error)[field][0]
    assert FollowUp.objects.count() == 1


def test_office_staff_are_administrators_and_coordinators(portfolio: Portfolio, crm: Crm) -> None:
    emails = set(services.office_staff().values_list("email", flat=True))
    assert {"coordinator@example.org", "admin@example.org"} <= emails
    assert not emails & {"reader@example.org", "partner@example.org", "outsider@example.org"}


def test_interactions_of_a_person_and_an_organisation(portfolio: Portfolio, crm: Crm) -> None:
    person = make_person(first_name="Dora", last_name="Dübel")
    affiliate(person, crm.tischlerei)
    assert list(services.interactions_of(crm.tischlerei)) == [crm.interaction]
    assert list(services.interactions_of(crm.anna)) == [crm.interaction]
    assert list(services.interactions_of(person)) == []


def test_anonymised_participants_and_former_staff_stay_when_an_interaction_is_edited(
    portfolio: Portfolio, crm: Crm
) -> None:
    """Editing an old interaction must not fail on what was right when it was recorded."""
    from reallabor.labs.models import LabMembership

    coordinator = user_of(portfolio, "coordinator")
    Person.objects.filter(pk=crm.anna.pk).update(anonymised_at=timezone.now())
    LabMembership.objects.filter(user=coordinator).delete()  # the coordinator left the office
    coordinator.__dict__.pop("_lab_roles", None)
    admin = user_of(portfolio, "administrator")
    services.update_interaction(
        user=admin,
        interaction=crm.interaction,
        data={
            "subject": "Besuch (nachgetragen)",
            "staff": coordinator.email,
            "participants": [str(crm.anna.uuid)],
        },
    )
    crm.interaction.refresh_from_db()
    assert crm.interaction.subject == "Besuch (nachgetragen)"
    assert crm.interaction.staff == coordinator
    assert list(crm.interaction.participants.all()) == [crm.anna]
    with pytest.raises(ValidationError) as error:
        services.update_interaction(
            user=admin, interaction=crm.interaction, data={"staff": "reader@example.org"}
        )
    assert "is not one of the office's staff" in messages_of(error)["staff"][0]
