"""Role matrix entries of the people pages (collected by test_role_matrix.py).

Every page with people or their relationships is the office's (``OFFICE``), also the forms for
an organisation's relationships: readers and partners only see those on the organisation page.
"""

from typing import Any

from reallabor.actors.models import Relationship
from reallabor.actors.tests.matrix_common import OFFICE, MatrixEntry, no_kwargs
from reallabor.core.testing.actors import Crm
from reallabor.organisations.models import Organisation


def anna(crm: Crm) -> dict[str, Any]:
    return {"uuid": crm.anna.uuid}


def anna_role(crm: Crm) -> dict[str, Any]:
    return {"uuid": crm.anna.uuid, "pk": crm.anna.affiliations.get().pk}


def people_relationship(crm: Crm) -> Relationship:
    """Anna knows Bernd (made on demand: the crm fixture has no relationships)."""
    relationship, _created = Relationship.objects.get_or_create(
        kind=Relationship.Kind.KNOWS, source_person=crm.anna, target_person=crm.bernd
    )
    return relationship


def organisation_relationship(crm: Crm) -> Relationship:
    """The Tischlerei is member of the Wirtschaftsförderung's network (made on demand)."""
    relationship, _created = Relationship.objects.get_or_create(
        kind=Relationship.Kind.MEMBER_OF,
        source_organisation=crm.tischlerei,
        target_organisation=Organisation.objects.get(slug="wirtschaftsfoerderung-bottrop"),
    )
    return relationship


def anna_relationship(crm: Crm) -> dict[str, Any]:
    return {"uuid": crm.anna.uuid, "pk": people_relationship(crm).pk}


def tischlerei(crm: Crm) -> dict[str, Any]:
    return {"slug": crm.tischlerei.slug}


def tischlerei_relationship(crm: Crm) -> dict[str, Any]:
    return {"slug": crm.tischlerei.slug, "pk": organisation_relationship(crm).pk}


GET_MATRIX: list[MatrixEntry] = [
    ("actors:person-list", no_kwargs, OFFICE),
    ("actors:person-create", no_kwargs, OFFICE),
    ("actors:person-options", no_kwargs, OFFICE),
    ("actors:person-detail", anna, OFFICE),
    ("actors:person-edit", anna, OFFICE),
    ("actors:affiliation-create", anna, OFFICE),
    ("actors:affiliation-edit", anna_role, OFFICE),
    ("actors:affiliation-end", anna_role, OFFICE),
    ("actors:affiliation-delete", anna_role, OFFICE),
    ("actors:person-relationship-create", anna, OFFICE),
    ("actors:person-relationship-edit", anna_relationship, OFFICE),
    ("actors:person-relationship-delete", anna_relationship, OFFICE),
    ("actors:organisation-relationship-create", tischlerei, OFFICE),
    ("actors:organisation-relationship-edit", tischlerei_relationship, OFFICE),
    ("actors:organisation-relationship-delete", tischlerei_relationship, OFFICE),
]
POST_ONLY: set[str] = set()
