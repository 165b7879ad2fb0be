"""The target groups of an organisation: tags of the ``target-groups`` vocabulary on it.

Mailings read them (``services.mailings.recipient_groups``, the Mehrwert rule): a recipient
whose current organisations carry target-group tags gets only the added value of those groups;
without such tags they get every block. Groups are compared by their term code, so a tag on an
older version of the vocabulary still counts; it is kept as it is while the group stays chosen.

Who sees them: whoever sees the organisation's internal data (office, readers, partners of its
labs). Who sets them: those who may edit the organisation (administrators and lab coordinators).
The other tags of the organisation (needs, motivations …) are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.cache import content_changed
from reallabor.organisations.models import Organisation
from reallabor.organisations.permissions import can_edit_organisation, can_see_internal_organisation_data
from reallabor.taxonomy.models import TARGET_GROUP_FAMILY, Tag, Term
from reallabor.taxonomy.services import tags_of

MAX_GROUPS = 100
FIELD = "target_groups"


def can_see_target_groups(user: Any, organisation: Organisation) -> bool:
    """Whether ``user`` sees the organisation's target groups (found through ``visible_to``)."""
    return can_see_internal_organisation_data(user)


def can_set_target_groups(user: Any, organisation: Organisation) -> bool:
    return can_edit_organisation(user, organisation)


def target_groups_of(organisation: Organisation) -> QuerySet[Tag]:
    """The organisation's target-group tags, in the vocabulary's order."""
    return (
        tags_of(organisation)
        .filter(term__vocabulary__family=TARGET_GROUP_FAMILY)
        .select_related("created_by")
        .order_by("term__position", "term__code", "id")
    )


def target_group_terms() -> list[Term]:
    """The terms of the current target-groups vocabulary, in its order (one query)."""
    return list(
        Term.objects.filter(vocabulary__family=TARGET_GROUP_FAMILY, vocabulary__retired_at__isnull=True)
        .select_related("vocabulary")
        .order_by("position", "code")
    )


def _codes(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError({FIELD: _("Give the target groups as a list of their codes.")})
    codes: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise ValidationError({FIELD: _("Give the target groups as a list of their codes.")})
        code = item.strip()
        if code and code not in codes:
            codes.append(code)
    if len(codes) > MAX_GROUPS:
        raise ValidationError({FIELD: _("At most %(limit)s target groups.") % {"limit": MAX_GROUPS}})
    return codes


@transaction.atomic
def set_target_groups(*, user: Any, organisation: Organisation, codes: Iterable[str]) -> list[Tag]:
    """Make ``codes`` (term codes of the target-groups vocabulary) the organisation's target groups:
    add the missing ones, remove those not named, keep the others as they are. Returns the tags."""
    if not can_set_target_groups(user, organisation):
        raise PermissionDenied(
            _(
                "Only those who may edit the organisation (administrators and lab coordinators) set its "
                "target groups."
            )
        )
    wanted = _codes(codes)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    existing = list(target_groups_of(organisation))
    kept_codes = {tag.term.code for tag in existing if tag.term.code in wanted}
    current = {term.code: term for term in target_group_terms()}
    unknown = [code for code in wanted if code not in current and code not in kept_codes]
    if unknown:
        raise ValidationError(
            {
                FIELD: _("Unknown target group “%(code)s”; known: %(known)s.")
                % {"code": unknown[0][:60], "known": ", ".join(current) or "–"}
            }
        )
    stale = [tag.pk for tag in existing if tag.term.code not in wanted]
    seen: set[str] = set()
    for tag in existing:  # one tag per code (two versions of one group count once)
        if tag.term.code in wanted and tag.term.code in seen:
            stale.append(tag.pk)
        seen.add(tag.term.code)
    if stale:
        Tag.objects.filter(pk__in=stale).delete()
    position = (tags_of(organisation).aggregate(last=Max("position"))["last"] or 0) + 1
    now = timezone.now()
    created_by = user if getattr(user, "is_authenticated", False) else None
    added = [
        Tag(
            term=current[code],
            content_type=ContentType.objects.get_for_model(Organisation),
            object_id=organisation.pk,
            priority=Tag.Priority.PRIMARY,
            share=None,
            position=position + index,
            created_at=now,
            created_by=created_by,
        )
        for index, code in enumerate(code for code in wanted if code not in kept_codes)
    ]
    if added:
        Tag.objects.bulk_create(added)
    if stale or added:
        content_changed()
    return list(target_groups_of(organisation))
