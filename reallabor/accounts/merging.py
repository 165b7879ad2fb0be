"""What the accounts app moves when the actors app merges two organisations
(``reallabor.actors.services.duplicates.on_merge``, registered in ``AccountsConfig.ready``)."""

from __future__ import annotations

from typing import Any

ORGANISATION_RELATIONS = frozenset({"accounts.OrganisationMembership.organisation"})


def move_organisation(keep: Any, remove: Any) -> None:
    """The members of ``remove`` become members of ``keep`` (once each)."""
    from reallabor.accounts.models import OrganisationMembership
    from reallabor.actors.services.duplicates import move_unique

    move_unique(OrganisationMembership, "organisation", "user", keep, remove)


def register() -> None:
    from reallabor.actors.services.duplicates import on_merge

    on_merge("organisation", ORGANISATION_RELATIONS, move_organisation)
