"""Every change to vocabularies, terms and tags goes through these functions."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.cache import CHECK_RESULTS, content_changed, counter_changed
from reallabor.core.text import german_slugify as slugify
from reallabor.core.validation import ErrorCollector
from reallabor.taxonomy import permissions
from reallabor.taxonomy.models import Tag, Term, Vocabulary
from reallabor.taxonomy.weights import share_total


def current_vocabulary(family: str) -> Vocabulary:
    return Vocabulary.objects.get(family=family, retired_at__isnull=True)


def term_ref(term: Term) -> dict[str, Any]:
    """A term as plain data that survives export and restore: family, version and code."""
    return {"family": term.vocabulary.family, "version": term.vocabulary.version, "code": term.code}


def resolve_term(value: Any, *, family: str | None = None) -> Term:
    """A term from a Term, its id, ``"family:code"`` (current version) or a term reference dict.

    Raises ValidationError with a message that names what was not found.
    """
    queryset = Term.objects.select_related("vocabulary")
    try:
        if isinstance(value, Term):
            term = value
        elif isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            term = queryset.get(pk=int(value))
        elif isinstance(value, str):
            fam, _sep, code = value.rpartition(":")
            fam = fam or family or ""
            term = queryset.get(vocabulary__family=fam, vocabulary__retired_at__isnull=True, code=code)
        elif isinstance(value, dict):
            lookup = {"vocabulary__family": value.get("family") or family, "code": value.get("code")}
            if value.get("version") is not None:
                lookup["vocabulary__version"] = value["version"]
            else:
                lookup["vocabulary__retired_at__isnull"] = True
            term = queryset.get(**lookup)
        else:
            raise Term.DoesNotExist
    except (Term.DoesNotExist, ValueError):
        raise ValidationError(
            _("Unknown term “%(value)s”.") % {"value": value}, code="unknown_term"
        ) from None
    if family is not None and term.vocabulary.family != family:
        raise ValidationError(
            _("“%(term)s” is not a term of the vocabulary “%(family)s”.")
            % {"term": term.label, "family": family},
            code="wrong_vocabulary",
        )
    return term


def tag_state(tag: Tag) -> dict[str, Any]:
    return {**term_ref(tag.term), "priority": tag.priority, "share": tag.share, "note": tag.note}


def tags_of(obj: models.Model) -> models.QuerySet[Tag]:
    return Tag.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("term__vocabulary", "term__parent")


def validate_tags(obj: models.Model, tags: list[dict[str, Any]], *, prefix: str = "tags") -> list[Tag]:
    """Check a complete new tag list for ``obj`` and return unsaved Tag objects.

    Rules: a known term; each term once; a weight that is either a priority or a share of
    1–100 %; per vocabulary family the shares add up to at most 100 %; a term of a retired
    vocabulary version only where the object already carries it (retired versions keep their
    tags but take no new ones).
    """
    errors = ErrorCollector()
    existing_term_ids = set(tags_of(obj).values_list("term_id", flat=True)) if obj.pk else set()
    content_type = ContentType.objects.get_for_model(obj)
    result: list[Tag] = []
    seen: set[int] = set()
    shares: dict[str, list[int | None]] = defaultdict(list)
    for index, item in enumerate(tags):
        path = f"{prefix}[{index}]"
        if not isinstance(item, dict):  # a bare term reference: "sdg:8", an id or a Term
            item = {"term": item}
        try:
            term = resolve_term(item.get("term", item) if "term" in item else item)
        except ValidationError as error:
            errors.add_validation_error(error, f"{path}.term")
            continue
        if term.vocabulary.is_retired and term.pk not in existing_term_ids:
            errors.add(
                f"{path}.term",
                _(
                    "“%(term)s” belongs to the retired version %(version)s of “%(vocabulary)s”; use the current version."
                )
                % {
                    "term": term.label,
                    "version": term.vocabulary.version,
                    "vocabulary": term.vocabulary.name,
                },
            )
            continue
        if term.pk in seen:
            errors.add(f"{path}.term", _("“%(term)s” is tagged twice.") % {"term": term.label})
            continue
        seen.add(term.pk)
        share = item.get("share")
        priority = item.get("priority") or ""
        if share in ("", None):
            share = None
            priority = priority or Tag.Priority.PRIMARY
        else:
            try:
                share = int(share)
            except (TypeError, ValueError):
                errors.add(f"{path}.share", _("Enter a whole number of percent."))
                continue
            if priority:
                errors.add(f"{path}.priority", _("Give either a priority or a share, not both."))
                continue
        tag = Tag(
            term=term,
            content_type=content_type,
            object_id=obj.pk or 0,
            priority=priority,
            share=share,
            note=item.get("note") or "",
            position=index,
        )
        # The weight constraint (a priority or a share of 1–100 %) is checked above and by the fields.
        errors.clean(tag, path, exclude=["content_type", "object_id", "term"], constraints=False)
        shares[term.vocabulary.family].append(share)
        result.append(tag)
    for family, family_shares in shares.items():
        total = share_total(family_shares)
        if total > 100:
            errors.add(
                prefix,
                _("The shares of the “%(family)s” tags add up to %(total)s %%; at most 100 %% are possible.")
                % {"family": family, "total": total},
            )
    errors.raise_if_any()
    return result


def replace_tags(obj: models.Model, tags: list[Tag]) -> None:
    """Store validated tags (from ``validate_tags``) as the object's complete tag list."""
    tags_of(obj).delete()
    for tag in tags:
        tag.object_id = obj.pk
    Tag.objects.bulk_create(tags)


