"""Needs and motivations of organisations and people: tags of the ``needs`` and ``motivations``
vocabularies, with who recorded them and when.

The weight of such a tag is a priority: ``primary`` for a need the actor clearly has (the default),
``secondary`` for a weaker one (mentioned, not pressing). Shares in percent are not used here.

Measures are tagged with needs through the measure's own tag editor (it offers every current
vocabulary), so the stakeholder analysis can link actors and measures by their needs.

Who sees them: an organisation's needs are business data, visible to everyone who sees the
organisation's internal data (office, readers, partners of its labs; not the public); a person's
needs are personal data, for the office only. The office (administrators and lab coordinators)
records and removes them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.actors import permissions
from reallabor.actors.models import Person
from reallabor.core.cache import content_changed
from reallabor.organisations.models import Organisation
from reallabor.organisations.permissions import can_see_internal_organisation_data
from reallabor.taxonomy.models import MOTIVATIONS_FAMILY, NEEDS_FAMILY, Tag, Term, Vocabulary
from reallabor.taxonomy.services import tags_of

NEED_FAMILIES = (NEEDS_FAMILY, MOTIVATIONS_FAMILY)
PRIORITIES = (Tag.Priority.PRIMARY, Tag.Priority.SECONDARY)
NOTE_MAX_LENGTH = 200


def is_need_holder(obj: Any) -> bool:
    return isinstance(obj, Organisation | Person)


def can_see_needs(user: Any, obj: Any) -> bool:
    """Whether ``user`` sees the needs of ``obj`` (which the caller found through ``visible_to``)."""
    if isinstance(obj, Person):
        return permissions.can_see_personal_data(user)
    if isinstance(obj, Organisation):
        return can_see_internal_organisation_data(user)
    return False


def needs_of(obj: models.Model) -> QuerySet[Tag]:
    """The needs and motivations of an organisation or person: needs first, in the vocabulary's order."""
    return (
        tags_of(obj)
        .filter(term__vocabulary__family__in=NEED_FAMILIES)
        .select_related("created_by")
        .order_by("-term__vocabulary__family", "term__position", "term__code", "id")
    )


def find_need(obj: models.Model, family: str, code: str) -> Tag | None:
    """The tag of the need ``family:code`` on ``obj`` (any version of the vocabulary)."""
    if family not in NEED_FAMILIES:
        return None
    return needs_of(obj).filter(term__vocabulary__family=family, term__code=code).first()


def need_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The current terms as grouped choices ``"family:code"`` → label (one query)."""
    terms = (
        Term.objects.filter(vocabulary__family__in=NEED_FAMILIES, vocabulary__retired_at__isnull=True)
        .select_related("vocabulary")
        .order_by("-vocabulary__family", "position", "code")
    )
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for term in terms:
        family = term.vocabulary.family
        groups.setdefault(family, (term.vocabulary.label, []))[1].append(
            (f"{family}:{term.code}", term.label)
        )
    return [groups[family] for family in NEED_FAMILIES if family in groups]


def _require(user: Any) -> None:
    if not permissions.can_record_needs(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) record needs and motivations.")
        )


def _check_holder(obj: Any) -> None:
    if not is_need_holder(obj) or obj.pk is None:
        raise ValidationError(_("Needs and motivations belong to an organisation or a person."))


def _current_term(family: str, code: str) -> Term:
    term = (
        Term.objects.select_related("vocabulary")
        .filter(vocabulary__family=family, vocabulary__retired_at__isnull=True, code=code)
        .first()
    )
    if term is not None:
        return term
    vocabulary = Vocabulary.objects.filter(family=family, retired_at__isnull=True).first()
    retired = (
        Term.objects.select_related("vocabulary")
        .filter(vocabulary__family=family, vocabulary__retired_at__isnull=False, code=code)
        .order_by("-vocabulary__version")
        .first()
    )
    if vocabulary is None:
        raise ValidationError(
            {"family": _("The vocabulary “%(family)s” has no current version.") % {"family": family}}
        )
    if retired is not None:
        raise ValidationError(
            {
                "code": _(
                    "“%(term)s” belongs to the retired version %(version)s of “%(vocabulary)s” and takes "
                    "no new entries; choose a term of the current version."
                )
                % {
                    "term": retired.label,
                    "version": retired.vocabulary.version,
                    "vocabulary": retired.vocabulary.name,
                }
            }
        )
    known = ", ".join(vocabulary.terms.order_by("position", "code").values_list("code", flat=True)[:50])
    raise ValidationError(
        {
            "code": _("Unknown term “%(code)s” in “%(vocabulary)s” (known: %(known)s).")
            % {"code": code[:60], "vocabulary": vocabulary.name, "known": known}
        }
    )


@transaction.atomic
def record_need(
    *,
    user: Any,
    obj: Organisation | Person,
    family: str,
    code: str,
    note: str = "",
    priority: str = Tag.Priority.PRIMARY,
) -> Tag:
    """Record a need (``family`` "needs") or motivation ("motivations") of an organisation or person."""
    _require(user)
    _check_holder(obj)
    if isinstance(obj, Person) and obj.anonymised_at is not None:
        raise ValidationError(_("An anonymised person gets no new needs or motivations."))
    family = (family or "").strip()
    code = (code or "").strip()
    note = (note or "").strip()
    priority = priority or Tag.Priority.PRIMARY
    errors: dict[str, str] = {}
    if family not in NEED_FAMILIES:
        errors["family"] = _("Choose “needs” or “motivations”; “%(family)s” is not one of them.") % {
            "family": family[:60]
        }
    if not code:
        errors["code"] = _("Choose a need or motivation.")
    if priority not in PRIORITIES:
        errors["priority"] = _("The priority is “primary” or “secondary”, not “%(priority)s”.") % {
            "priority": str(priority)[:60]
        }
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("The note has %(length)s characters; at most %(limit)s are possible.") % {
            "length": len(note),
            "limit": NOTE_MAX_LENGTH,
        }
    if "\x00" in note:
        errors["note"] = _("The note contains a character that cannot be stored.")
    if errors:
        raise ValidationError(errors)
    term = _current_term(family, code)
    if find_need(obj, family, code) is not None:
        raise ValidationError(
            {
                "code": _("“%(term)s” is already recorded for %(name)s.")
                % {"term": term.label, "name": str(obj)}
            }
        )
    existing = tags_of(obj)
    position = (existing.aggregate(last=Max("position"))["last"] or 0) + 1
    tag = Tag.objects.create(
        term=term,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        priority=priority,
        share=None,
        note=note,
        position=position,
        created_at=timezone.now(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if isinstance(obj, Organisation):
        content_changed()
    return tag


@transaction.atomic
def remove_need(*, user: Any, tag: Tag) -> None:
    """Remove a recorded need or motivation."""
    _require(user)
    holder_types = {
        ContentType.objects.get_for_model(Organisation).pk,
        ContentType.objects.get_for_model(Person).pk,
    }
    if tag.term.vocabulary.family not in NEED_FAMILIES or tag.content_type_id not in holder_types:
        raise ValidationError(_("This tag is not a need or motivation of an organisation or person."))
    is_organisation = tag.content_type_id == ContentType.objects.get_for_model(Organisation).pk
    tag.delete()
    if is_organisation:
        content_changed()
