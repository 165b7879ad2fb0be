"""Measures and their seven-row profiles through labs.services: validation, all-or-nothing, rights."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from reallabor.accounts.models import User
from reallabor.core.exceptions import EditConflict
from reallabor.core.testing.factories import (
    OrganisationFactory,
    UserFactory,
    add_member,
    make_lab,
    make_measure,
)
from reallabor.history.models import Version
from reallabor.labs import services
from reallabor.labs.models import Activity, Actor, Financing, Lab, Measure, Result, TargetGroup
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag
from reallabor.taxonomy.services import create_term, current_vocabulary

pytestmark = pytest.mark.django_db


def new_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)  # type: ignore[assignment]
    return user


def new_organisation(**fields: Any) -> Organisation:
    organisation: Organisation = OrganisationFactory(**fields)  # type: ignore[assignment]
    return organisation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def organisations() -> list[Organisation]:
    return [
        new_organisation(name="Wirtschaftsförderung", slug="wifoe"),
        new_organisation(name="Handwerkskammer Münster", slug="hwk"),
    ]


@pytest.fixture
def target_groups() -> None:
    vocabulary = current_vocabulary("target-groups")
    create_term(user=None, vocabulary=vocabulary, data={"code": "handwerk", "name": "Handwerksbetriebe"})
    create_term(user=None, vocabulary=vocabulary, data={"code": "gefluechtete", "name": "Geflüchtete"})


@pytest.fixture
def lab() -> Lab:
    return make_lab(name="Digitale Koproduktion im Handwerk")


def full_data() -> dict[str, Any]:
    return {
        "title": "Kooperation zur Erhöhung des Digitalisierungsstands",
        "summary": "Kurz gesagt",
        "status": "running",
        "start": "2021-01-01",
        "end": "2022-06-30",
        "is_published": True,
        "coordinators": ["hwk", "wifoe"],
        "activities": [
            {"title": "Auftaktreihe", "start": "2021-01-01", "end": "2021-12-31", "text": "*Start*"},
            {"title": "Handwerksfrühstück", "start": "2025-02-18", "end": None, "text": ""},
        ],
        "financing": [
            {
                "source_kind": "programme",
                "source": "Bottrop 2018+",
                "amount": None,
                "start": None,
                "end": None,
            },
            {
                "source_kind": "funder",
                "source": "WiFi4EU",
                "amount": "15000.00",
                "start": "2020-01-01",
                "end": None,
            },
        ],
        "actors": [
            {"organisation": "wifoe", "group_name": "", "role": "Koordination"},
            {"organisation": None, "group_name": "Einzelhändler", "role": ""},
        ],
        "target_groups": [
            {
                "term": {"family": "target-groups", "version": 1, "code": "handwerk"},
                "added_value": "Mehr Sichtbarkeit",
            }
        ],
        "results": [
            {
                "date": "2021-11-26",
                "text": "Auszeichnung",
                "evidence_url": "https://example.org/",
                "evidence_file": None,
            }
        ],
        "tags": [
            {"family": "sdg", "version": 1, "code": "8", "priority": "primary", "share": None, "note": ""},
        ],
    }


@pytest.fixture
def measure(lab: Lab, organisations: list[Organisation], target_groups: None) -> Measure:
    return services.create_measure(user=None, lab=lab, data=full_data())


def reload(measure: Measure) -> Measure:
    return Measure.objects.get(pk=measure.pk)


def snapshot(measure: Measure | None = None) -> tuple[Any, ...]:
    """Everything a measure service could write: states, revisions, rows, versions."""
    return (
        [(m.pk, m.revision, m.position, services.measure_state(m)) for m in Measure.objects.order_by("pk")],
        [Model.objects.count() for Model in (Activity, Financing, Actor, TargetGroup, Result, Tag)],
        list(Version.objects.order_by("pk").values_list("pk", flat=True)),
    )


# Create and update -----------------------------------------------------------------------------


def test_create_measure_stores_the_complete_profile(measure: Measure) -> None:
    expected = {**full_data(), "slug": "kooperation-zur-erhoehung-des-digitalisierungsstands"}
    assert services.measure_state(reload(measure)) == expected
    assert reload(measure).revision == 1
    version = Version.objects.get(content_type__model="measure")
    assert (version.action, version.revision, version.data) == ("created", 1, expected)


def test_measures_are_appended_to_their_lab_and_slugs_are_unique_per_lab(lab: Lab) -> None:
    first = make_measure(lab, title="Handwerksfrühstück")
    second = make_measure(lab, title="Handwerksfrühstück")
    elsewhere = make_measure(make_lab(), title="Handwerksfrühstück")
    assert [first.slug, second.slug, elsewhere.slug] == [
        "handwerksfruehstueck",
        "handwerksfruehstueck-2",
        "handwerksfruehstueck",
    ]
    assert second.position == first.position + 1
    assert list(lab.measures.all()) == [first, second]


def test_a_taken_measure_slug_is_refused_and_nothing_is_written(lab: Lab) -> None:
    make_measure(lab, title="Erste", slug="fruehstueck")
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.create_measure(user=None, lab=lab, data={"title": "Zweite", "slug": "fruehstueck"})
    assert caught.value.message_dict == {
        "slug": ["The short name “fruehstueck” is already used by another measure of this lab."]
    }
    assert snapshot() == before


def test_a_missing_title_is_reported_alone(lab: Lab) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_measure(user=None, lab=lab, data={"title": ""})
    assert list(caught.value.message_dict) == ["title"]
    assert not Measure.objects.exists()


@pytest.mark.parametrize("section", ["activities", "financing", "actors", "target_groups", "results"])
def test_each_profile_section_is_replaced_as_a_whole_and_the_others_stay(
    measure: Measure, section: str
) -> None:
    before = services.measure_state(reload(measure))
    replacement = {
        "activities": [{"title": "Nur noch das", "start": None, "end": None, "text": ""}],
        "financing": [
            {"source_kind": "funder", "source": "Stiftung", "amount": "1.50", "start": None, "end": None}
        ],
        "actors": [{"organisation": "hwk", "group_name": "", "role": "Beratung"}],
        "target_groups": [
            {
                "term": {"family": "target-groups", "version": 1, "code": "gefluechtete"},
                "added_value": "Arbeit",
            }
        ],
        "results": [{"date": None, "text": "Neu", "evidence_url": "", "evidence_file": None}],
    }[section]
    services.update_measure(user=None, measure=measure, data={section: replacement})
    after = services.measure_state(reload(measure))
    assert after[section] == replacement
    assert {k: v for k, v in after.items() if k != section} == {
        k: v for k, v in before.items() if k != section
    }
    version = Version.objects.filter(action="changed").get()
    assert version.changes == [{"field": section, "old": before[section], "new": replacement}]


def test_an_empty_list_empties_a_section(measure: Measure) -> None:
    services.update_measure(user=None, measure=measure, data={"activities": [], "results": None})
    state = services.measure_state(reload(measure))
    assert (state["activities"], state["results"]) == ([], [])
    assert len(state["financing"]) == 2


def test_rows_keep_the_given_order(measure: Measure) -> None:
    rows = [{"title": title, "start": None, "end": None, "text": ""} for title in ("C", "A", "B")]
    services.update_measure(user=None, measure=measure, data={"activities": rows})
    assert list(reload(measure).activities.values_list("title", flat=True)) == ["C", "A", "B"]


def test_coordinators_accept_instances_ids_and_slugs(
    measure: Measure, organisations: list[Organisation]
) -> None:
    wifoe, hwk = organisations
    services.update_measure(user=None, measure=measure, data={"coordinators": [hwk.pk]})
    assert services.measure_state(reload(measure))["coordinators"] == ["hwk"]
    services.update_measure(user=None, measure=measure, data={"coordinators": [wifoe, "hwk"]})
    assert services.measure_state(reload(measure))["coordinators"] == ["hwk", "wifoe"]


def test_an_amount_is_stored_as_a_decimal(measure: Measure) -> None:
    row = reload(measure).financing.get(source="WiFi4EU")
    assert str(row.amount) == "15000.00"


# Validation -------------------------------------------------------------------------------------


BAD_INPUT = [
    (
        {"financing": [{"source": "Bottrop 2018+"}, {"source": "Land", "amount": "-1"}]},
        {"financing[1].amount": ["The amount must not be negative."]},
    ),
    (
        {"financing": [{"source": "Land", "amount": "viel"}]},
        {"financing[0].amount": ["“viel” value must be a decimal number."]},
    ),
    (
        {"financing": [{"source": "Land", "start": "2022-01-01", "end": "2021-01-01"}]},
        {"financing[0].end": ["The end must not be before the start."]},
    ),
    (
        {"financing": [{"source": ""}]},
        {"financing[0].source": ["This field cannot be blank."]},
    ),
    (
        {"activities": [{"title": "Gut"}, {"title": "Schlecht", "start": "2021-03-01", "end": "2021-02-28"}]},
        {"activities[1].end": ["The end must not be before the start."]},
    ),
    (
        {"activities": [{"title": "Ohne Anfang", "end": "2021-02-28"}]},
        {"activities[0].start": ["Give a start date when there is an end date."]},
    ),
    (
        {"activities": [{"title": ""}]},
        {"activities[0].title": ["This field cannot be blank."]},
    ),
    (
        {"actors": [{"role": "Beratung"}]},
        {"actors[0]": ["Name an organisation or a group."]},
    ),
    (
        {"actors": [{"organisation": "wifoe", "group_name": "Einzelhändler"}]},
        {"actors[0]": ["Name either an organisation or a group, not both."]},
    ),
    (
        {"actors": [{"group_name": "Einzelhändler"}, {"organisation": "gibt-es-nicht"}]},
        {"actors[1].organisation": ["Unknown organisation “gibt-es-nicht”."]},
    ),
    (
        {"coordinators": ["wifoe", "gibt-es-nicht"]},
        {"coordinators[1]": ["Unknown organisation “gibt-es-nicht”."]},
    ),
    (
        {"target_groups": [{"term": "target-groups:kinder"}]},
        {"target_groups[0].term": ["Unknown term “target-groups:kinder”."]},
    ),
    (
        {"target_groups": [{"term": "sdg:8"}]},
        {
            "target_groups[0].term": [
                "“Decent work and economic growth” is not a term of the vocabulary “target-groups”."
            ]
        },
    ),
    (
        {"target_groups": [{"term": "target-groups:handwerk"}, {"term": "target-groups:handwerk"}]},
        {"target_groups[1].term": ["This target group is listed twice."]},
    ),
    (
        {"results": [{"text": "Ohne Beleg", "evidence_url": "kein link"}]},
        {"results[0].evidence_url": ["Enter a valid URL."]},
    ),
    (
        {"results": [{"text": ""}]},
        {"results[0].text": ["This field cannot be blank."]},
    ),
    (
        {"start": "2022-01-01", "end": "2021-01-01"},
        {"end": ["The end must not be before the start."]},
    ),
    (
        {"status": "vielleicht"},
        {"status": ["Value 'vielleicht' is not a valid choice."]},
    ),
    (
        {"slug": "Mit Leerzeichen"},
        {"slug": ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."]},
    ),
    (
        {"budget": 5},
        {"budget": ["Unknown field."]},
    ),
    (
        {"activities": "keine Liste"},
        {"activities": ["Expected a list."]},
    ),
]


@pytest.mark.parametrize(("data", "errors"), BAD_INPUT)
def test_bad_input_names_its_path_and_changes_nothing(
    measure: Measure, data: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.update_measure(user=None, measure=measure, data={"title": "Neuer Titel", **data})
    assert caught.value.message_dict == errors
    assert snapshot() == before


def test_errors_of_all_sections_are_reported_together(measure: Measure) -> None:
    with pytest.raises(ValidationError) as caught:
        services.update_measure(
            user=None,
            measure=measure,
            data={
                "title": "",
                "financing": [{"source": "X", "amount": "-5"}],
                "actors": [{}],
                "tags": [{"term": "sdg:99"}],
            },
        )
    assert sorted(caught.value.message_dict) == ["actors[0]", "financing[0].amount", "tags[0].term", "title"]


def test_one_bad_row_in_one_section_with_good_data_elsewhere_changes_nothing(measure: Measure) -> None:
    before = snapshot()
    revision = reload(measure).revision
    good_everywhere = {
        "title": "Ganz neu",
        "summary": "Neu",
        "status": "completed",
        "coordinators": ["hwk"],
        "activities": [{"title": "Neue Aktivität"}],
        "actors": [{"group_name": "Schulen"}],
        "target_groups": [{"term": "target-groups:gefluechtete"}],
        "results": [{"text": "Neues Ergebnis"}],
        "tags": [{"term": "sdg:10", "share": 50}],
    }
    with pytest.raises(ValidationError) as caught:
        services.update_measure(
            user=None,
            measure=measure,
            data={
                **good_everywhere,
                "financing": [{"source": "Gut"}, {"source": "Schlecht", "amount": -100}],
            },
        )
    assert list(caught.value.message_dict) == ["financing[1].amount"]
    assert snapshot() == before
    assert reload(measure).revision == revision
    services.update_measure(user=None, measure=measure, data={**good_everywhere, "financing": []})
    assert reload(measure).title == "Ganz neu"


def test_a_bad_row_on_create_writes_no_measure(lab: Lab, target_groups: None) -> None:
    before = snapshot()
    with pytest.raises(ValidationError):
        services.create_measure(
            user=None,
            lab=lab,
            data={
                "title": "Neu",
                "activities": [{"title": "Gut"}],
                "target_groups": [{"term": "target-groups:x"}],
            },
        )
    assert snapshot() == before


# Evidence files --------------------------------------------------------------------------------


def test_an_evidence_file_is_stored(measure: Measure) -> None:
    upload = SimpleUploadedFile("urkunde.pdf", b"%PDF-1.4 Urkunde", content_type="application/pdf")
    services.update_measure(
        user=None, measure=measure, data={"results": [{"text": "Auszeichnung", "evidence_file": upload}]}
    )
    result = reload(measure).results.get()
    assert (result.evidence_file.name or "").startswith(f"evidence/{measure.pk}/urkunde")
    with result.evidence_file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 Urkunde"
    # Saving the state again keeps the stored file.
    state = services.measure_state(reload(measure))
    services.update_measure(user=None, measure=measure, data={"results": state["results"], "title": "Neu"})
    assert reload(measure).results.get().evidence_file.name == result.evidence_file.name


def test_a_stored_file_of_another_measure_cannot_be_referenced(measure: Measure, lab: Lab) -> None:
    upload = SimpleUploadedFile("intern.pdf", b"%PDF vertraulich")
    secret = make_measure(lab, title="Entwurf", is_published=False)
    services.update_measure(
        user=None, measure=secret, data={"results": [{"text": "x", "evidence_file": upload}]}
    )
    name = Result.objects.get(measure=secret).evidence_file.name
    before = snapshot()
    for reference in (name, f"evidence/{measure.pk}/../{secret.pk}/intern.pdf", "../settings.py"):
        with pytest.raises(ValidationError) as caught:
            services.update_measure(
                user=None, measure=measure, data={"results": [{"text": "Beleg", "evidence_file": reference}]}
            )
        assert caught.value.message_dict == {
            "results[0].evidence_file": ["Upload the file; only this measure's own files can be kept."]
        }
    with pytest.raises(ValidationError):
        services.create_measure(
            user=None, lab=lab, data={"title": "Neu", "results": [{"text": "x", "evidence_file": name}]}
        )
    assert snapshot() == before


def test_an_oversize_or_unaccepted_evidence_file_is_refused(measure: Measure, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    before = snapshot()
    big = SimpleUploadedFile("gross.pdf", b"x" * (2 * 1024 * 1024 + 1))
    script = SimpleUploadedFile("boese.exe", b"MZ")
    with pytest.raises(ValidationError) as caught:
        services.update_measure(
            user=None,
            measure=measure,
            data={"results": [{"text": "A", "evidence_file": big}, {"text": "B", "evidence_file": script}]},
        )
    assert caught.value.message_dict == {
        "results[0].evidence_file": ["The file “gross.pdf” is 2.0 MB; at most 1 MB are allowed."],
        "results[1].evidence_file": [
            "Files of type “.exe” are not accepted; use one of .csv, .docx, .gif, .jpeg, .jpg, .ods, .odt, "
            ".pdf, .png, .pptx, .txt, .webp, .xlsx."
        ],
    }
    assert snapshot() == before


# Optimistic locking ----------------------------------------------------------------------------


def test_a_stale_revision_is_an_edit_conflict_and_changes_nothing(measure: Measure) -> None:
    services.update_measure(user=None, measure=measure, data={"summary": "Erste"}, expected_revision=1)
    before = snapshot()
    with pytest.raises(EditConflict) as caught:
        services.update_measure(user=None, measure=measure, data={"summary": "Zweite"}, expected_revision=1)
    assert caught.value.code == "conflict"
    assert caught.value.messages == [
        "This record was changed by someone else in the meantime (revision 2, you edited revision 1). "
        "Reload the page; your input was not saved."
    ]
    assert snapshot() == before
    services.update_measure(user=None, measure=measure, data={"summary": "Zweite"}, expected_revision="2")  # type: ignore[arg-type]
    assert reload(measure).summary == "Zweite"
    assert reload(measure).revision == 3


def test_the_revision_counts_changes_only(measure: Measure) -> None:
    services.update_measure(user=None, measure=measure, data={"summary": "Kurz gesagt"})
    assert reload(measure).revision == 1
    services.update_measure(user=None, measure=measure, data={"summary": "Anders"})
    assert reload(measure).revision == 2


# Order -----------------------------------------------------------------------------------------


def test_reorder_and_move_measures(lab: Lab) -> None:
    a, b, c = (make_measure(lab, title=t) for t in "ABC")
    services.reorder_measures(user=None, lab=lab, order=[c.pk, a.pk, b.pk])
    assert list(lab.measures.values_list("title", flat=True)) == ["C", "A", "B"]
    services.move_measure(user=None, measure=reload(b), offset=-1)
    assert list(lab.measures.values_list("title", flat=True)) == ["C", "B", "A"]
    services.move_measure(user=None, measure=reload(c), offset=-1)  # already first
    assert list(lab.measures.values_list("title", flat=True)) == ["C", "B", "A"]
    services.move_measure(user=None, measure=reload(c), offset=5)
    assert list(lab.measures.values_list("title", flat=True)) == ["B", "A", "C"]
    assert list(lab.measures.values_list("position", flat=True)) == [1, 2, 3]


@pytest.mark.parametrize("case", ["empty", "missing", "twice", "foreign"])
def test_reorder_needs_every_measure_of_the_lab_once(lab: Lab, case: str) -> None:
    a, b = make_measure(lab, title="A"), make_measure(lab, title="B")
    foreign = make_measure(make_lab())
    order = {
        "empty": [],
        "missing": [a.pk],
        "twice": [a.pk, a.pk, b.pk],
        "foreign": [a.pk, b.pk, foreign.pk],
    }[case]
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.reorder_measures(user=None, lab=lab, order=order)
    assert caught.value.message_dict == {"order": ["Give every measure of this lab exactly once."]}
    assert snapshot() == before


def test_only_coordinators_and_administrators_reorder(lab: Lab) -> None:
    a, b = make_measure(lab, title="A"), make_measure(lab, title="B")
    partner, coordinator = new_user(), new_user()
    add_member(lab, partner, "partner")
    add_member(lab, coordinator, "coordinator")
    with pytest.raises(PermissionDenied):
        services.reorder_measures(user=partner, lab=lab, order=[b.pk, a.pk])
    with pytest.raises(PermissionDenied):
        services.move_measure(user=partner, measure=b, offset=-1)
    assert list(lab.measures.values_list("title", flat=True)) == ["A", "B"]
    services.move_measure(user=coordinator, measure=b, offset=-1)
    assert list(lab.measures.values_list("title", flat=True)) == ["B", "A"]


# Rights ----------------------------------------------------------------------------------------


@pytest.fixture
def people(lab: Lab) -> dict[str, User]:
    other_lab = make_lab(name="Anderes Labor")
    users = {
        "partner": new_user(),
        "coordinator": new_user(),
        "foreign_coordinator": new_user(),
        "foreign_partner": new_user(),
        "reader": new_user(role=User.Role.READER),
        "outsider": new_user(),
        "administrator": new_user(role=User.Role.ADMINISTRATOR),
    }
    add_member(lab, users["partner"], "partner")
    add_member(lab, users["coordinator"], "coordinator")
    add_member(other_lab, users["foreign_coordinator"], "coordinator")
    add_member(other_lab, users["foreign_partner"], "partner")
    return users


def test_a_partner_edits_content_but_cannot_publish_create_or_delete(
    lab: Lab, people: dict[str, User]
) -> None:
    partner = people["partner"]
    draft = make_measure(lab, title="Entwurf", is_published=False)
    services.update_measure(user=partner, measure=draft, data={"summary": "Vom Partner"})
    assert reload(draft).summary == "Vom Partner"
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.set_measure_published(user=partner, measure=draft, published=True)
    with pytest.raises(PermissionDenied):
        services.update_measure(user=partner, measure=draft, data={"summary": "X", "is_published": True})
    with pytest.raises(PermissionDenied):
        services.create_measure(user=partner, lab=lab, data={"title": "Neu"})
    with pytest.raises(PermissionDenied):
        services.delete_measure(user=partner, measure=draft)
    assert snapshot() == before
    # Sending the unchanged publication flag along is fine.
    services.update_measure(user=partner, measure=draft, data={"summary": "Y", "is_published": False})
    assert reload(draft).summary == "Y"


def test_a_coordinator_publishes_creates_and_deletes_in_their_lab(lab: Lab, people: dict[str, User]) -> None:
    coordinator = people["coordinator"]
    measure = services.create_measure(user=coordinator, lab=lab, data={"title": "Neu"})
    assert measure.is_published is False
    services.set_measure_published(user=coordinator, measure=measure, published=True)
    assert reload(measure).is_published is True
    services.update_measure(user=coordinator, measure=measure, data={"is_published": False})
    assert reload(measure).is_published is False
    services.delete_measure(user=coordinator, measure=measure)
    assert not Measure.objects.filter(pk=measure.pk).exists()
    deleted = Version.objects.get(action="deleted")
    assert (deleted.user, deleted.data["title"]) == (coordinator, "Neu")


@pytest.mark.parametrize("role", ["foreign_coordinator", "foreign_partner", "reader", "outsider"])
def test_others_cannot_touch_the_measures_of_a_lab(lab: Lab, people: dict[str, User], role: str) -> None:
    user = people[role]
    measure = make_measure(lab, title="Fremd")
    before = snapshot()
    calls = [
        lambda: services.update_measure(user=user, measure=measure, data={"title": "Gekapert"}),
        lambda: services.set_measure_published(user=user, measure=measure, published=False),
        lambda: services.create_measure(user=user, lab=lab, data={"title": "Neu"}),
        lambda: services.delete_measure(user=user, measure=measure),
        lambda: services.reorder_measures(user=user, lab=lab, order=[measure.pk]),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert snapshot() == before


def test_the_administrator_may_do_everything(lab: Lab, people: dict[str, User]) -> None:
    admin = people["administrator"]
    measure = services.create_measure(user=admin, lab=lab, data={"title": "Vom Amt", "is_published": True})
    services.update_measure(user=admin, measure=measure, data={"is_published": False, "title": "Geändert"})
    assert (reload(measure).title, reload(measure).is_published) == ("Geändert", False)
    services.delete_measure(user=admin, measure=measure)
    assert not Measure.objects.exists()


def test_an_inactive_member_loses_their_rights(lab: Lab, people: dict[str, User]) -> None:
    coordinator = people["coordinator"]
    coordinator.is_active = False
    coordinator.save()
    measure = make_measure(lab)
    fresh = User.objects.get(pk=coordinator.pk)
    with pytest.raises(PermissionDenied):
        services.update_measure(user=fresh, measure=measure, data={"title": "X"})
