"""Every change to the offers catalogue, recommendations and uptakes goes through these functions;
and the loaders that turn organisations and offers into the plain data of ``matching``.

Writes take keyword-only arguments and the acting ``user`` (None: the system, CLI and demo loader),
check ``offers.permissions`` themselves (PermissionDenied) and raise ``ValidationError`` naming the
field. Offers are recorded in the change history (``history``) like organisations and measures.

The data of an offer (``create_offer``/``update_offer``; the import uses the same keys):

``provider`` (an Organisation, or its short name or exact name), ``kind``, ``title``, ``slug``,
``description``, ``supported``, ``eligibility``, ``funding_types`` (list of ``Offer.FundingType``),
``funding_areas`` (codes of the ``funding-areas`` vocabulary), ``region_level`` (eu, federal,
state, district, city) with ``region_code`` (a Land's code such as NW for a state, the slug of the
district or city) and ``region_name``, ``headcount_bands`` (``Organisation.HeadcountBand`` values),
``sectors`` (WZ 2008 codes: a section such as "f" or a division such as "43"), ``trades`` (a list
such as "a" or a trade such as "a-24"), ``founders`` ("only", "also", ""), ``dimensions`` ("1"…"6"),
``needs`` (codes of the needs vocabulary), ``amount_min``/``amount_max`` (EUR), ``deadline`` (a date;
empty: open), ``contact``, ``link``, ``verified_on``, ``is_example``, ``status``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.cache import CHECK_RESULTS, content_changed, counter_changed
from reallabor.core.services import bump_revision, check_revision
from reallabor.core.text import german_slugify as slugify
from reallabor.core.validation import ErrorCollector
from reallabor.history.services import record_version
from reallabor.offers import matching, permissions
from reallabor.offers.loading import STATES, businesses_for, consenting_organisations, labels, matching_offers
from reallabor.offers.models import DIMENSIONS, Offer, Recommendation, Uptake
from reallabor.offers.vocabulary import FUNDING_AREAS_FAMILY
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import NEEDS_FAMILY, SECTOR_FAMILY, TRADES_FAMILY, Term

TEXT_FIELDS: Final = ("title", "description", "supported", "eligibility", "contact", "link", "region_name")
CHOICE_FIELDS: Final = {
    "kind": Offer.Kind,
    "region_level": Offer.RegionLevel,
    "founders": Offer.Founders,
    "status": Offer.Status,
}
LIST_FIELDS: Final = {
    "funding_types": tuple(Offer.FundingType.values),
    "headcount_bands": tuple(Organisation.HeadcountBand.values),
    "dimensions": DIMENSIONS,
}
TERM_FIELDS: Final = {
    "funding_areas": FUNDING_AREAS_FAMILY,
    "sectors": SECTOR_FAMILY,
    "trades": TRADES_FAMILY,
    "needs": NEEDS_FAMILY,
}
AMOUNT_FIELDS: Final = ("amount_min", "amount_max")
DATE_FIELDS: Final = ("deadline", "verified_on")
FIELDS: Final = (
    "provider",
    "slug",
    "kind",
    *TEXT_FIELDS,
    "region_code",
    "region_level",
    "founders",
    "status",
    *LIST_FIELDS,
    *TERM_FIELDS,
    *AMOUNT_FIELDS,
    *DATE_FIELDS,
    "is_example",
)
REQUIRED: Final = ("provider", "kind", "title")
MAX_AMOUNT: Final = Decimal("9999999999.99")
SCORE_PLACES: Final = Decimal("0.001")
THOUSANDS: Final = re.compile(r"^\d{1,3}(\.\d{3})+$")  # 15.000 is fifteen thousand (German)


# --- reading and checking offer data -------------------------------------------------------------------


def known_list(values: Iterable[str], limit: int = 40) -> str:
    values = list(values)
    shown = ", ".join(values[:limit])
    return shown + (" …" if len(values) > limit else "")


def offer_state(offer: Offer) -> dict[str, Any]:
    """The recorded state (history): plain JSON, terms as their codes, dates as ISO text."""
    state: dict[str, Any] = {
        "provider": offer.provider.slug if offer.provider_id else "",
        "slug": offer.slug,
        "kind": offer.kind,
        "region_code": offer.region_code,
        "is_example": offer.is_example,
    }
    for name in (*TEXT_FIELDS, "region_level", "founders", "status"):
        state[name] = getattr(offer, name)
    for name in LIST_FIELDS:
        state[name] = list(getattr(offer, name))
    if offer.pk:
        for name in TERM_FIELDS:
            state[name] = sorted(term.code for term in getattr(offer, name).all())
    for name in AMOUNT_FIELDS:
        value = getattr(offer, name)
        state[name] = str(value) if value is not None else None
    for name in DATE_FIELDS:
        value = getattr(offer, name)
        state[name] = value.isoformat() if isinstance(value, dt.date) else None
    return dict(sorted(state.items()))


def resolve_provider(value: Any) -> Organisation:
    """An organisation from itself, its short name (slug) or its exact name (case ignored)."""
    if isinstance(value, Organisation):
        return value
    text = str(value or "").strip()
    if not text:
        raise ValidationError({"provider": [_("Name the provider (an organisation).")]})
    found = Organisation.objects.filter(slug=text[:220]).first()
    if found is None:
        matches = list(Organisation.objects.filter(name__iexact=text[:200])[:2])
        if len(matches) > 1:
            raise ValidationError(
                {
                    "provider": [
                        _("Several organisations are called “%(name)s”; give the short name instead.")
                        % {"name": text[:200]}
                    ]
                }
            )
        found = matches[0] if matches else None
    if found is None:
        raise ValidationError(
            {
                "provider": [
                    _("“%(name)s” is no known organisation; give the short name or the exact name of one.")
                    % {"name": text[:200]}
                ]
            }
        )
    return found


def split_list(value: Any) -> list[str]:
    """A list from a list or from text separated by commas, semicolons or line breaks."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,;\n|]", value) if part.strip()]
    if isinstance(value, list | tuple | set | frozenset):
        return [str(part).strip() for part in value if str(part).strip()]
    return [str(value).strip()]


