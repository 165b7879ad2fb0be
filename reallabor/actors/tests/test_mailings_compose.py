"""Composing mailings: the Mehrwert rule, the salutation, and the services that write drafts."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import ROLES, Portfolio
from reallabor.actors.mail import Recipient, render_mail, salutation_line
from reallabor.actors.models import Mailing, MailingRecipient, Purpose
from reallabor.actors.services import mailings as services
from reallabor.actors.services.mailings import AddedValueBlock, added_value_blocks
from reallabor.actors.tests.test_api_role_matrix import actors_digest
from reallabor.actors.tests.test_mailings_send import World, make_world
from reallabor.core.testing.actors import Crm

HW = AddedValueBlock(group="handwerksbetriebe", group_label="Handwerksbetriebe", measure="M1", text="A")
EH = AddedValueBlock(group="einzelhandel", group_label="Einzelhandel", measure="M1", text="B")
HW2 = AddedValueBlock(group="handwerksbetriebe", group_label="Handwerksbetriebe", measure="M2", text="C")


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


# --- pure ----------------------------------------------------------------------------------------


def test_added_value_blocks_of_a_recipient_without_groups_are_all() -> None:
    assert added_value_blocks([HW, EH, HW2], frozenset()) == [HW, EH, HW2]
    assert added_value_blocks([], set()) == []


def test_added_value_blocks_of_a_tagged_recipient_are_only_their_groups() -> None:
    assert added_value_blocks([HW, EH, HW2], {"handwerksbetriebe"}) == [HW, HW2]
    assert added_value_blocks([HW, EH, HW2], {"einzelhandel", "gastronomie"}) == [EH]
    # Tagged with groups the measures do not name: none of the blocks concern them.
    assert added_value_blocks([HW, EH], {"gastronomie"}) == []


@pytest.mark.parametrize(
    ("salutation", "first", "last", "expected"),
    [
        ("Frau", "Anna", "Schreiner", "Dear Ms Schreiner,"),
        ("Frau Dr.", "Anna", "Schreiner", "Dear Ms Dr. Schreiner,"),
        ("Herr", "Bernd", "Hobel", "Dear Mr Hobel,"),
        ("herr prof.", "Bernd", "Hobel", "Dear Mr prof. Hobel,"),
        ("", "Clara", "Einzeln", "Hello Clara Einzeln,"),
        ("Dr.", "Clara", "Einzeln", "Hello Dr. Clara Einzeln,"),
        ("Frau", "", "", "Hello,"),
        ("", "", "", "Hello,"),
    ],
)
def test_salutation_line(salutation: str, first: str, last: str, expected: str) -> None:
    assert salutation_line(salutation, first, last) == expected


# --- the world's blocks and groups ----------------------------------------------------------------


@pytest.fixture
def world(portfolio: Portfolio, crm: Crm) -> World:
    return make_world(portfolio, crm)


@pytest.mark.django_db
def test_mailing_blocks_and_recipient_groups(world: World) -> None:
    blocks = services.mailing_blocks(world.mailing)
    # The gastronomy row has no added value: no block.
    assert [(block.group, block.measure, block.text) for block in blocks] == [
        ("handwerksbetriebe", "Digitale Auftragsplanung", "Weniger **Papierkram** im Betrieb."),
        ("einzelhandel", "Digitale Auftragsplanung", "Schneller an Ersatzteile kommen."),
    ]
    groups = services.recipient_groups([world.anna.pk, world.bernd.pk, world.dora.pk, world.crm.clara.pk])
    assert groups == {
        world.anna.pk: frozenset({"handwerksbetriebe"}),
        world.bernd.pk: frozenset({"handwerksbetriebe"}),
    }


@pytest.mark.django_db
def test_audience_counts_the_segment_and_the_reachable(world: World) -> None:
    audience = services.audience(world.mailing)
    assert (audience.in_segment, audience.reachable) == (7, 2)
    assert services.sample_recipient(world.mailing) == world.dora
    world.mailing.purpose = Purpose.PHOTOS
    assert services.audience(world.mailing).reachable == 1  # hanna


@pytest.mark.django_db
def test_render_mail_for_a_tagged_and_an_untagged_recipient(world: World) -> None:
    blocks = services.mailing_blocks(world.mailing)
    anna = render_mail(
        world.mailing, blocks, Recipient.of(world.anna, groups=frozenset({"handwerksbetriebe"}))
    )
    assert "For Craft businesses (Digitale Auftragsplanung):" in anna.text
    assert "Retail" not in anna.text
    dora = render_mail(world.mailing, blocks, Recipient.of(world.dora))
    assert "For Craft businesses" in dora.text and "For Retail" in dora.text
    # A preview's link is a test link: it would change nothing.
    preview = render_mail(world.mailing, blocks, Recipient.of(world.dora), preview=True)
    token = preview.unsubscribe_url.rstrip("/").rsplit("/", 1)[1]
    found = services.read_unsubscribe_token(token)
    assert found is not None and found.person_uuid is None
    real = services.read_unsubscribe_token(dora.unsubscribe_url.rstrip("/").rsplit("/", 1)[1])
    assert (
        real is not None and real.person_uuid == world.dora.uuid and real.mailing_uuid == world.mailing.uuid
    )


# --- create, update, delete -----------------------------------------------------------------------


VALID = {"subject": "Handwerksfrühstück", "body": "Kommen Sie *vorbei*."}


@pytest.mark.django_db
def test_create_mailing_with_defaults(portfolio: Portfolio, crm: Crm) -> None:
    mailing = services.create_mailing(
        user=portfolio.users["coordinator"],
        data={
            **VALID,
            "segment": str(crm.segment.uuid),
            "measures": ["digitale-koproduktion-im-handwerk/" + _slug(portfolio)],
        },
    )
    assert mailing.status == Mailing.Status.DRAFT
    assert mailing.purpose == Purpose.NEWSLETTER
    assert mailing.segment == crm.segment
    assert mailing.created_by == portfolio.users["coordinator"]
    assert [m.slug for m in mailing.measures.all()] == [_slug(portfolio)]


def _slug(portfolio: Portfolio) -> str:
    return str(portfolio.handwerk.measures.order_by("position", "id").values_list("slug", flat=True)[0])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"subject": "", "body": "x"}, "subject", "Give the mailing a subject."),
        ({"subject": "a\nb", "body": "x"}, "subject", "The subject must be a single line."),
        ({"subject": "x" * 201, "body": "x"}, "subject", "at most 200 characters"),
        ({"subject": "x", "body": "  "}, "body", "Write the message."),
        ({"subject": "x", "body": "a\x00b"}, "body", "NUL"),
        ({**VALID, "purpose": "spam"}, "purpose", "Unknown purpose “spam”"),
        ({**VALID, "segment": "not-a-uuid"}, "segment", "is not a segment id"),
        ({**VALID, "segment": "7d7c2b9e-0000-4000-8000-000000000000"}, "segment", "There is no segment"),
        ({**VALID, "measures": ["nowhere"]}, "measures", "write “lab/measure”"),
        (
            {**VALID, "measures": ["digitale-koproduktion-im-handwerk/gibt-es-nicht"]},
            "measures",
            "Unknown measure(s)",
        ),
        ({**VALID, "measures": "digitale-koproduktion-im-handwerk/x"}, "measures", "as a list"),
        ({**VALID, "colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(
    portfolio: Portfolio, crm: Crm, data: dict[str, Any], field: str, message: str
) -> None:
    before = Mailing.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.create_mailing(user=portfolio.users["coordinator"], data=data)
    assert field in caught.value.message_dict
    assert message in " ".join(caught.value.message_dict[field])
    assert Mailing.objects.count() == before


@pytest.mark.django_db
def test_a_measure_the_user_cannot_see_is_unknown(portfolio: Portfolio, crm: Crm) -> None:
    from reallabor.core.testing.factories import make_lab, make_measure

    hidden_lab = make_lab(name="Verborgen", slug="verborgen", is_published=False)
    make_measure(hidden_lab, title="Geheim", slug="geheim", is_published=False)
    with pytest.raises(ValidationError) as caught:
        services.create_mailing(
            user=portfolio.users["coordinator"], data={**VALID, "measures": ["verborgen/geheim"]}
        )
    assert "Unknown measure(s): verborgen/geheim." in caught.value.message_dict["measures"]
    mailing = services.create_mailing(
        user=portfolio.users["administrator"], data={**VALID, "measures": ["verborgen/geheim"]}
    )
    assert mailing.measures.count() == 1


@pytest.mark.django_db
def test_update_changes_only_the_given_fields_of_a_draft(portfolio: Portfolio, crm: Crm) -> None:
    mailing = services.update_mailing(
        user=portfolio.users["administrator"],
        mailing=crm.mailing,
        data={"subject": "Neuer Betreff", "segment": None},
    )
    mailing.refresh_from_db()
    assert (mailing.subject, mailing.body, mailing.segment) == ("Neuer Betreff", "Liebe Betriebe, …", None)


@pytest.mark.django_db
def test_a_sent_mailing_cannot_be_changed_or_deleted(portfolio: Portfolio, crm: Crm) -> None:
    Mailing.objects.filter(pk=crm.mailing.pk).update(status=Mailing.Status.SENT)
    MailingRecipient.objects.create(mailing=crm.mailing, person=crm.anna, email=crm.anna.email, status="sent")
    before = actors_digest()
    user = portfolio.users["administrator"]
    with pytest.raises(ValidationError, match="can no longer be changed") as caught:
        services.update_mailing(user=user, mailing=crm.mailing, data={"subject": "Anders"})
    assert caught.value.code == "conflict"
    with pytest.raises(ValidationError, match="stays as the record") as caught:
        services.delete_mailing(user=user, mailing=crm.mailing)
    assert caught.value.code == "conflict"
    assert actors_digest() == before


@pytest.mark.django_db
def test_delete_a_draft(portfolio: Portfolio, crm: Crm) -> None:
    services.delete_mailing(user=portfolio.users["coordinator"], mailing=crm.mailing)
    assert not Mailing.objects.filter(pk=crm.mailing.pk).exists()


# --- who may write --------------------------------------------------------------------------------

MAY_WRITE = {"coordinator", "administrator"}


def _user(portfolio: Portfolio, role: str) -> Any:
    return portfolio.users[role] or AnonymousUser()


def _writes(crm: Crm) -> dict[str, Any]:
    return {
        "create": lambda user: services.create_mailing(user=user, data=VALID),
        "update": lambda user: services.update_mailing(
            user=user, mailing=crm.mailing, data={"subject": "Neu"}
        ),
        "delete": lambda user: services.delete_mailing(user=user, mailing=crm.mailing),
        "send": lambda user: services.send_mailing(user=user, mailing=crm.mailing),
        "test": lambda user: services.send_test_mailing(user=user, mailing=crm.mailing, language="de"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", ["create", "update", "delete", "send", "test"])
def test_writes_by_role(
    portfolio: Portfolio, crm: Crm, role: str, write: str, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    before = actors_digest()
    action = _writes(crm)[write]
    if role not in MAY_WRITE:
        with pytest.raises(PermissionDenied), django_capture_on_commit_callbacks(execute=True) as callbacks:
            action(_user(portfolio, role))
        assert callbacks == []
        assert actors_digest() == before
        assert mail.outbox == []
    else:
        with django_capture_on_commit_callbacks(execute=True):
            action(_user(portfolio, role))
        if write == "test":
            assert len(mail.outbox) == 1 and mail.outbox[0].to == [portfolio.users[role].email]  # type: ignore[union-attr]
        else:
            assert actors_digest() != before
