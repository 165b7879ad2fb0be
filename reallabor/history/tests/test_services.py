"""The change history: a Version for every change of organisations, labs and measures, and restore."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from reallabor.accounts.models import User
from reallabor.core.testing.factories import UserFactory, add_member, make_lab
from reallabor.history.models import Version
from reallabor.history.services import latest_version, record_version, versions_of
from reallabor.labs import services as labs
from reallabor.labs.models import Lab, Measure
from reallabor.organisations import services as organisations
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.services import create_term, create_vocabulary_version, current_vocabulary

pytestmark = pytest.mark.django_db


def new_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)  # type: ignore[assignment]
    return user


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def admin() -> User:
    return new_user(role=User.Role.ADMINISTRATOR, email="amt@example.org")


def only_version(obj: Any) -> Version:
    return versions_of(obj).get()


def assert_recent(version: Version) -> None:
    assert timezone.now() - timedelta(minutes=1) < version.created_at <= timezone.now()


# Organisations ----------------------------------------------------------------------------------


def test_organisation_create_update_delete_are_recorded(admin: User) -> None:
    organisation = organisations.create_organisation(
        user=admin, data={"name": "Handwerkskammer Münster", "kind": "multiplier"}
    )
    created = only_version(organisation)
    assert (created.action, created.user, created.revision, created.object_repr) == (
        "created",
        admin,
        1,
        "Handwerkskammer Münster",
    )
    assert_recent(created)
    assert created.data == organisations.organisation_state(organisation)
    assert {c["field"]: c["new"] for c in created.changes}["name"] == "Handwerkskammer Münster"

    editor = new_user(role=User.Role.ADMINISTRATOR)
    organisations.update_organisation(
        user=editor,
        organisation=organisation,
        data={"city": "Münster", "website": "https://www.hwk-muenster.de/"},
    )
    changed = versions_of(organisation).first()
    assert changed is not None
    assert (changed.action, changed.user, changed.revision) == ("changed", editor, 2)
    assert changed.changes == [
        {"field": "city", "old": "", "new": "Münster"},
        {"field": "website", "old": "", "new": "https://www.hwk-muenster.de/"},
    ]
    pk = organisation.pk
    organisations.delete_organisation(user=admin, organisation=organisation)
    deleted = Version.objects.filter(object_id=pk, content_type__model="organisation").first()
    assert deleted is not None
    assert (deleted.action, deleted.user, deleted.changes) == ("deleted", admin, [])
    assert deleted.data["city"] == "Münster"
    assert [v.action for v in Version.objects.filter(object_id=pk, content_type__model="organisation")] == [
        "deleted",
        "changed",
        "created",
    ]


def test_an_organisation_update_that_changes_nothing_records_nothing(admin: User) -> None:
    organisation = organisations.create_organisation(user=admin, data={"name": "IHK", "kind": "multiplier"})
    organisations.update_organisation(user=admin, organisation=organisation, data={"name": "IHK", "city": ""})
    assert versions_of(organisation).count() == 1
    assert Organisation.objects.get(pk=organisation.pk).revision == 1


# Labs -------------------------------------------------------------------------------------------


def test_lab_create_update_delete_are_recorded(admin: User) -> None:
    lab = labs.create_lab(user=admin, data={"name": "Fachkräftesicherung"})
    labs.update_lab(user=admin, lab=lab, data={"phase": "ended", "summary": "Abgeschlossen"})
    labs.update_lab(user=admin, lab=lab, data={"phase": "ended"})  # nothing changes
    versions = list(versions_of(lab))
    assert [(v.action, v.revision, v.user) for v in versions] == [
        ("changed", 2, admin),
        ("created", 1, admin),
    ]
    assert versions[0].changes == [
        {"field": "summary", "old": "", "new": "Abgeschlossen"},
        {"field": "phase", "old": "co_design", "new": "ended"},
    ]
    pk = lab.pk
    labs.delete_lab(user=admin, lab=lab)
    assert Version.objects.filter(object_id=pk, content_type__model="lab").first().action == "deleted"  # type: ignore[union-attr]


# Measures ---------------------------------------------------------------------------------------


@pytest.fixture
def lab() -> Lab:
    vocabulary = current_vocabulary("target-groups")
    create_term(user=None, vocabulary=vocabulary, data={"code": "handel", "name": "Einzelhandel"})
    megatrends = current_vocabulary("megatrends")
    create_term(user=None, vocabulary=megatrends, data={"code": "digitalisierung", "name": "Digitalisierung"})
    return make_lab(name="Hybride Formen des Handels")


@pytest.fixture
def partner(lab: Lab) -> User:
    user = new_user(email="partnerin@example.org")
    add_member(lab, user, "partner")
    return user


FIRST = {
    "title": "HalloBot",
    "summary": "Erste Fassung",
    "activities": [{"title": "WLAN in der Innenstadt"}, {"title": "Veranstaltungsreihe"}],
    "financing": [{"source": "WiFi4EU", "amount": "15000"}],
    "actors": [{"group_name": "Innenstadtbetriebe"}],
    "target_groups": [{"term": "target-groups:handel", "added_value": "Sichtbarkeit"}],
    "results": [{"text": "Sechs Hotspots"}],
    "tags": [{"term": "megatrends:digitalisierung", "note": "durch Corona"}, {"term": "sdg:9", "share": 40}],
}
SECOND = {
    "summary": "Zweite Fassung",
    "activities": [{"title": "Nur noch die Plattform"}],
    "financing": [],
    "target_groups": [],
    "results": [{"text": "hallo-bot.de online"}],
    "tags": [{"term": "sdg:8.3", "priority": "secondary"}],
}


def test_measure_create_update_delete_are_recorded(lab: Lab, admin: User, partner: User) -> None:
    measure = labs.create_measure(user=admin, lab=lab, data=FIRST)
    created = only_version(measure)
    assert (created.action, created.user, created.revision) == ("created", admin, 1)
    assert created.data == labs.measure_state(measure)
    assert_recent(created)

    old_state = labs.measure_state(measure)
    labs.update_measure(user=partner, measure=measure, data=SECOND)
    measure = Measure.objects.get(pk=measure.pk)
    new_state = labs.measure_state(measure)
    changed = versions_of(measure).first()
    assert changed is not None
    assert (changed.action, changed.user, changed.revision, measure.revision) == ("changed", partner, 2, 2)
    assert changed.data == new_state
    assert [c["field"] for c in changed.changes] == [
        "summary",
        "activities",
        "financing",
        "target_groups",
        "results",
        "tags",
    ]
    for change in changed.changes:
        assert change["old"] == old_state[change["field"]]
        assert change["new"] == new_state[change["field"]]

    labs.delete_measure(user=admin, measure=measure)
    deleted = Version.objects.filter(content_type__model="measure").first()
    assert deleted is not None
    assert (deleted.action, deleted.user, deleted.data) == ("deleted", admin, new_state)


def test_a_measure_update_that_changes_nothing_records_nothing(lab: Lab) -> None:
    measure = labs.create_measure(user=None, lab=lab, data=FIRST)
    labs.update_measure(user=None, measure=measure, data=labs.measure_state(measure))
    labs.update_measure(user=None, measure=measure, data=FIRST)
    assert versions_of(measure).count() == 1
    assert Measure.objects.get(pk=measure.pk).revision == 1


def test_the_system_is_recorded_without_a_user(lab: Lab) -> None:
    measure = labs.create_measure(user=None, lab=lab, data={"title": "Vom System"})
    assert only_version(measure).user is None


# Restore ----------------------------------------------------------------------------------------


@pytest.fixture
def edited(lab: Lab, admin: User, partner: User) -> Measure:
    measure = labs.create_measure(user=admin, lab=lab, data={**FIRST, "is_published": True})
    labs.update_measure(user=partner, measure=measure, data=SECOND)
    return Measure.objects.get(pk=measure.pk)


def test_restore_brings_back_the_earlier_state_with_profile_rows_and_tags(
    edited: Measure, partner: User
) -> None:
    first, second = versions_of(edited).order_by("revision")
    later_state = labs.measure_state(edited)
    labs.restore_measure(user=partner, measure=edited, version=first)
    measure = Measure.objects.get(pk=edited.pk)
    assert labs.measure_state(measure) == first.data
    assert [a.title for a in measure.activities.all()] == ["WLAN in der Innenstadt", "Veranstaltungsreihe"]
    assert [t.display for t in measure.tags.all()] == [
        "MT »Digitalisierung« (durch Corona)",
        "SDG 9 »Industry, innovation and infrastructure«",
    ]
    assert measure.revision == 3

    restored = versions_of(measure).first()
    assert restored is not None
    assert (restored.action, restored.user, restored.revision) == ("restored", partner, 3)
    assert restored.comment == "restored revision 1"
    assert restored.data == first.data
    assert {c["field"] for c in restored.changes} == {
        "summary",
        "activities",
        "financing",
        "target_groups",
        "results",
        "tags",
    }
    # No data is lost: the state that was replaced is still in the history and can come back.
    second.refresh_from_db()
    assert second.data == later_state
    labs.restore_measure(user=partner, measure=measure, version=second)
    assert labs.measure_state(Measure.objects.get(pk=edited.pk)) == later_state
    assert [v.action for v in versions_of(edited)] == ["restored", "restored", "changed", "created"]


def test_restoring_the_current_state_records_nothing(edited: Measure, partner: User) -> None:
    current = versions_of(edited).first()
    assert current is not None
    labs.restore_measure(user=partner, measure=edited, version=current)
    assert versions_of(edited).count() == 2


def test_a_partner_restore_leaves_the_publication_alone(edited: Measure, admin: User, partner: User) -> None:
    labs.set_measure_published(user=admin, measure=edited, published=False)
    first = versions_of(edited).get(revision=1)
    assert first.data["is_published"] is True
    labs.restore_measure(user=partner, measure=edited, version=first)
    measure = Measure.objects.get(pk=edited.pk)
    assert measure.is_published is False
    assert measure.summary == "Erste Fassung"
    labs.restore_measure(user=admin, measure=measure, version=first)
    assert Measure.objects.get(pk=edited.pk).is_published is True


def test_restoring_a_version_of_another_object_is_refused(edited: Measure, lab: Lab, admin: User) -> None:
    other = labs.create_measure(user=admin, lab=lab, data={"title": "Andere Maßnahme"})
    foreign = only_version(other)
    lab_version = versions_of(lab).first()
    assert lab_version is not None
    before = (labs.measure_state(edited), versions_of(edited).count())
    with pytest.raises(ValidationError) as caught:
        labs.restore_measure(user=admin, measure=edited, version=foreign)
    assert caught.value.messages == ["This version does not belong to this measure."]
    # A lab version that happens to carry the measure's id is refused as well.
    lab_version.object_id = edited.pk
    with pytest.raises(ValidationError):
        labs.restore_measure(user=admin, measure=edited, version=lab_version)
    assert (labs.measure_state(Measure.objects.get(pk=edited.pk)), versions_of(edited).count()) == before


@pytest.mark.parametrize("role", ["reader", "outsider", "foreign partner"])
def test_only_who_may_edit_may_restore(edited: Measure, role: str) -> None:
    user = new_user(role=User.Role.READER if role == "reader" else User.Role.MEMBER)
    if role == "foreign partner":
        add_member(make_lab(), user, "partner")
    first = versions_of(edited).get(revision=1)
    with pytest.raises(PermissionDenied):
        labs.restore_measure(user=user, measure=edited, version=first)
    assert versions_of(edited).count() == 2
    assert Measure.objects.get(pk=edited.pk).summary == "Zweite Fassung"


def test_restore_keeps_a_tag_of_a_retired_vocabulary_version(lab: Lab) -> None:
    measure = labs.create_measure(
        user=None, lab=lab, data={"title": "Alt", "tags": [{"term": "megatrends:digitalisierung"}]}
    )
    create_vocabulary_version(user=None, vocabulary=current_vocabulary("megatrends"))
    labs.update_measure(user=None, measure=measure, data={"title": "Neu"})
    labs.restore_measure(user=None, measure=measure, version=versions_of(measure).get(revision=1))
    tag = Measure.objects.get(pk=measure.pk).tags.get()
    assert (tag.term.code, tag.term.vocabulary.version) == ("digitalisierung", 1)
    assert Measure.objects.get(pk=measure.pk).title == "Alt"


def test_a_restore_that_no_longer_validates_changes_nothing(edited: Measure, lab: Lab) -> None:
    """Another measure took the old slug in between: the restore explains itself and writes nothing."""
    labs.update_measure(user=None, measure=edited, data={"slug": "neuer-name"})
    labs.create_measure(user=None, lab=lab, data={"title": "Jetzt mit dem alten Namen", "slug": "hallobot"})
    before = (labs.measure_state(Measure.objects.get(pk=edited.pk)), Version.objects.count())
    with pytest.raises(ValidationError) as caught:
        labs.restore_measure(user=None, measure=edited, version=versions_of(edited).get(revision=1))
    assert list(caught.value.message_dict) == ["slug"]
    assert (labs.measure_state(Measure.objects.get(pk=edited.pk)), Version.objects.count()) == before


# record_version -------------------------------------------------------------------------------


def test_record_version_diffs_against_the_latest_version(lab: Lab) -> None:
    assert latest_version(lab) is not None
    state = labs.lab_state(lab)
    assert record_version(obj=lab, user=None, action="changed", data=state, revision=2) is None
    assert record_version(obj=lab, user=None, action="restored", data=state, revision=2) is None
    version = record_version(obj=lab, user=None, action="changed", data={**state, "name": "Neu"}, revision=2)
    assert version is not None
    assert version.changes == [{"field": "name", "old": "Hybride Formen des Handels", "new": "Neu"}]
    assert latest_version(lab) == version
    # Creation and deletion are recorded even without differences.
    assert record_version(obj=lab, user=None, action="deleted", data={**state, "name": "Neu"}, revision=2)


def test_restore_brings_back_an_evidence_file(lab: Lab, settings: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    measure = labs.create_measure(user=None, lab=lab, data={"title": "Mit Beleg"})
    upload = SimpleUploadedFile("urkunde.pdf", b"%PDF Urkunde")
    labs.update_measure(
        user=None, measure=measure, data={"results": [{"text": "Urkunde", "evidence_file": upload}]}
    )
    with_file = versions_of(measure).first()
    assert with_file is not None
    labs.update_measure(user=None, measure=measure, data={"results": []})
    labs.restore_measure(user=None, measure=measure, version=with_file)
    result = Measure.objects.get(pk=measure.pk).results.get()
    assert result.evidence_file.name == with_file.data["results"][0]["evidence_file"]
    with result.evidence_file.open("rb") as handle:
        assert handle.read() == b"%PDF Urkunde"