def field_label(name: str) -> str:
    return str(getattr(Offer._meta.get_field(name), "verbose_name", name))


def _unknown(name: str, value: str, known: Iterable[str]) -> str:
    return _("%(field)s: “%(value)s” is unknown; known: %(known)s") % {
        "field": field_label(name),
        "value": value[:60],
        "known": known_list(known),
    }


def vocabulary_codes() -> dict[str, dict[str, Term]]:
    """The current terms of the four vocabularies by code (one query), for checks of many rows."""
    terms = (
        Term.objects.filter(vocabulary__family__in=TERM_FIELDS.values(), vocabulary__retired_at__isnull=True)
        .select_related("vocabulary")
        .order_by("vocabulary__family", "position", "code")
    )
    by_family: dict[str, dict[str, Term]] = {family: {} for family in TERM_FIELDS.values()}
    for term in terms:
        by_family[term.vocabulary.family][term.code] = term
    return {name: by_family[family] for name, family in TERM_FIELDS.items()}


def _parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _parse_amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(str(value))
    else:
        text = str(value).strip().replace("€", "").replace("EUR", "").strip()
        if "," in text or THOUSANDS.match(text):  # German: 1.000,50 and 15.000
            text = text.replace(".", "").replace(",", ".")
        amount = Decimal(text)
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValueError(value)
    return amount.quantize(Decimal("0.01"))


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "0", "no", "nein", "false", "falsch", "n"):
        return False
    if text in ("1", "yes", "ja", "true", "wahr", "x", "j", "y"):
        return True
    raise ValueError(value)


