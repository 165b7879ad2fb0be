"""Who sees and changes stored check results.

- **the business**: whoever holds a response's personal link (``links``), and every user who is a
  member of the response's organisation (``accounts.OrganisationMembership``), sees the response and,
  while it is a draft, answers it; they link it to their organisation, share it, delete it.
- **a partner** (e.g. a chamber's digital advisor): a member of an organisation the response is
  shared with sees it; changes nothing.
- **the office** (administrators and lab coordinators: ``actors.permissions.can_see_personal_data``;
  ``None`` is the system) sees and changes every response and imports answer files.
- **readers** and everybody else see no single response (only aggregates, later).

Predicates take the acting user and, where the personal link can grant access, ``link``: True when
the caller resolved the response from a valid link (``links.response_from_link``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reallabor.accounts.permissions import is_active_user
from reallabor.actors.permissions import can_see_personal_data

if TYPE_CHECKING:
    from reallabor.assessment.models import Response
    from reallabor.organisations.models import Organisation


def is_office(user: Any) -> bool:
    """Administrators, lab coordinators and the system (``None``)."""
    return can_see_personal_data(user)


def member_organisation_ids(user: Any) -> frozenset[int]:
    """The organisations the user is a member of (cached on the user object per request)."""
    if not is_active_user(user):
        return frozenset()
    cached = user.__dict__.get("_member_organisations")
    if cached is None:
        from reallabor.accounts.models import OrganisationMembership

        cached = frozenset(
            OrganisationMembership.objects.filter(user=user).values_list("organisation_id", flat=True)
        )
        user.__dict__["_member_organisations"] = cached
    return frozenset(cached)


def is_member(user: Any, organisation: Organisation | int | None) -> bool:
    if organisation is None:
        return False
    pk = organisation if isinstance(organisation, int) else organisation.pk
    return pk in member_organisation_ids(user)


def is_owner(user: Any, response: Response, *, link: bool = False) -> bool:
    """The business the response belongs to: the link holder or a member of its organisation."""
    return link or is_member(user, response.organisation_id)


def can_view_response(user: Any, response: Response, *, link: bool = False) -> bool:
    if is_office(user) or is_owner(user, response, link=link):
        return True
    shared = member_organisation_ids(user)
    return bool(shared) and response.shares.filter(organisation_id__in=shared).exists()


def can_start_check(user: Any, organisation: Organisation | None = None) -> bool:
    """Anybody starts an anonymous check; a check of an organisation: its members and the office."""
    return organisation is None or is_office(user) or is_member(user, organisation)


def can_answer(user: Any, response: Response, *, link: bool = False) -> bool:
    """Save answers and context data, submit (the services also require a draft)."""
    return is_office(user) or is_owner(user, response, link=link)


def can_link_to_organisation(
    user: Any, response: Response, organisation: Organisation, *, link: bool = False
) -> bool:
    """The response's owner (or the office) gives it to an organisation they are a member of."""
    return is_office(user) or (is_owner(user, response, link=link) and is_member(user, organisation))


def can_share(user: Any, response: Response, *, link: bool = False) -> bool:
    return is_office(user) or is_owner(user, response, link=link)


can_unshare = can_share


def can_delete_response(user: Any, response: Response, *, link: bool = False) -> bool:
    """Data protection: the business deletes its results; the office may too."""
    return is_office(user) or is_owner(user, response, link=link)


def can_import_checks(user: Any) -> bool:
    return is_office(user)


def can_see_all_results(user: Any) -> bool:
    return is_office(user)
