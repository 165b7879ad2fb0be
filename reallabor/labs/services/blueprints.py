"""Export and import of a whole lab as a blueprint (docs/blueprints.md).

The import checks the file in two stages and collects every problem before anything stays
written: first the format and the JSON Schema (``labs.blueprints``), then the database
(organisations and terms are resolved once up front, the lab's short name must be free, and
everything goes through ``create_lab``, ``set_lab_organisation`` and ``create_measure``, whose own
validation is part of the check). All of it happens in one transaction that is rolled back when
any problem showed up, or after a dry run.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.validation import ErrorCollector, error_dict
from reallabor.labs import blueprints, permissions
from reallabor.labs.models import Actor, Lab, Measure, TargetGroup
from reallabor.labs.services.common import _iso
from reallabor.labs.services.labs import create_lab, set_lab_organisation
from reallabor.labs.services.measures import create_measure
from reallabor.organisations.models import Organisation
from reallabor.organisations.services import create_organisation
from reallabor.taxonomy.models import Tag, Term, Vocabulary
from reallabor.taxonomy.services import create_term

LAB_TEXT_FIELDS = ("name", "summary", "background", "outlook", "phase", "funding_start", "funding_end")
MEASURE_TEXT_FIELDS = ("title", "summary", "status", "start", "end")


@dataclass
class ImportResult:
    """What an import created (a dry run: what it would have created; ``lab`` is None then)."""

    lab: Lab | None
    name: str
    slug: str
    measures: int
    created_organisations: list[str] = field(default_factory=list)
    created_terms: list[str] = field(default_factory=list)
    dry_run: bool = False


# Export -------------------------------------------------------------------------------------------


def _organisation_ref(organisation: Organisation | None) -> dict[str, Any] | None:
    return None if organisation is None else blueprints.organisation_ref(organisation.name, organisation.kind)


def _term_ref(term: Term) -> dict[str, Any]:
    return blueprints.term_ref(term.vocabulary.family, term.code, term.name, term.name_en)


def _measure_data(measure: Measure) -> dict[str, Any]:
    return {
        "title": measure.title,
        "slug": measure.slug,
        "summary": measure.summary,
        "status": measure.status,
        "start": _iso(measure.start),
        "end": _iso(measure.end),
        "coordinators": [_organisation_ref(org) for org in measure.coordinators.all()],
        "activities": [
            {"title": row.title, "start": _iso(row.start), "end": _iso(row.end), "text": row.text}
            for row in measure.activities.all()
        ],
        "financing": [
            {
                "source_kind": row.source_kind,
                "source": row.source,
                "amount": None if row.amount is None else str(row.amount),
                "start": _iso(row.start),
                "end": _iso(row.end),
            }
            for row in measure.financing.all()
        ],
        "actors": [
            {
                "organisation": _organisation_ref(row.organisation),
                "group_name": row.group_name,
                "role": row.role,
            }
            for row in measure.actors.all()
        ],
        "target_groups": [
            {"term": _term_ref(row.term), "added_value": row.added_value}
            for row in measure.target_groups.all()
        ],
        "results": [
            {"date": _iso(row.date), "text": row.text, "evidence_url": row.evidence_url}
            for row in measure.results.all()
        ],
        "tags": [
            {"term": _term_ref(tag.term), "priority": tag.priority, "share": tag.share, "note": tag.note}
            for tag in measure.tags.all()
        ],
    }


def export_blueprint(*, user: Any, lab: Lab) -> dict[str, Any]:
    """The lab, its organisations and its measures with their profiles and tags, as a blueprint.

    Publication state, members (users), history and evidence files do not travel. Constant
    number of queries, whatever the size of the lab.
    """
    if not permissions.can_export_blueprint(user, lab):
        raise PermissionDenied(_("Only administrators may export blueprints."))
    lab = Lab.objects.select_related("coordinator").get(pk=lab.pk)
    lab_organisations = lab.organisations.select_related("organisation").order_by(
        "organisation__name", "organisation__kind", "organisation_id"
    )
    measures = (
        Measure.objects.filter(lab=lab)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch("coordinators", queryset=Organisation.objects.order_by("name", "kind", "pk")),
            "activities",
            "financing",
            Prefetch("actors", queryset=Actor.objects.select_related("organisation")),
            Prefetch("target_groups", queryset=TargetGroup.objects.select_related("term__vocabulary")),
            "results",
            Prefetch("tags", queryset=Tag.objects.select_related("term__vocabulary")),
        )
    )
    data = {
        "name": lab.name,
        "slug": lab.slug,
        "summary": lab.summary,
        "background": lab.background,
        "outlook": lab.outlook,
        "phase": lab.phase,
        "funding_start": _iso(lab.funding_start),
        "funding_end": _iso(lab.funding_end),
        "coordinator": _organisation_ref(lab.coordinator),
        "organisations": [
            {"organisation": _organisation_ref(row.organisation), "role": row.role}
            for row in lab_organisations
        ],
        "measures": [_measure_data(measure) for measure in measures],
    }
    return blueprints.document(
        data,
        exported_at=timezone.now().replace(microsecond=0).isoformat(),
        city=settings.CITY_NAME,
        office=settings.OFFICE_NAME,
    )


# Import -------------------------------------------------------------------------------------------


class _Rollback(Exception):
    """Leaves the import's transaction without keeping anything."""


