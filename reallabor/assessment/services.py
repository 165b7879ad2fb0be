"""Every write to stored checks goes through these functions.

Keyword-only arguments, the acting ``user`` (``None``: the system — CLI, demo loader), and ``link``:
True when the caller found the response through its valid personal link (``links.response_from_link``),
which makes the caller the business the response belongs to. Each function checks its permission
(``PermissionDenied``), raises ``ValidationError({field: [messages]})`` for bad input (answers under
``answers.<question>``, relevance under ``relevance.<dimension>``) and changes nothing then.

An anonymous check that is not saved never reaches the database: ``preview_check`` scores it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.assessment import dashboard_data, engine, permissions, scoring
from reallabor.assessment.models import DIMENSIONS, Questionnaire, Response, ResponseLog, Share
from reallabor.core.validation import ErrorCollector
from reallabor.organisations.models import Organisation

DEFAULT_QUESTIONNAIRE: Final = "dma-handwerk"
CONTEXT_FIELDS: Final = ("trade", "headcount_band", "founding_year", "district", "benchmark_consent")
MIN_FOUNDING_YEAR: Final = 1000
MAX_DISTRICT_LENGTH: Final = 100


# --- questionnaire versions ------------------------------------------------------------------------


def _definition_file_data(slug: str, version: int) -> Any:
    path = engine.questionnaires_dir() / slug / f"v{version}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def digest_of(data: Any) -> str:
    """The SHA-256 of a definition's canonical JSON (key order and spacing do not matter)."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def questionnaire_version(slug: str, version: int) -> Questionnaire:
    """The stored snapshot of the definition file as it is now (made on first use)."""
    data = _definition_file_data(slug, version)
    digest = digest_of(data)
    row = Questionnaire.objects.filter(slug=slug, version=version, digest=digest).first()
    if row is None:
        row, _created = Questionnaire.objects.get_or_create(
            slug=slug, version=version, digest=digest, defaults={"definition": data}
        )
    return row


def _current_definition(slug: str, version: int | None, *, field: str = "questionnaire") -> engine.Definition:
    """The definition new answers go to; refuses unknown and retired versions, naming the field."""
    try:
        definition = engine.load_definition(slug, version)
    except engine.UnknownQuestionnaire:
        if version is not None and engine.questionnaire_versions(slug):
            raise ValidationError(
                {
                    "version": [
                        _("The questionnaire %(name)s has no version %(version)s.")
                        % {"name": slug, "version": version}
                    ]
                }
            ) from None
        raise ValidationError(
            {field: [_("There is no questionnaire %(name)s to answer.") % {"name": slug}]}
        ) from None
    if definition.retired:
        raise ValidationError({"version": [_retired_message(definition)]})
    return definition


def _retired_message(definition: engine.Definition) -> str:
    current = engine.current_version(definition.slug)
    return _(
        "Version %(version)s of %(name)s is retired and takes no new answers; please answer version %(current)s."
    ) % {"version": definition.version, "name": definition.slug, "current": current or "–"}


# --- errors ----------------------------------------------------------------------------------------


def answer_errors(error: engine.AnswerError) -> dict[str, list[str]]:
    """``AnswerError.problems`` as field errors: ``answers.4a``, ``relevance.2``, ``version``, ``__all__``.

    Each message is the problem as the engine words it, naming the question and item ("5a, item 3: …").
    """
    errors: dict[str, list[str]] = {}
    for problem in error.problems:
        if problem.question == "relevance":
            key = f"relevance.{problem.item}" if problem.item else "relevance"
        elif problem.question in ("questionnaire", "version", "answers"):
            key = problem.question
        elif problem.question:
            key = f"answers.{problem.question}"
        else:
            key = "__all__"
        errors.setdefault(key, []).append(str(problem))
    return errors


# --- scoring without storing -----------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    answers: engine.Answers
    definition: engine.Definition
    result: scoring.Result


def preview_check(*, data: Any) -> Preview:
    """Score a complete answer file without storing anything (the anonymous check)."""
    if not isinstance(data, dict):
        raise ValidationError({"__all__": [_("The answers must be one JSON object.")]})
    slug = data.get("questionnaire", DEFAULT_QUESTIONNAIRE)
    version = data.get("version")
    definition = _current_definition(slug, version if isinstance(version, int) else None)
    try:
        answers = engine.validate_answers(definition, data)
    except engine.AnswerError as error:
        raise ValidationError(answer_errors(error)) from None
    if definition.scoring != scoring.DMA:
        raise ValidationError(
            {"questionnaire": [_("The questionnaire %(name)s is not scored.") % {"name": slug}]}
        )
    return Preview(answers=answers, definition=definition, result=scoring.score(definition, answers))


