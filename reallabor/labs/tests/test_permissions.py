"""The role matrix of labs and measures: predicates, services and the visible_to querysets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from conftest import ROLES, Portfolio
from reallabor.core.testing.factories import add_member, make_lab, make_measure
from reallabor.history.models import Version
from reallabor.labs import permissions, services
from reallabor.labs.models import Lab, Measure

# Predicates -------------------------------------------------------------------------------------
# Lab »handel«: the partner's lab. Lab »handwerk«: the coordinator's lab.

LAB_PREDICATES: dict[str, Callable[[Any, Lab], bool]] = {
    "edit_lab": permissions.can_edit_lab,
    "publish_lab": permissions.can_publish_lab,
    "delete_lab": permissions.can_delete_lab,
    "manage_members": permissions.can_manage_lab_members,
    "create_measure": permissions.can_create_measure,
    "reorder_measures": permissions.can_reorder_measures,
}
MEASURE_PREDICATES: dict[str, Callable[[Any, Measure], bool]] = {
    "edit_measure": permissions.can_edit_measure,
    "publish_measure": permissions.can_publish_measure,
    "delete_measure": permissions.can_delete_measure,
    "view_history": permissions.can_view_history,
    "restore_measure": permissions.can_restore_measure,
}

ALL = {*LAB_PREDICATES, *MEASURE_PREDICATES}
COORDINATOR_RIGHTS = ALL - {"delete_lab"}
PARTNER_RIGHTS = {"edit_measure", "view_history", "restore_measure"}

# role → (rights in »handel«, rights in »handwerk«, may create labs, sees internal pages)
MATRIX: dict[str, tuple[set[str], set[str], bool, bool]] = {
    "anonymous": (set(), set(), False, False),
    "reader": (set(), set(), False, True),
    "partner": (PARTNER_RIGHTS, set(), False, True),
    "coordinator": (set(), COORDINATOR_RIGHTS, False, True),
    "administrator": (ALL, ALL, True, True),
    "outsider": (set(), set(), False, True),
}


def _rights(user: Any, lab: Lab) -> set[str]:
    measure = lab.measures.first()
    assert measure is not None
    granted = {name for name, predicate in LAB_PREDICATES.items() if predicate(user, lab)}
    granted |= {name for name, predicate in MEASURE_PREDICATES.items() if predicate(user, measure)}
    return granted


def test_the_matrix_covers_every_role() -> None:
    assert set(MATRIX) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix_of_the_predicates(portfolio: Portfolio, role: str) -> None:
    user = portfolio.users[role] or AnonymousUser()
    in_handel, in_handwerk, create_lab, internal = MATRIX[role]
    assert _rights(user, portfolio.handel) == in_handel
    assert _rights(user, portfolio.handwerk) == in_handwerk
    assert _rights(user, portfolio.fachkraefte) == (ALL if role == "administrator" else set())
    assert permissions.can_create_lab(user) is create_lab  # type: ignore[arg-type]
    assert permissions.can_view_internal(user) is internal  # type: ignore[arg-type]


def test_the_system_may_do_everything(portfolio: Portfolio) -> None:
    for lab in (portfolio.handel, portfolio.handwerk, portfolio.fachkraefte):
        assert _rights(None, lab) == ALL
    assert permissions.can_create_lab(None)


def test_an_inactive_user_has_no_rights(portfolio: Portfolio) -> None:
    for role in ("partner", "coordinator", "administrator"):
        user = portfolio.users[role]
        assert user is not None
        user.is_active = False
        user.save()
        user.__dict__.pop("_lab_roles", None)
        assert _rights(user, portfolio.handel) == set()
        assert _rights(user, portfolio.handwerk) == set()
        assert permissions.can_view_internal(user) is False


def test_lab_roles_lists_all_memberships(portfolio: Portfolio) -> None:
    assert permissions.lab_roles(portfolio.users["coordinator"]) == {portfolio.handwerk.pk: "coordinator"}
    assert permissions.lab_roles(portfolio.users["outsider"]) == {}
    assert permissions.lab_roles(AnonymousUser()) == {}
    assert permissions.lab_role(portfolio.users["partner"], portfolio.handel) == "partner"
    assert permissions.lab_role(portfolio.users["partner"], portfolio.handwerk) is None


# The services follow the predicates ---------------------------------------------------------


def _state() -> tuple[Any, ...]:
    return (
        [(m.pk, m.revision, m.position, services.measure_state(m)) for m in Measure.objects.order_by("pk")],
        [(lab.pk, lab.revision, services.lab_state(lab)) for lab in Lab.objects.order_by("pk")],
        Version.objects.count(),
    )


SERVICE_CALLS: dict[str, Callable[[Any, Lab, Measure], Any]] = {
    "edit_measure": lambda u, lab, m: services.update_measure(user=u, measure=m, data={"summary": "Neu"}),
    "publish_measure": lambda u, lab, m: services.set_measure_published(user=u, measure=m, published=False),
    "delete_measure": lambda u, lab, m: services.delete_measure(user=u, measure=m),
    "create_measure": lambda u, lab, m: services.create_measure(user=u, lab=lab, data={"title": "Neu"}),
    "edit_lab": lambda u, lab, m: services.update_lab(user=u, lab=lab, data={"summary": "Neu"}),
    "publish_lab": lambda u, lab, m: services.set_lab_published(user=u, lab=lab, published=False),
    "reorder_measures": lambda u, lab, m: services.reorder_measures(
        user=u, lab=lab, order=list(reversed(lab.measures.values_list("pk", flat=True)))
    ),
    "delete_lab": lambda u, lab, m: services.delete_lab(user=u, lab=lab),
}


@pytest.mark.parametrize("action", SERVICE_CALLS)
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_a_service_is_allowed_exactly_when_the_predicate_says_so(
    portfolio: Portfolio, role: str, action: str
) -> None:
    user = portfolio.users[role]
    lab = portfolio.handel
    measure = lab.measures.first()
    assert measure is not None
    allowed = action in MATRIX[role][0]
    before = _state()
    if allowed:
        SERVICE_CALLS[action](user, lab, measure)
        assert _state() != before
    else:
        with pytest.raises(PermissionDenied):
            SERVICE_CALLS[action](user, lab, measure)
        assert _state() == before


# visible_to ----------------------------------------------------------------------------------


@pytest.fixture
def drafts(portfolio: Portfolio) -> Portfolio:
    """Draft measures in every lab and an unpublished lab of which the partner is a member."""
    make_measure(portfolio.handel, title="Handel Entwurf", is_published=False)
    make_measure(portfolio.handwerk, title="Handwerk Entwurf", is_published=False)
    make_measure(portfolio.fachkraefte, title="Fachkräfte Entwurf", is_published=False)
    secret = make_lab(name="Entwurfslabor", is_published=False)
    make_measure(secret, title="Veröffentlicht im Entwurfslabor", is_published=True)
    make_measure(secret, title="Entwurf im Entwurfslabor", is_published=False)
    partner = portfolio.users["partner"]
    assert partner is not None
    add_member(secret, partner, "partner")
    return portfolio


PUBLISHED_LABS = {"Hybride Formen des Handels", "Digitale Koproduktion im Handwerk", "Fachkräftesicherung"}
PUBLISHED_MEASURES = {
    "Fairtrade-Town – Auszeichnung und Netzwerk",
    "HalloBot – Onlineplattform und Digitalisierungsangebot",
    "Kooperation zur Erhöhung des Digitalisierungsstands der Bottroper Handwerksunternehmen",
    "Unterstützung der Integration von Geflüchteten in Bottroper Unternehmen",
}
ALL_DRAFTS = {
    "Handel Entwurf",
    "Handwerk Entwurf",
    "Fachkräfte Entwurf",
    "Veröffentlicht im Entwurfslabor",
    "Entwurf im Entwurfslabor",
}
VISIBLE: dict[str, tuple[set[str], set[str]]] = {
    "anonymous": (PUBLISHED_LABS, PUBLISHED_MEASURES),
    "outsider": (PUBLISHED_LABS, PUBLISHED_MEASURES),
    "reader": (PUBLISHED_LABS | {"Entwurfslabor"}, PUBLISHED_MEASURES | ALL_DRAFTS),
    "administrator": (PUBLISHED_LABS | {"Entwurfslabor"}, PUBLISHED_MEASURES | ALL_DRAFTS),
    "partner": (
        PUBLISHED_LABS | {"Entwurfslabor"},
        PUBLISHED_MEASURES
        | {"Handel Entwurf", "Veröffentlicht im Entwurfslabor", "Entwurf im Entwurfslabor"},
    ),
    "coordinator": (PUBLISHED_LABS, PUBLISHED_MEASURES | {"Handwerk Entwurf"}),
}


@pytest.mark.parametrize("role", ROLES)
def test_visible_labs_and_measures_per_role(drafts: Portfolio, role: str) -> None:
    user = drafts.users[role]
    labs, measures = VISIBLE[role]
    visible_labs = list(Lab.objects.visible_to(user).values_list("name", flat=True))
    visible_measures = list(Measure.objects.visible_to(user).values_list("title", flat=True))
    assert sorted(visible_labs) == sorted(labs)  # also: no duplicates
    assert sorted(visible_measures) == sorted(measures)
    if user is not None:
        anonymous: Any = AnonymousUser()
        assert set(Lab.objects.visible_to(anonymous).values_list("name", flat=True)) == PUBLISHED_LABS


@pytest.mark.parametrize("role", ["partner", "coordinator", "reader", "administrator"])
def test_an_inactive_user_sees_what_the_public_sees(drafts: Portfolio, role: str) -> None:
    user = drafts.users[role]
    assert user is not None
    user.is_active = False
    user.save()
    assert set(Lab.objects.visible_to(user).values_list("name", flat=True)) == PUBLISHED_LABS
    assert set(Measure.objects.visible_to(user).values_list("title", flat=True)) == PUBLISHED_MEASURES


def test_unpublishing_a_lab_hides_its_published_measures_from_the_public(portfolio: Portfolio) -> None:
    services.set_lab_published(user=None, lab=portfolio.fachkraefte, published=False)
    public = set(Measure.objects.visible_to(None).values_list("title", flat=True))
    assert public == PUBLISHED_MEASURES - {
        "Unterstützung der Integration von Geflüchteten in Bottroper Unternehmen"
    }
    assert Measure.objects.published().count() == 3
    assert Lab.objects.published().count() == 2