@dataclass
class _Import:
    user: Any
    errors: ErrorCollector = field(default_factory=ErrorCollector)
    organisations: dict[tuple[str, str], Organisation] = field(default_factory=dict)
    terms: dict[tuple[str, str], Term] = field(default_factory=dict)
    created_organisations: list[str] = field(default_factory=list)
    created_terms: list[str] = field(default_factory=list)

    def service_errors(self, error: ValidationError, prefix: str, before: set[str]) -> None:
        """A service's errors under ``prefix``, except where an earlier check already explains them."""
        for path, messages in error_dict(error).items():
            full = blueprints.join_path(prefix, path)
            if blueprints.covered_by(full, before):
                continue
            for message in messages:
                self.errors.add(full, message)

    def call[T](self, prefix: str, service: Callable[..., T], **kwargs: Any) -> T | None:
        """Call a service as the importing user; its validation errors become problems under ``prefix``."""
        before = set(self.errors.errors)
        try:
            return service(user=self.user, **kwargs)
        except ValidationError as error:
            self.service_errors(error, prefix, before)
        except DatabaseError as error:  # the services validate first; this is the last line of defence
            self.errors.add(prefix, _("This could not be saved: %(error)s") % {"error": error})
        return None

    # Organisations and terms, resolved once for the whole file.

    def resolve_organisations(self, lab: dict[str, Any]) -> None:
        refs = list(blueprints.organisation_refs(lab))
        kinds = {ref["kind"] for _path, ref in refs}
        for existing in Organisation.objects.filter(kind__in=kinds).order_by("pk"):
            self.organisations.setdefault((existing.name.strip().casefold(), existing.kind), existing)
        failed: set[tuple[str, str]] = set()
        for path, ref in refs:
            key = blueprints.organisation_key(ref)
            if key in self.organisations or key in failed:
                continue
            data = {"name": str(ref["name"]).strip(), "kind": ref["kind"]}
            created = self.call(path, create_organisation, data=data)
            if created is None:
                failed.add(key)
            else:
                self.organisations[key] = created
                self.created_organisations.append(f"{created.name} ({created.get_kind_display()})")

    def organisation(self, ref: dict[str, Any] | None) -> Organisation | None:
        return None if not ref else self.organisations.get(blueprints.organisation_key(ref))

    def resolve_terms(self, lab: dict[str, Any]) -> None:
        refs = list(blueprints.term_refs(lab))
        families = {ref["vocabulary"] for _path, ref in refs}
        vocabularies = {
            vocabulary.family: vocabulary
            for vocabulary in Vocabulary.objects.filter(family__in=families, retired_at__isnull=True)
        }
        codes = {ref["code"] for _path, ref in refs}
        for term in Term.objects.filter(
            vocabulary__in=list(vocabularies.values()), code__in=codes
        ).select_related("vocabulary"):
            self.terms[(term.vocabulary.family, term.code)] = term
        positions: dict[str, int] = {}
        failed: set[tuple[str, str]] = set()
        for path, ref in refs:
            key = blueprints.term_key(ref)
            if key in self.terms:
                continue
            vocabulary = vocabularies.get(ref["vocabulary"])
            if vocabulary is None:
                known = ", ".join(
                    sorted(
                        Vocabulary.objects.filter(retired_at__isnull=True).values_list("family", flat=True)
                    )
                )
                self.errors.add(
                    f"{path}.vocabulary",
                    _("There is no vocabulary “%(family)s” (known: %(known)s).")
                    % {"family": ref["vocabulary"], "known": known},
                )
            elif not vocabulary.is_editable:
                self.errors.add(
                    f"{path}.code",
                    _("There is no term “%(code)s” in the vocabulary “%(vocabulary)s”.")
                    % {"code": ref["code"], "vocabulary": vocabulary.label},
                )
            elif not str(ref.get("name") or "").strip():
                self.errors.add(
                    f"{path}.name",
                    _(
                        "“%(code)s” is not yet a term of “%(vocabulary)s”; give its name so that it can be created."
                    )
                    % {"code": ref["code"], "vocabulary": vocabulary.label},
                )
            elif key not in failed:
                if vocabulary.family not in positions:
                    positions[vocabulary.family] = vocabulary.terms.aggregate(m=Max("position"))["m"] or 0
                positions[vocabulary.family] += 1
                data = {
                    "code": ref["code"],
                    "name": str(ref["name"]).strip(),
                    "name_en": str(ref.get("name_en") or "").strip(),
                    "position": positions[vocabulary.family],
                }
                created = self.call(path, create_term, vocabulary=vocabulary, data=data)
                if created is None:
                    failed.add(key)
                else:
                    self.terms[key] = created
                    self.created_terms.append(f"{vocabulary.label}: {created.name} ({created.code})")

    def term(self, ref: dict[str, Any]) -> Term | dict[str, Any]:
        """The resolved term, or the reference as the services take it (they then name the problem)."""
        key = blueprints.term_key(ref)
        return self.terms.get(key) or {"family": key[0], "code": key[1]}

    # The lab and its measures.

    def lab_input(self, lab: dict[str, Any], slug: str) -> dict[str, Any]:
        data = {name: lab[name] for name in LAB_TEXT_FIELDS if name in lab}
        data["name"] = str(data.get("name", "")).strip()  # "   " is no name: the service then says so
        data.update(
            {"slug": slug, "coordinator": self.organisation(lab.get("coordinator")), "is_published": False}
        )
        return data

    def measure_input(self, measure: dict[str, Any], *, keep_slug: bool) -> dict[str, Any]:
        data: dict[str, Any] = {name: measure[name] for name in MEASURE_TEXT_FIELDS if name in measure}
        data["title"] = str(data.get("title", "")).strip()
        data["is_published"] = False
        if keep_slug and measure.get("slug"):
            data["slug"] = measure["slug"]
        if "coordinators" in measure:
            data["coordinators"] = [
                organisation
                for organisation in (self.organisation(ref) for ref in measure["coordinators"])
                if organisation is not None
            ]
        if "activities" in measure:
            data["activities"] = [dict(row) for row in measure["activities"]]
        if "financing" in measure:
            data["financing"] = [
                {**row, "amount": blueprints.normalise_amount(row.get("amount"))}
                for row in measure["financing"]
            ]
        if "actors" in measure:
            data["actors"] = [
                {**row, "organisation": self.organisation(row.get("organisation"))}
                for row in measure["actors"]
            ]
        if "target_groups" in measure:
            data["target_groups"] = [
                {**row, "term": self.term(row["term"])} for row in measure["target_groups"]
            ]
        if "results" in measure:
            data["results"] = [dict(row) for row in measure["results"]]
        if "tags" in measure:
            data["tags"] = [{**row, "term": self.term(row["term"])} for row in measure["tags"]]
        return data

    def write(self, lab_data: dict[str, Any], slug: str | None) -> Lab:
        for path, message in blueprints.duplicate_problems(lab_data):
            self.errors.add(path, message)
        duplicates = blueprints.duplicate_measure_indexes(
            (path, message) for path, messages in self.errors.errors.items() for message in messages
        )
        self.resolve_organisations(lab_data)
        self.resolve_terms(lab_data)

        slug = slug or lab_data.get("slug") or ""
        clash = Lab.objects.filter(slug=slug).first() if slug else None
        # Where the lab cannot be created as it is, a stand-in under a free short name takes its place,
        # so that the rest is checked as well; the transaction is rolled back then.
        stand_in_slug = f"blueprint-check-{uuid.uuid4().hex}"
        if clash is not None:
            self.errors.add(
                "lab.slug",
                _(
                    "The short name “%(slug)s” is already used by the lab “%(name)s”; import under another "
                    "short name (command line: --as NEW-SLUG)."
                )
                % {"slug": slug, "name": clash.name},
            )
        data = self.lab_input(lab_data, stand_in_slug if clash else slug)
        lab = self.call("lab", create_lab, data=data)
        if lab is None:
            lab = create_lab(user=self.user, data={"name": "Blueprint check", "slug": stand_in_slug})

        for index, row in enumerate(lab_data.get("organisations") or []):
            organisation = self.organisation(row["organisation"])
            if organisation is None or f"lab.organisations[{index}].organisation" in self.errors.errors:
                continue
            role = row.get("role") or "partner"
            self.call(
                f"lab.organisations[{index}]",
                set_lab_organisation,
                lab=lab,
                organisation=organisation,
                role=role,
            )

        for index, measure in enumerate(lab_data.get("measures") or []):
            data = self.measure_input(measure, keep_slug=index not in duplicates)
            self.call(f"lab.measures[{index}]", create_measure, lab=lab, data=data)
        return lab