def apply_offer_data(
    offer: Offer,
    data: dict[str, Any],
    *,
    vocabularies: dict[str, dict[str, Term]] | None = None,
    terms: dict[str, list[Term]] | None = None,
) -> dict[str, list[Term]]:
    """Check ``data`` and set it on ``offer`` (unsaved); returns the terms of the many-to-many
    fields given. Raises one ValidationError with every field's problems."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    errors = ErrorCollector()
    vocabularies = vocabularies if vocabularies is not None else vocabulary_codes()
    terms = {} if terms is None else terms
    for name, value in data.items():
        try:
            _apply_field(offer, name, value, vocabularies, terms, errors)
        except ValidationError as error:
            errors.add_validation_error(error)
    if offer.pk is None:
        for name in REQUIRED:
            if name not in data and name not in errors.errors:
                errors.add(name, _("This field is required."))
    _check_rules(offer, errors)
    exclude = ["provider", "slug", "funding_types", "headcount_bands", "dimensions", *errors.errors]
    # The amount range's check constraint is checked in _check_rules with a field message.
    fields = {field.name for field in Offer._meta.fields}
    errors.clean(offer, exclude=[name for name in exclude if name in fields], constraints=False)
    errors.raise_if_any()
    return terms


def _apply_field(
    offer: Offer,
    name: str,
    value: Any,
    vocabularies: dict[str, dict[str, Term]],
    terms: dict[str, list[Term]],
    errors: ErrorCollector,
) -> None:
    if name == "provider":
        offer.provider = resolve_provider(value)
    elif name == "slug":
        slug = str(value or "").strip()
        if slug and slugify(slug) != slug:
            errors.add(
                "slug", _("Use lower-case letters, digits and hyphens only, such as “mid-digitalisierung”.")
            )
        offer.slug = slug[:120]
    elif name in TEXT_FIELDS:
        text = "" if value is None else str(value)
        if "\x00" in text:
            errors.add(name, _("The text contains a character that cannot be stored."))
        setattr(offer, name, text.strip() if name != "description" else text)
    elif name == "region_code":
        offer.region_code = str(value or "").strip()
    elif name in CHOICE_FIELDS:
        choices = CHOICE_FIELDS[name]
        text = str(value or "").strip()
        if text not in choices.values:
            errors.add(name, _unknown(name, text, [item for item in choices.values if item]))
        else:
            setattr(offer, name, text)
    elif name in LIST_FIELDS:
        items = split_list(value)
        allowed = LIST_FIELDS[name]
        bad = [item for item in items if item not in allowed]
        for item in bad:
            errors.add(name, _unknown(name, item, allowed))
        if not bad:
            setattr(offer, name, [item for item in allowed if item in items])  # once each, in order
    elif name in TERM_FIELDS:
        codes = vocabularies[name]
        chosen: list[Term] = []
        for code in split_list(value):
            key = code.lower()
            if name == "sectors" and key.isdigit() and len(key) == 1:
                key = f"0{key}"
            term = codes.get(key)
            if term is None:
                errors.add(name, _unknown(name, code, codes))
            elif term not in chosen:
                chosen.append(term)
        terms[name] = chosen
    elif name in AMOUNT_FIELDS:
        try:
            setattr(offer, name, _parse_amount(value))
        except (ValueError, InvalidOperation, TypeError):
            errors.add(
                name,
                _("%(field)s: “%(value)s” is no amount in EUR (a number such as 15000 or 15.000,00).")
                % {"field": field_label(name), "value": str(value)[:60]},
            )
    elif name in DATE_FIELDS:
        try:
            setattr(offer, name, _parse_date(value))
        except (ValueError, TypeError):
            errors.add(
                name,
                _("%(field)s: “%(value)s” is no date (2026-12-31 or 31.12.2026).")
                % {"field": field_label(name), "value": str(value)[:60]},
            )
    elif name == "is_example":
        try:
            offer.is_example = _parse_bool(value)
        except ValueError:
            errors.add(name, _("Give yes or no, not “%(value)s”.") % {"value": str(value)[:60]})


def _check_rules(offer: Offer, errors: ErrorCollector) -> None:
    level, code = offer.region_level, offer.region_code
    if "region_level" not in errors.errors and "region_code" not in errors.errors:
        if level in (Offer.RegionLevel.EU, Offer.RegionLevel.FEDERAL):
            offer.region_code = ""
        elif level == Offer.RegionLevel.STATE:
            offer.region_code = code.upper().removeprefix("DE-")
            if offer.region_code not in STATES:
                errors.add(
                    "region_code",
                    _("Fördergebiet Land: “%(value)s” is unknown; known: %(known)s")
                    % {"value": code[:60], "known": known_list(STATES)},
                )
        elif not code or slugify(code) != code:
            slug = slugify(code)
            if slug:
                offer.region_code = slug
            else:
                errors.add(
                    "region_code",
                    _("Name the district or city of the Fördergebiet (its short name, such as “bottrop”)."),
                )
    low, high = offer.amount_min, offer.amount_max
    if low is not None and high is not None and high < low and "amount_max" not in errors.errors:
        errors.add("amount_max", _("The amount up to is smaller than the amount from."))
    if offer.verified_on is not None and offer.verified_on > timezone.localdate():
        errors.add("verified_on", _("The date of the last verification lies in the future."))


def unique_offer_slug(title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:110] or "angebot"
    slug, number = base, 2
    existing = Offer.objects.exclude(pk=exclude_pk) if exclude_pk else Offer.objects.all()
    while existing.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _save_terms(offer: Offer, terms: dict[str, list[Term]]) -> None:
    for name, chosen in terms.items():
        getattr(offer, name).set(chosen)


# --- writes: offers ------------------------------------------------------------------------------------


@transaction.atomic
def create_offer(
    *, user: Any, data: dict[str, Any], vocabularies: dict[str, dict[str, Term]] | None = None
) -> Offer:
    _require(permissions.can_manage_offers(user), _("Only the office's staff add offers."))
    offer = Offer()
    terms = apply_offer_data(offer, data, vocabularies=vocabularies)
    if offer.slug:
        if Offer.objects.filter(slug=offer.slug).exists():
            raise ValidationError({"slug": [_("This short name is already taken.")]})
    else:
        offer.slug = unique_offer_slug(offer.title)
    offer.save()
    _save_terms(offer, terms)
    record_version(obj=offer, user=user, action="created", data=offer_state(offer), revision=1)
    content_changed()
    return offer


@transaction.atomic
def update_offer(
    *,
    user: Any,
    offer: Offer,
    data: dict[str, Any],
    expected_revision: int | None = None,
    vocabularies: dict[str, dict[str, Term]] | None = None,
) -> Offer:
    _require(
        permissions.can_edit_offer(user, offer),
        _("Only the office's staff and the providing organisation's members edit offers."),
    )
    if not permissions.is_office(user):
        refused = sorted(set(data) - permissions.PROVIDER_FIELDS)
        if refused:
            raise PermissionDenied(
                _("Only the office's staff change these fields: %(fields)s.")
                % {"fields": ", ".join(field_label(name) if name in FIELDS else name for name in refused)}
            )
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    check_revision(offer, expected_revision)
    terms = apply_offer_data(offer, data, vocabularies=vocabularies)
    if offer.slug and Offer.objects.filter(slug=offer.slug).exclude(pk=offer.pk).exists():
        raise ValidationError({"slug": [_("This short name is already taken.")]})
    if not offer.slug:
        offer.slug = unique_offer_slug(offer.title, exclude_pk=offer.pk)
    offer.save()
    _save_terms(offer, terms)
    if record_version(
        obj=offer, user=user, action="changed", data=offer_state(offer), revision=offer.revision + 1
    ):
        bump_revision(offer)
        offer.save(update_fields=["revision", "updated_at"])
    content_changed()
    return offer


@transaction.atomic
def verify_offer(*, user: Any, offer: Offer, on: dt.date | None = None) -> Offer:
    """The office checked the offer (still offered, the details right) on ``on`` (default today)."""
    _require(permissions.can_manage_offers(user), _("Only the office's staff verify offers."))
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"verified_on": [_("The date of the last verification lies in the future.")]})
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.verified_on == day:
        return offer
    offer.verified_on = day
    bump_revision(offer)
    offer.save(update_fields=["verified_on", "revision", "updated_at"])
    record_version(obj=offer, user=user, action="changed", data=offer_state(offer), revision=offer.revision)
    return offer


@transaction.atomic
def retire_offer(*, user: Any, offer: Offer) -> Offer:
    """Take the offer off the catalogue (kept for the recommendations and uptakes that name it)."""
    _require(permissions.can_manage_offers(user), _("Only the office's staff retire offers."))
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status == Offer.Status.RETIRED:
        return offer
    offer.status = Offer.Status.RETIRED
    bump_revision(offer)
    offer.save(update_fields=["status", "revision", "updated_at"])
    record_version(obj=offer, user=user, action="changed", data=offer_state(offer), revision=offer.revision)
    content_changed()
    return offer


# --- writes: recommendations and uptakes ------------------------------------------------------------


@transaction.atomic
def record_recommendations(
    *,
    user: Any,
    organisation: Organisation,
    recommendations: Sequence[matching.Recommendation],
    at: dt.datetime | None = None,
    labels: matching.Labels | None = None,
) -> list[Recommendation]:
    """Store which offers were recommended to the organisation (rank, score, reasons as snapshot)."""
    _require(
        permissions.can_record_recommendations(user), _("Only the office's staff record recommendations.")
    )
    if organisation.pk is None:
        raise ValidationError({"organisation": [_("Choose an organisation.")]})
    moment = at or timezone.now()
    keys = [item.offer.key for item in recommendations]
    offers = Offer.objects.in_bulk(keys, field_name="slug")
    missing = [key for key in keys if key not in offers]
    if missing:
        raise ValidationError({"offer": [_("Unknown offers: %(offers)s") % {"offers": known_list(missing)}]})
    rows = [
        Recommendation(
            organisation=organisation,
            offer=offers[item.offer.key],
            recommended_at=moment,
            rank=item.rank,
            score=Decimal(item.score.numerator) / Decimal(item.score.denominator),
            reasons=item.reasons_json(),
            text=item.text(labels),
            recorded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        for item in recommendations
    ]
    for row in rows:
        row.score = row.score.quantize(SCORE_PLACES)
    created = Recommendation.objects.bulk_create(rows)
    counter_changed(CHECK_RESULTS)  # the check's dashboard counts the recommendations
    return created


@transaction.atomic
def record_uptake(
    *,
    user: Any,
    organisation: Organisation,
    offer: Offer,
    taken_up_on: dt.date | None = None,
    note: str = "",
    recommendation: Recommendation | None = None,
) -> Uptake:
    """An advisor or the office records that the organisation took the offer up."""
    _require(
        permissions.can_record_uptake_of(user, offer),
        _("Only the office's staff and the offer's provider record that an offer was taken up."),
    )
    day = taken_up_on or timezone.localdate()
    note = (note or "").strip()
    errors = ErrorCollector()
    if organisation.pk is None:
        errors.add("organisation", _("Choose an organisation."))
    if day > timezone.localdate():
        errors.add("taken_up_on", _("The date lies in the future."))
    if len(note) > 2000:
        errors.add(
            "note",
            _("The note has %(length)s characters; at most 2000 are possible.") % {"length": len(note)},
        )
    if "\x00" in note:
        errors.add("note", _("The note contains a character that cannot be stored."))
    if recommendation is not None and (
        recommendation.organisation_id != organisation.pk or recommendation.offer_id != offer.pk
    ):
        errors.add("recommendation", _("The recommendation names another organisation or offer."))
    if not errors and Uptake.objects.filter(organisation=organisation, offer=offer, taken_up_on=day).exists():
        errors.add("taken_up_on", _("This uptake is already recorded for that day."))
    errors.raise_if_any()
    uptake = Uptake.objects.create(
        organisation=organisation,
        offer=offer,
        recommendation=recommendation,
        taken_up_on=day,
        note=note,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    counter_changed(CHECK_RESULTS)  # the check's dashboard counts the uptakes
    return uptake


# --- matching ---------------------------------------------------------------------------------------


def recommend_offers(
    *,
    user: Any,
    organisation: Organisation,
    today: dt.date | None = None,
    limit: int = 10,
    record: bool = False,
) -> list[matching.Recommendation]:
    """The offers that fit the organisation best; with ``record`` stored as recommendations."""
    _require(permissions.can_see_recommendations(user), _("Only the office's staff see recommendations."))
    day = today or timezone.localdate()
    business = businesses_for([organisation])[0]
    result = matching.match(business, matching_offers(today=day), today=day, limit=limit)
    if record and result:
        record_recommendations(user=user, organisation=organisation, recommendations=result, labels=labels())
    return result


def outreach(
    *,
    user: Any,
    offer: Offer,
    today: dt.date | None = None,
    limit: int = 50,
    kinds: Sequence[str] = ("company",),
) -> list[matching.BusinessMatch]:
    """The businesses the offer fits best, among those whose people consented to matching (office only)."""
    _require(
        permissions.can_see_recommendations(user),
        _("Only the office's staff see which businesses fit an offer."),
    )
    day = today or timezone.localdate()
    plain = matching_offers(Offer.objects.filter(pk=offer.pk), today=day)[0]
    organisations = consenting_organisations().filter(kind__in=kinds)
    return matching.best_businesses(plain, businesses_for(organisations), today=day, limit=limit)