# --- context data ----------------------------------------------------------------------------------


def context_of(organisation: Organisation) -> dict[str, Any]:
    """The context data dma.md asks once per business, as the organisation's profile has it."""
    return {
        "trade": organisation.trade,
        "headcount_band": organisation.headcount_band,
        "founding_year": organisation.founding_year,
        "district": organisation.district,
    }


def _apply_context(response: Response, data: Mapping[str, Any], errors: ErrorCollector) -> None:
    from reallabor.organisations.services import resolve_classification

    for key in data:
        if key not in CONTEXT_FIELDS:
            errors.add(key, _("unknown field (allowed: %(fields)s)") % {"fields": ", ".join(CONTEXT_FIELDS)})
    if "trade" in data:
        try:
            trade = resolve_classification("trade", data["trade"])
        except ValidationError as error:
            errors.add_validation_error(error)
        else:
            response.trade = trade
    if "headcount_band" in data:
        band = data["headcount_band"] if data["headcount_band"] is not None else ""
        if band not in ("", *Organisation.HeadcountBand.values):
            errors.add(
                "headcount_band",
                _("“%(value)s” is no headcount band (one of %(bands)s).")
                % {"value": str(band)[:40], "bands": ", ".join(Organisation.HeadcountBand.values)},
            )
        else:
            response.headcount_band = band
    if "founding_year" in data:
        year = data["founding_year"]
        if year in (None, ""):
            response.founding_year = None
        elif type(year) is not int or not MIN_FOUNDING_YEAR <= year <= timezone.now().year:
            errors.add(
                "founding_year",
                _("“%(value)s” is no founding year (a year from %(min)s to %(max)s).")
                % {"value": str(year)[:40], "min": MIN_FOUNDING_YEAR, "max": timezone.now().year},
            )
        else:
            response.founding_year = year
    if "district" in data:
        district = data["district"] if data["district"] is not None else ""
        if not isinstance(district, str) or len(district) > MAX_DISTRICT_LENGTH:
            errors.add(
                "district",
                _("Give the district as a text of at most %(max)s characters.")
                % {"max": MAX_DISTRICT_LENGTH},
            )
        else:
            response.district = district.strip()
    if "benchmark_consent" in data:
        if not isinstance(data["benchmark_consent"], bool):
            errors.add("benchmark_consent", _("Answer yes (true) or no (false)."))
        else:
            response.benchmark_consent = data["benchmark_consent"]


# --- the log ---------------------------------------------------------------------------------------