def import_blueprint(*, user: Any, data: Any, slug: str | None = None, dry_run: bool = False) -> ImportResult:
    """Create a lab with its measures from a blueprint (parsed JSON), all of it or nothing.

    ``slug`` imports under another short name than the file's. The lab and its measures start
    unpublished. Raises ValidationError keyed by paths such as ``lab.measures[2].financing[0].amount``
    (``__all__``: the file as a whole), having written nothing; with ``dry_run`` only checks.
    """
    if not permissions.can_import_blueprint(user):
        raise PermissionDenied(_("Only administrators may import blueprints."))
    problems = blueprints.validate_document(data)
    if problems:
        raise blueprints.as_validation_error(problems)

    work = _Import(user=user)
    result: ImportResult | None = None
    try:
        with transaction.atomic():
            lab = work.write(data["lab"], slug)
            result = ImportResult(
                lab=None if dry_run else lab,
                name=lab.name,
                slug=lab.slug,
                measures=len(data["lab"].get("measures") or []),
                created_organisations=work.created_organisations,
                created_terms=work.created_terms,
                dry_run=dry_run,
            )
            if work.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if work.errors:
        problems = [(path, message) for path, messages in work.errors.errors.items() for message in messages]
        raise blueprints.as_validation_error(blueprints.in_document_order(problems))
    assert result is not None
    return result
