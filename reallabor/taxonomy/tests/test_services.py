"""Tags on measures, their weights and the versioning of vocabularies (taxonomy.services)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from reallabor.accounts.models import User
from reallabor.core.testing.factories import UserFactory, make_lab, make_measure
from reallabor.history.models import Version
from reallabor.labs import services as labs
from reallabor.labs.filters import MeasureFilter
from reallabor.labs.models import Measure
from reallabor.taxonomy import services
from reallabor.taxonomy.models import MEGATREND_FAMILY, SDG_FAMILY, Tag, Term, Vocabulary

pytestmark = pytest.mark.django_db


def new_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)  # type: ignore[assignment]
    return user


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def megatrends() -> Vocabulary:
    vocabulary = services.current_vocabulary(MEGATREND_FAMILY)
    for position, (code, name) in enumerate(
        [
            ("digitalisierung", "Digitalisierung"),
            ("migration", "Migration"),
            ("faires-handeln", "Faires Handeln"),
        ]
    ):
        services.create_term(
            user=None, vocabulary=vocabulary, data={"code": code, "name": name, "position": position}
        )
    return vocabulary


@pytest.fixture
def measure() -> Measure:
    return make_measure(make_lab())


def snapshot(measure: Measure) -> tuple[Any, ...]:
    measure = Measure.objects.get(pk=measure.pk)
    return (
        labs.measure_state(measure),
        measure.revision,
        Version.objects.count(),
        sorted(Tag.objects.values_list("term_id", "object_id", "priority", "share", "note")),
    )


def tag(family: str, code: str, **weight: Any) -> dict[str, Any]:
    return {"term": {"family": family, "code": code}, **weight}


def set_tags(measure: Measure, tags: list[Any], user: Any = None) -> Measure:
    return labs.update_measure(user=user, measure=measure, data={"tags": tags})


def stored_tags(measure: Measure) -> list[tuple[str, str, str, int | None, str]]:
    return [
        (t.term.vocabulary.family, t.term.code, t.priority, t.share, t.note)
        for t in services.tags_of(measure)
    ]


# Tagging --------------------------------------------------------------------------------------


def test_tags_are_stored_with_priority_share_and_note_in_the_given_order(
    measure: Measure, megatrends: Vocabulary
) -> None:
    set_tags(
        measure,
        [
            tag(MEGATREND_FAMILY, "digitalisierung", priority="secondary", note="durch Corona gestärkt"),
            tag(SDG_FAMILY, "8", share=60),
            tag(SDG_FAMILY, "8.5", share=40),
            "megatrends:migration",
        ],
    )
    assert stored_tags(measure) == [
        ("megatrends", "digitalisierung", "secondary", None, "durch Corona gestärkt"),
        ("sdg", "8", "", 60, ""),
        ("sdg", "8.5", "", 40, ""),
        ("megatrends", "migration", "primary", None, ""),
    ]
    weights = [t.weight for t in services.tags_of(measure)]
    assert weights == [0.5, 0.6, 0.4, 1.0]
    assert [t.weight_label for t in services.tags_of(measure)] == ["secondary", "60 %", "40 %", "primary"]


def test_a_tag_without_weight_is_primary(measure: Measure) -> None:
    set_tags(measure, [tag(SDG_FAMILY, "11")])
    assert stored_tags(measure) == [("sdg", "11", "primary", None, "")]


def test_the_tag_list_is_replaced_as_a_whole_and_left_alone_when_absent(measure: Measure) -> None:
    set_tags(measure, [tag(SDG_FAMILY, "11"), tag(SDG_FAMILY, "12")])
    set_tags(measure, [tag(SDG_FAMILY, "8")])
    assert stored_tags(measure) == [("sdg", "8", "primary", None, "")]
    labs.update_measure(user=None, measure=measure, data={"title": "Neu"})
    assert stored_tags(measure) == [("sdg", "8", "primary", None, "")]
    set_tags(measure, [])
    assert stored_tags(measure) == []


def test_terms_are_accepted_as_instance_id_string_and_reference(measure: Measure) -> None:
    goal_8 = Term.objects.get(vocabulary__family=SDG_FAMILY, code="8")
    set_tags(
        measure,
        [
            {"term": goal_8},
            {"term": Term.objects.get(vocabulary__family=SDG_FAMILY, code="10").pk},
            {"term": "sdg:11"},
            tag("sdg", "12"),
        ],
    )
    assert [code for _f, code, *_rest in stored_tags(measure)] == ["8", "10", "11", "12"]


def test_priority_and_share_together_are_rejected_and_nothing_changes(measure: Measure) -> None:
    set_tags(measure, [tag(SDG_FAMILY, "11")])
    before = snapshot(measure)
    with pytest.raises(ValidationError) as caught:
        set_tags(measure, [tag(SDG_FAMILY, "8", share=50, priority="primary")])
    assert caught.value.message_dict == {"tags[0].priority": ["Give either a priority or a share, not both."]}
    assert snapshot(measure) == before


@pytest.mark.parametrize(
    ("share", "message"),
    [
        (0, "Ensure this value is greater than or equal to 1."),
        (101, "Ensure this value is less than or equal to 100."),
        ("viel", "Enter a whole number of percent."),
    ],
)
def test_a_share_outside_1_to_100_percent_is_rejected(measure: Measure, share: Any, message: str) -> None:
    before = snapshot(measure)
    with pytest.raises(ValidationError) as caught:
        set_tags(measure, [tag(SDG_FAMILY, "8", share=share)])
    assert caught.value.message_dict["tags[0].share"] == [message]
    assert snapshot(measure) == before


def test_an_unknown_priority_is_rejected(measure: Measure) -> None:
    with pytest.raises(ValidationError) as caught:
        set_tags(measure, [tag(SDG_FAMILY, "8", priority="tertiary")])
    assert list(caught.value.message_dict) == ["tags[0].priority"]


def test_shares_of_one_family_over_100_percent_are_rejected_and_nothing_changes(
    measure: Measure, megatrends: Vocabulary
) -> None:
    set_tags(measure, [tag(SDG_FAMILY, "11", share=100)])
    before = snapshot(measure)
    with pytest.raises(ValidationError) as caught:
        labs.update_measure(
            user=None,
            measure=measure,
            data={
                "title": "Geänderter Titel",
                "tags": [tag(SDG_FAMILY, "8", share=60), tag(SDG_FAMILY, "10", share=41)],
            },
        )
    assert caught.value.message_dict == {
        "tags": ["The shares of the “sdg” tags add up to 101 %; at most 100 % are possible."]
    }
    assert snapshot(measure) == before
    assert Measure.objects.get(pk=measure.pk).title != "Geänderter Titel"


def test_shares_are_counted_per_family_and_may_reach_exactly_100_percent(
    measure: Measure, megatrends: Vocabulary
) -> None:
    set_tags(
        measure,
        [
            tag(SDG_FAMILY, "8", share=60),
            tag(SDG_FAMILY, "10", share=40),
            tag(MEGATREND_FAMILY, "migration", share=70),
            tag(MEGATREND_FAMILY, "digitalisierung", share=30),
            tag(MEGATREND_FAMILY, "faires-handeln", priority="secondary"),
        ],
    )
    assert len(stored_tags(measure)) == 5


def test_a_duplicate_term_is_rejected(measure: Measure) -> None:
    before = snapshot(measure)
    with pytest.raises(ValidationError) as caught:
        set_tags(measure, [tag(SDG_FAMILY, "8"), tag(SDG_FAMILY, "10"), "sdg:8"])
    assert caught.value.message_dict == {
        "tags[2].term": ["“Decent work and economic growth” is tagged twice."]
    }
    assert snapshot(measure) == before


def test_an_unknown_term_is_named(measure: Measure) -> None:
    with pytest.raises(ValidationError) as caught:
        set_tags(measure, [tag(SDG_FAMILY, "8"), tag(SDG_FAMILY, "18")])
    assert list(caught.value.message_dict) == ["tags[1].term"]
    assert "Unknown term" in caught.value.message_dict["tags[1].term"][0]


def test_a_new_measure_is_created_with_tags(megatrends: Vocabulary) -> None:
    measure = labs.create_measure(
        user=None,
        lab=make_lab(),
        data={"title": "Neue Maßnahme", "tags": [tag(MEGATREND_FAMILY, "migration"), tag(SDG_FAMILY, "8.5")]},
    )
    assert stored_tags(measure) == [
        ("megatrends", "migration", "primary", None, ""),
        ("sdg", "8.5", "primary", None, ""),
    ]


def test_a_partner_may_tag_the_measures_of_their_lab_and_an_outsider_may_not(measure: Measure) -> None:
    partner, outsider = new_user(), new_user()
    labs.set_lab_member(user=None, lab=measure.lab, member=partner, role="partner")
    set_tags(measure, [tag(SDG_FAMILY, "8")], user=partner)
    assert stored_tags(measure) == [("sdg", "8", "primary", None, "")]
    with pytest.raises(PermissionDenied):
        set_tags(measure, [tag(SDG_FAMILY, "10")], user=outsider)
    assert stored_tags(measure) == [("sdg", "8", "primary", None, "")]


def test_a_target_implies_its_goal_in_the_filter(measure: Measure) -> None:
    other = make_measure(measure.lab)
    set_tags(measure, [tag(SDG_FAMILY, "8.5")])
    set_tags(other, [tag(SDG_FAMILY, "9")])
    found = MeasureFilter.from_params({"sdg": "8"}).apply(Measure.objects.all())
    assert list(found) == [measure]
    assert list(MeasureFilter.from_params({"sdg": "8.5"}).apply(Measure.objects.all())) == [measure]
    assert list(MeasureFilter.from_params({"sdg": "8.6"}).apply(Measure.objects.all())) == []


# resolve_term ---------------------------------------------------------------------------------


def test_resolve_term_checks_the_family() -> None:
    assert services.resolve_term("sdg:8.5").code == "8.5"
    assert services.resolve_term("8.5", family=SDG_FAMILY).code == "8.5"
    with pytest.raises(ValidationError) as caught:
        services.resolve_term("sdg:8", family=MEGATREND_FAMILY)
    assert caught.value.code == "wrong_vocabulary"
    for value in ("sdg:99", 10**9, {"family": "sdg", "code": "8", "version": 7}, None, 3.5):
        with pytest.raises(ValidationError) as caught:
            services.resolve_term(value)
        assert caught.value.code == "unknown_term"


# Vocabularies and terms -----------------------------------------------------------------------


def test_administrators_edit_terms_and_others_may_not(megatrends: Vocabulary) -> None:
    admin = new_user(role=User.Role.ADMINISTRATOR)
    term = services.create_term(
        user=admin, vocabulary=megatrends, data={"name": "Neue Arbeit", "name_en": "New work"}
    )
    assert (term.code, term.name, term.name_en) == ("neue-arbeit", "Neue Arbeit", "New work")
    services.update_term(user=admin, term=term, data={"local_name": "Neue Arbeitswelt"})
    term.refresh_from_db()
    assert term.local_name == "Neue Arbeitswelt"
    with translation.override("de"):
        assert term.display == "MT »Neue Arbeitswelt«"
    for user in (new_user(), new_user(role=User.Role.READER)):
        with pytest.raises(PermissionDenied):
            services.create_term(user=user, vocabulary=megatrends, data={"name": "X"})
        with pytest.raises(PermissionDenied):
            services.update_term(user=user, term=term, data={"name": "X"})
        with pytest.raises(PermissionDenied):
            services.delete_term(user=user, term=term)
    assert Term.objects.get(pk=term.pk).name == "Neue Arbeit"


def test_a_term_code_is_unique_in_its_vocabulary(megatrends: Vocabulary) -> None:
    count = megatrends.terms.count()
    with pytest.raises(ValidationError) as caught:
        services.create_term(user=None, vocabulary=megatrends, data={"code": "migration", "name": "Noch mal"})
    assert caught.value.message_dict == {"code": ["The code “migration” is already used in this vocabulary."]}
    with pytest.raises(ValidationError) as caught:
        services.create_term(user=None, vocabulary=megatrends, data={"code": "Groß Buchstaben", "name": "X"})
    assert list(caught.value.message_dict) == ["code"]
    assert megatrends.terms.count() == count


def test_the_sdg_vocabulary_cannot_be_edited_but_gets_a_local_wording() -> None:
    sdg = services.current_vocabulary(SDG_FAMILY)
    goal_12 = Term.objects.get(vocabulary=sdg, code="12")
    with pytest.raises(PermissionDenied):
        services.create_term(user=None, vocabulary=sdg, data={"code": "18", "name": "X"})
    with pytest.raises(PermissionDenied):
        services.update_term(user=None, term=goal_12, data={"name": "X"})
    with pytest.raises(PermissionDenied):
        services.create_vocabulary_version(user=None, vocabulary=sdg)
    services.set_local_wording(user=None, term=goal_12, local_name="  Nachhaltige/r Konsum und Produktion ")
    goal_12.refresh_from_db()
    assert goal_12.local_name == "Nachhaltige/r Konsum und Produktion"
    with translation.override("de"):
        assert goal_12.display == "SDG 12 »Nachhaltige/r Konsum und Produktion«"
    with translation.override("en"):
        assert goal_12.display == "SDG 12 »Responsible consumption and production«"
    with pytest.raises(PermissionDenied):
        services.set_local_wording(user=new_user(), term=goal_12, local_name="X")


def test_a_term_in_use_cannot_be_deleted(measure: Measure, megatrends: Vocabulary) -> None:
    set_tags(measure, [tag(MEGATREND_FAMILY, "migration")])
    term = Term.objects.get(vocabulary=megatrends, code="migration")
    with pytest.raises(ValidationError) as caught:
        services.delete_term(user=None, term=term)
    assert caught.value.code == "in_use"
    assert Term.objects.filter(pk=term.pk).exists()
    unused = Term.objects.get(vocabulary=megatrends, code="faires-handeln")
    services.delete_term(user=None, term=unused)
    assert not Term.objects.filter(pk=unused.pk).exists()


def test_a_target_group_in_use_cannot_be_deleted(measure: Measure) -> None:
    groups = services.current_vocabulary("target-groups")
    term = services.create_term(user=None, vocabulary=groups, data={"code": "handwerk", "name": "Handwerk"})
    labs.update_measure(
        user=None, measure=measure, data={"target_groups": [{"term": "target-groups:handwerk"}]}
    )
    with pytest.raises(ValidationError):
        services.delete_term(user=None, term=term)
    assert Term.objects.filter(pk=term.pk).exists()


def test_create_vocabulary_refuses_a_second_vocabulary_of_a_family() -> None:
    vocabulary = services.create_vocabulary(
        user=None, data={"family": "handlungsfelder", "kind": "other", "name": "Handlungsfelder"}
    )
    assert (vocabulary.family, vocabulary.version, vocabulary.retired_at) == ("handlungsfelder", 1, None)
    with pytest.raises(ValidationError) as caught:
        services.create_vocabulary(
            user=None, data={"family": "handlungsfelder", "kind": "other", "name": "Noch mal"}
        )
    assert caught.value.message_dict == {"family": ["A vocabulary with this family already exists."]}
    with pytest.raises(PermissionDenied):
        services.create_vocabulary(user=new_user(), data={"family": "x", "kind": "other", "name": "X"})
    assert Vocabulary.objects.filter(family__in=["handlungsfelder", "x"]).count() == 1


# Versions -------------------------------------------------------------------------------------


@pytest.fixture
def versioned(measure: Measure, megatrends: Vocabulary) -> tuple[Measure, Vocabulary, Vocabulary]:
    """The measure is tagged with »Digitalisierung« of version 1; version 2 is current."""
    set_tags(measure, [tag(MEGATREND_FAMILY, "digitalisierung", priority="secondary"), tag(SDG_FAMILY, "8")])
    successor = services.create_vocabulary_version(user=None, vocabulary=megatrends)
    megatrends.refresh_from_db()
    return Measure.objects.get(pk=measure.pk), megatrends, successor


def test_a_new_version_retires_the_old_one_and_copies_its_terms(
    versioned: tuple[Measure, Vocabulary, Vocabulary],
) -> None:
    _measure, old, new = versioned
    assert old.is_retired
    assert not new.is_retired
    assert (new.family, new.version, new.kind, new.name, new.abbreviation) == (
        old.family,
        2,
        old.kind,
        old.name,
        old.abbreviation,
    )
    assert services.current_vocabulary(MEGATREND_FAMILY) == new
    columns = ("code", "name", "name_en", "local_name", "position", "colour")
    assert list(new.terms.values_list(*columns)) == list(old.terms.values_list(*columns))
    assert set(new.terms.values_list("pk", flat=True)).isdisjoint(old.terms.values_list("pk", flat=True))


def test_a_new_version_copies_the_parents_within_the_new_version() -> None:
    vocabulary = services.create_vocabulary(
        user=None, data={"family": "ziele", "kind": "strategy", "name": "Ziele"}
    )
    parent = services.create_term(
        user=None, vocabulary=vocabulary, data={"code": "attraktiv", "name": "Attraktiv"}
    )
    child = services.create_term(
        user=None, vocabulary=vocabulary, data={"code": "attraktiv.1", "name": "Innenstadt"}
    )
    Term.objects.filter(pk=child.pk).update(parent=parent)
    successor = services.create_vocabulary_version(user=None, vocabulary=vocabulary)
    copy = successor.terms.get(code="attraktiv.1")
    assert copy.parent is not None
    assert copy.parent.vocabulary == successor
    assert copy.parent.code == "attraktiv"


def test_old_tags_keep_pointing_to_the_retired_term(
    versioned: tuple[Measure, Vocabulary, Vocabulary],
) -> None:
    measure, old, _new = versioned
    digitalisierung = services.tags_of(measure).get(term__code="digitalisierung")
    assert digitalisierung.term.vocabulary == old
    assert digitalisierung.priority == "secondary"
    assert labs.measure_state(measure)["tags"][0] == {
        "family": "megatrends",
        "version": 1,
        "code": "digitalisierung",
        "priority": "secondary",
        "share": None,
        "note": "",
    }


def test_a_measure_keeping_its_retired_tag_can_still_be_saved(
    versioned: tuple[Measure, Vocabulary, Vocabulary],
) -> None:
    measure, old, _new = versioned
    labs.update_measure(user=None, measure=measure, data={"title": "Nur der Titel"})
    state = labs.measure_state(measure)
    state["tags"][0]["note"] = "jetzt mit Notiz"
    labs.update_measure(user=None, measure=measure, data={"tags": state["tags"]})
    kept = services.tags_of(measure).get(term__code="digitalisierung")
    assert kept.term.vocabulary == old
    assert kept.note == "jetzt mit Notiz"


def test_a_new_tag_from_the_retired_version_is_rejected_and_nothing_changes(
    versioned: tuple[Measure, Vocabulary, Vocabulary],
) -> None:
    measure, _old, _new = versioned
    other = make_measure(measure.lab)
    before = snapshot(other)
    with pytest.raises(ValidationError) as caught:
        set_tags(other, [{"term": {"family": MEGATREND_FAMILY, "version": 1, "code": "digitalisierung"}}])
    assert caught.value.message_dict == {
        "tags[0].term": [
            "“Digitalisierung” belongs to the retired version 1 of “Megatrends”; use the current version."
        ]
    }
    assert snapshot(other) == before
    retired_migration = Term.objects.get(
        vocabulary__version=1, vocabulary__family=MEGATREND_FAMILY, code="migration"
    )
    with pytest.raises(ValidationError):
        set_tags(measure, [*labs.measure_state(measure)["tags"], {"term": retired_migration.pk}])
    assert len(stored_tags(measure)) == 2


def test_new_tags_by_code_take_the_current_version(versioned: tuple[Measure, Vocabulary, Vocabulary]) -> None:
    measure, _old, new = versioned
    other = make_measure(measure.lab)
    set_tags(other, [tag(MEGATREND_FAMILY, "digitalisierung")])
    assert services.tags_of(other).get().term.vocabulary == new


def test_the_megatrend_filter_finds_tags_of_every_version(
    versioned: tuple[Measure, Vocabulary, Vocabulary],
) -> None:
    measure, _old, _new = versioned
    other = make_measure(measure.lab)
    set_tags(other, [tag(MEGATREND_FAMILY, "digitalisierung")])
    found = MeasureFilter.from_params({"megatrend": "digitalisierung"}).apply(Measure.objects.all())
    assert set(found) == {measure, other}


def test_a_retired_version_cannot_be_changed_or_versioned_again(
    versioned: tuple[Measure, Vocabulary, Vocabulary],
) -> None:
    _measure, old, new = versioned
    for call in (
        lambda: services.create_term(user=None, vocabulary=old, data={"code": "neu", "name": "Neu"}),
        lambda: services.update_term(user=None, term=old.terms.get(code="migration"), data={"name": "X"}),
        lambda: services.create_vocabulary_version(user=None, vocabulary=old),
    ):
        with pytest.raises(ValidationError) as caught:
            call()
        assert caught.value.code == "retired"
    assert old.terms.get(code="migration").name == "Migration"
    assert Vocabulary.objects.filter(family=MEGATREND_FAMILY).count() == 2
    third = services.create_vocabulary_version(user=None, vocabulary=new)
    assert third.version == 3
    assert list(Vocabulary.objects.filter(family=MEGATREND_FAMILY, retired_at__isnull=True)) == [third]


def test_only_administrators_start_a_new_version(megatrends: Vocabulary) -> None:
    for user in (new_user(), new_user(role=User.Role.READER)):
        with pytest.raises(PermissionDenied):
            services.create_vocabulary_version(user=user, vocabulary=megatrends)
    assert Vocabulary.objects.filter(family=MEGATREND_FAMILY).count() == 1
    services.create_vocabulary_version(user=new_user(role=User.Role.ADMINISTRATOR), vocabulary=megatrends)
    assert Vocabulary.objects.filter(family=MEGATREND_FAMILY).count() == 2