def _actor(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _log(response: Response, action: str, user: Any, *, link: bool = False, **detail: Any) -> None:
    ResponseLog.objects.create(
        response=response,
        response_uuid=response.uuid,
        action=action,
        user=_actor(user),
        by_link=link
        and not permissions.is_office(user)
        and not permissions.is_member(user, response.organisation_id),
        detail=detail,
    )


# --- writes ----------------------------------------------------------------------------------------


@transaction.atomic
def start_check(
    *,
    user: Any,
    questionnaire: str = DEFAULT_QUESTIONNAIRE,
    organisation: Organisation | None = None,
    person: Any = None,
    source: str = Response.Source.ONLINE,
    context: Mapping[str, Any] | None = None,
) -> Response:
    """A new draft of the current version of ``questionnaire``, optionally of an organisation.

    Context data: given, or copied from the organisation's profile. Only the office names a person
    (personal data of the actors app).
    """
    if not permissions.can_start_check(user, organisation) or (
        person is not None and not permissions.is_office(user)
    ):
        raise PermissionDenied
    errors = ErrorCollector()
    if source not in Response.Source.values:
        errors.add(
            "source",
            _("unknown source (one of %(sources)s)") % {"sources": ", ".join(Response.Source.values)},
        )
    definition = _current_definition(questionnaire, None)
    response = Response(
        questionnaire=questionnaire_version(definition.slug, definition.version),
        organisation=organisation,
        person=person,
        source=source if source in Response.Source.values else Response.Source.ONLINE,
        entered_by=_actor(user),
    )
    if organisation is not None:
        for key, value in context_of(organisation).items():
            setattr(response, key, value if value is not None else getattr(response, key))
    _apply_context(response, context or {}, errors)
    errors.raise_if_any()
    response.save()
    _log(
        response, ResponseLog.Action.STARTED, user, questionnaire=definition.slug, version=definition.version
    )
    return response


def _lock(response: Response) -> Response:
    """The response re-read under a row lock (None when deleted in between: treated as invalid)."""
    locked = (
        Response.objects.select_for_update().select_related("questionnaire").filter(pk=response.pk).first()
    )
    if locked is None:
        raise ValidationError({"__all__": [_("This check no longer exists.")]})
    return locked


def _require_draft(response: Response) -> None:
    if not response.is_draft:
        raise ValidationError(
            {"status": [_("This check was submitted already; start a new one to answer again.")]}
        )


@transaction.atomic
def save_answers(*, user: Any, response: Response, data: Mapping[str, Any], link: bool = False) -> Response:
    """Save part of the answers of a draft: ``{"answers": {question: answer|null}, "relevance": {dimension:
    level|null}, "context": {…}}``, each optional. Given answers replace the stored ones per question
    (``null`` removes one); what is there is checked (a draft may be incomplete)."""
    if not permissions.can_answer(user, response, link=link):
        raise PermissionDenied
    response = _lock(response)
    _require_draft(response)
    if not isinstance(data, Mapping):
        raise ValidationError({"__all__": [_("Send an object with answers, relevance and context.")]})
    errors = ErrorCollector()
    for key in data:
        if key not in ("answers", "relevance", "context"):
            errors.add(key, _("unknown field (allowed: answers, relevance, context)"))
    definition = _current_definition(response.questionnaire.slug, response.questionnaire.version)
    answers = dict(response.answers)
    relevance = dict(response.relevance or {})
    for name, target in (("answers", answers), ("relevance", relevance)):
        given = data.get(name)
        if given is None:
            continue
        if not isinstance(given, Mapping):
            errors.add(name, _("Send an object of question ids (or dimensions) and answers."))
            continue
        for key, value in given.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value
    file = {"answers": answers, "relevance": relevance or None}
    try:
        checked = engine.validate_answers(definition, file, partial=True)
    except engine.AnswerError as error:
        for key, messages in answer_errors(error).items():
            for message in messages:
                errors.add(key, message)
        checked = None
    context = data.get("context")
    if context is not None:
        if isinstance(context, Mapping):
            _apply_context(response, context, errors)
        else:
            errors.add("context", _("Send an object of context data."))
    errors.raise_if_any()
    assert checked is not None
    response.answers = checked.values
    response.relevance = checked.relevance or None
    response.save()
    _log(response, ResponseLog.Action.SAVED, user, link=link, questions=sorted(_given_keys(data)))
    return response


def _given_keys(data: Mapping[str, Any]) -> set[str]:
    given = data.get("answers")
    return set(given) if isinstance(given, Mapping) else set()


@transaction.atomic
def set_context(*, user: Any, response: Response, data: Mapping[str, Any], link: bool = False) -> Response:
    """Change the context data (also of a submitted result: the business corrects its trade)."""
    if not permissions.can_answer(user, response, link=link):
        raise PermissionDenied
    response = _lock(response)
    errors = ErrorCollector()
    if not isinstance(data, Mapping):
        raise ValidationError({"context": [_("Send an object of context data.")]})
    _apply_context(response, data, errors)
    errors.raise_if_any()
    response.save()
    _log(response, ResponseLog.Action.CONTEXT, user, link=link, fields=sorted(data))
    if response.status == Response.Status.SUBMITTED:
        dashboard_data.results_changed()  # the result may move to another group of the dashboard
    return response


def rescore(response: Response) -> scoring.Result | None:
    """The result of a response's stored answers, computed again (None: not a scored questionnaire)."""
    definition = response.definition()
    if definition.scoring != scoring.DMA:
        return None
    return scoring.score(definition, response.to_answers())


def _store_scores(response: Response, result: scoring.Result | None) -> None:
    if result is None:
        return
    response.overall = scoring.round_half_up(result.overall)
    response.band = result.band.key
    exact: dict[str, Any] = {"overall": str(result.overall), "dimensions": {}, "gaps": {}}
    for dimension in result.dimensions:
        exact["dimensions"][dimension.id] = str(dimension.score)
        if dimension.gap is not None:
            exact["gaps"][dimension.id] = str(dimension.gap)
        if dimension.id in DIMENSIONS:
            setattr(response, f"score_{dimension.id}", scoring.round_half_up(dimension.score))
            gap = scoring.round_half_up(dimension.gap) if dimension.gap is not None else None
            setattr(response, f"gap_{dimension.id}", gap)
    response.exact = exact


@transaction.atomic
def submit_check(
    *, user: Any, response: Response, link: bool = False, submitted_at: dt.datetime | None = None
) -> Response:
    """Check the draft's answers completely, score them, store the scores and submit.

    Refused: an incomplete or invalid answer (every problem under ``answers.<question>``), a retired
    questionnaire version. A draft started before its definition file changed is checked against the
    file as it is now and then refers to that snapshot.
    """
    if not permissions.can_answer(user, response, link=link):
        raise PermissionDenied
    response = _lock(response)
    _require_draft(response)
    definition = _current_definition(response.questionnaire.slug, response.questionnaire.version)
    try:
        answers = engine.validate_answers(definition, response.answer_file())
    except engine.AnswerError as error:
        raise ValidationError(answer_errors(error)) from None
    response.questionnaire = questionnaire_version(definition.slug, definition.version)
    response.answers = answers.values
    response.relevance = answers.relevance
    _store_scores(response, rescore(response))
    response.status = Response.Status.SUBMITTED
    response.submitted_at = submitted_at or timezone.now()
    response.save()
    _log(response, ResponseLog.Action.SUBMITTED, user, link=link)
    if response.organisation_id is not None:
        relink_retakes(response.organisation_id)
        response.refresh_from_db(fields=["previous"])
    return response


def relink_retakes(organisation_id: int) -> None:
    """Each submitted result of the organisation refers to the one submitted before it (re-takes).

    Called after every change of an organisation's submitted results (submit, import, link,
    delete, merge): the office's dashboard becomes stale too."""
    dashboard_data.results_changed()
    rows = list(
        Response.objects.filter(organisation_id=organisation_id, status=Response.Status.SUBMITTED)
        .order_by("submitted_at", "id")
        .values_list("pk", "previous_id")
    )
    earlier: int | None = None
    for pk, previous in rows:
        if previous != earlier:
            Response.objects.filter(pk=pk).update(previous_id=earlier)
        earlier = pk
    Response.objects.filter(organisation_id=organisation_id, status=Response.Status.DRAFT).exclude(
        previous_id=None
    ).update(previous_id=None)


@transaction.atomic
def link_to_organisation(
    *, user: Any, response: Response, organisation: Organisation, link: bool = False
) -> Response:
    """The business agrees to keep the check with its organisation (a member of it, or the office).

    A response that belongs to another organisation already is not moved (except by the office).
    """
    if not permissions.can_link_to_organisation(user, response, organisation, link=link):
        raise PermissionDenied
    response = _lock(response)
    before = response.organisation_id
    if before == organisation.pk:
        return response
    if before is not None and not permissions.is_office(user):
        raise ValidationError({"organisation": [_("This check belongs to another organisation already.")]})
    response.organisation = organisation
    if response.founding_year is None and response.headcount_band == "" and response.trade_id is None:
        for key, value in context_of(organisation).items():
            setattr(response, key, value if value is not None else getattr(response, key))
    response.save()
    _log(response, ResponseLog.Action.LINKED, user, link=link, organisation=organisation.slug)
    if before is not None:
        relink_retakes(before)
    relink_retakes(organisation.pk)
    response.refresh_from_db(fields=["previous"])
    return response


@transaction.atomic
def share_with(*, user: Any, response: Response, organisation: Organisation, link: bool = False) -> Share:
    """Let the members of ``organisation`` (e.g. the chamber's advisors) see the result."""
    if not permissions.can_share(user, response, link=link):
        raise PermissionDenied
    if organisation.pk == response.organisation_id:
        raise ValidationError({"organisation": [_("The check belongs to this organisation already.")]})
    share, created = Share.objects.get_or_create(
        response=response, organisation=organisation, defaults={"shared_by": _actor(user)}
    )
    if created:
        _log(response, ResponseLog.Action.SHARED, user, link=link, organisation=organisation.slug)
    return share


@transaction.atomic
def unshare(*, user: Any, response: Response, organisation: Organisation, link: bool = False) -> bool:
    """Stop sharing with ``organisation``; True when it was shared."""
    if not permissions.can_unshare(user, response, link=link):
        raise PermissionDenied
    deleted, _rows = Share.objects.filter(response=response, organisation=organisation).delete()
    if deleted:
        _log(response, ResponseLog.Action.UNSHARED, user, link=link, organisation=organisation.slug)
    return bool(deleted)


@transaction.atomic
def delete_response(*, user: Any, response: Response, link: bool = False) -> None:
    """Delete a result for good (data protection); the log keeps only that it was deleted, by whom."""
    if not permissions.can_delete_response(user, response, link=link):
        raise PermissionDenied
    organisation_id = response.organisation_id
    _log(response, ResponseLog.Action.DELETED, user, link=link)
    response.delete()
    if organisation_id is not None:
        relink_retakes(organisation_id)


# --- imported answer files ---------------------------------------------------------------------------

IMPORT_KEYS: Final = ("organisation", "context", "date")


def _import_date(value: Any, errors: ErrorCollector) -> dt.datetime | None:
    """``"2025-03-14"`` (noon in Berlin) or an ISO date and time; None when absent."""
    if value is None:
        return None
    parsed: dt.datetime | None = None
    if isinstance(value, str):
        try:
            if len(value) == 10:
                day = dt.date.fromisoformat(value)
                parsed = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())
            else:
                parsed = dt.datetime.fromisoformat(value)
                if timezone.is_naive(parsed):
                    parsed = timezone.make_aware(parsed)
        except ValueError:
            parsed = None
    if parsed is None:
        errors.add("date", _("“%(value)s” is no date (e.g. 2025-03-14).") % {"value": str(value)[:40]})
        return None
    if parsed > timezone.now() + dt.timedelta(days=1):
        errors.add("date", _("%(value)s is in the future.") % {"value": value})
        return None
    return parsed