# Vocabularies and terms -------------------------------------------------------------------------


def _terms_changed() -> None:
    """A term's wording changed: cached pages, and the check's dashboard, which keeps its numbers
    (with the trades' names) under a counter of its own (``core.cache.CHECK_RESULTS``)."""
    content_changed()
    counter_changed(CHECK_RESULTS)


def _require_editable(user: Any, vocabulary: Vocabulary) -> None:
    if not permissions.can_edit_vocabulary(user, vocabulary):
        raise PermissionDenied(_("You may not change this vocabulary."))
    if vocabulary.is_retired:
        raise ValidationError(_("A retired vocabulary version cannot be changed."), code="retired")


@transaction.atomic
def create_term(*, user: Any, vocabulary: Vocabulary, data: dict[str, Any]) -> Term:
    _require_editable(user, vocabulary)
    term = Term(vocabulary=vocabulary)
    _apply_term(term, data)
    term.save()
    content_changed()
    return term


@transaction.atomic
def update_term(*, user: Any, term: Term, data: dict[str, Any]) -> Term:
    _require_editable(user, term.vocabulary)
    _apply_term(term, data)
    term.save()
    _terms_changed()
    return term


@transaction.atomic
def delete_term(*, user: Any, term: Term) -> None:
    _require_editable(user, term.vocabulary)
    if term.tags.exists() or term.target_group_rows.exists():
        raise ValidationError(
            _("“%(term)s” is in use and cannot be deleted; retire the vocabulary version instead.")
            % {"term": term.label},
            code="in_use",
        )
    term.delete()
    _terms_changed()


@transaction.atomic
def set_local_wording(*, user: Any, term: Term, local_name: str) -> Term:
    """The city's own wording of a term; allowed for fixed vocabularies such as the SDGs too."""
    if not permissions.can_edit_vocabulary(user):
        raise PermissionDenied(_("You may not change this vocabulary."))
    term.local_name = local_name.strip()
    errors = ErrorCollector()
    errors.clean(term, exclude=["vocabulary", "parent"])
    errors.raise_if_any()
    term.save(update_fields=["local_name"])
    _terms_changed()
    return term


TERM_FIELDS = ("code", "name", "name_en", "local_name", "description", "description_en", "colour", "position")


def _apply_term(term: Term, data: dict[str, Any]) -> None:
    for field in TERM_FIELDS:
        if field in data and data[field] is not None:
            setattr(term, field, data[field])
    if not term.code:
        term.code = slugify(term.name)[:50]
    errors = ErrorCollector()
    errors.clean(term, exclude=["vocabulary", "parent"])
    clash = Term.objects.filter(vocabulary=term.vocabulary, code=term.code).exclude(pk=term.pk)
    if clash.exists():
        errors.add("code", _("The code “%(code)s” is already used in this vocabulary.") % {"code": term.code})
    errors.raise_if_any()


@transaction.atomic
def create_vocabulary_version(*, user: Any, vocabulary: Vocabulary) -> Vocabulary:
    """Retire ``vocabulary`` and start its next version with a copy of its terms.

    Tags keep pointing to the retired version's terms, so old tags stay as they were.
    """
    _require_editable(user, vocabulary)
    vocabulary.retired_at = timezone.now()
    vocabulary.save(update_fields=["retired_at", "updated_at"])
    successor = Vocabulary.objects.create(
        family=vocabulary.family,
        version=vocabulary.version + 1,
        kind=vocabulary.kind,
        name=vocabulary.name,
        name_en=vocabulary.name_en,
        abbreviation=vocabulary.abbreviation,
        description=vocabulary.description,
        is_editable=vocabulary.is_editable,
    )
    copies: dict[int, Term] = {}
    # Parents before children (NULL first on every database), so each child finds its parent's copy.
    for term in vocabulary.terms.order_by(F("parent_id").asc(nulls_first=True), "position"):
        copies[term.pk] = Term.objects.create(
            vocabulary=successor,
            code=term.code,
            name=term.name,
            name_en=term.name_en,
            local_name=term.local_name,
            description=term.description,
            description_en=term.description_en,
            parent=copies.get(term.parent_id) if term.parent_id else None,
            colour=term.colour,
            position=term.position,
        )
    content_changed()
    return successor


@transaction.atomic
def create_vocabulary(*, user: Any, data: dict[str, Any]) -> Vocabulary:
    if not permissions.can_edit_vocabulary(user):
        raise PermissionDenied(_("You may not add vocabularies."))
    vocabulary = Vocabulary(version=1)
    for field in ("family", "kind", "name", "name_en", "abbreviation", "description"):
        if field in data:
            setattr(vocabulary, field, data[field])
    errors = ErrorCollector()
    taken = Vocabulary.objects.filter(family=vocabulary.family).exists()
    # A taken family would also fail the one-current-version constraint with a nameless message.
    errors.clean(vocabulary, exclude=["family"] if taken else [])
    if taken:
        errors.add("family", _("A vocabulary with this family already exists."))
    errors.raise_if_any()
    vocabulary.save()
    content_changed()
    return vocabulary