@transaction.atomic
def import_check(*, user: Any, data: Any) -> Response:
    """Store one answer file collected elsewhere as a submitted result (source: import).

    Besides the answer file's keys the file may name ``organisation`` (its short name), ``context``
    (trade code, headcount band, founding year, district, benchmark consent) and ``date`` (when the
    check was done; default now). Everything is checked first; a bad file stores nothing.
    """
    if not permissions.can_import_checks(user):
        raise PermissionDenied
    if not isinstance(data, dict):
        raise ValidationError({"__all__": [_("The file must hold one JSON object.")]})
    errors = ErrorCollector()
    organisation = None
    slug = data.get("organisation")
    if slug is not None:
        organisation = Organisation.objects.filter(slug=slug).first() if isinstance(slug, str) else None
        if organisation is None:
            errors.add(
                "organisation",
                _("There is no organisation with the short name “%(slug)s”.") % {"slug": str(slug)[:80]},
            )
    submitted_at = _import_date(data.get("date"), errors)
    answer_file = {key: value for key, value in data.items() if key not in IMPORT_KEYS}
    answers: engine.Answers | None = None
    try:
        answers = engine.check_answer_file(answer_file)
    except engine.AnswerError as error:
        for key, messages in answer_errors(error).items():
            for message in messages:
                errors.add(key, message)
    response = Response(
        organisation=organisation,
        source=Response.Source.IMPORT,
        entered_by=_actor(user),
        status=Response.Status.DRAFT,
    )
    if organisation is not None:
        for key, value in context_of(organisation).items():
            setattr(response, key, value if value is not None else getattr(response, key))
    context = data.get("context")
    if context is not None:
        if isinstance(context, Mapping):
            _apply_context(response, context, errors)
        else:
            errors.add("context", _("Send an object of context data."))
    errors.raise_if_any()
    assert answers is not None
    response.questionnaire = questionnaire_version(answers.questionnaire, answers.version)
    response.answers = answers.values
    response.relevance = answers.relevance
    _store_scores(response, rescore(response))
    response.status = Response.Status.SUBMITTED
    response.submitted_at = submitted_at or timezone.now()
    response.save()
    _log(response, ResponseLog.Action.IMPORTED, user, organisation=organisation.slug if organisation else "")
    if organisation is not None:
        relink_retakes(organisation.pk)
        response.refresh_from_db(fields=["previous"])
    return response
