"""The benchmark data generator: a realistic portfolio at any scale, written with bulk_create.

``generate(counts, seed)`` fills the current default database (the benchmark database, or the
test database in tests). It bypasses the services for speed but writes valid data: every model
constraint holds, shares per vocabulary family add up to at most 100 %, every tag sits on a
term of a current vocabulary, and each lab, measure and organisation has its "created" version
in the history, as the services would have written it.

``python -m bench.generate --scale city`` builds (or reuses) the benchmark database of a scale,
see ``bench.database``.
"""

from __future__ import annotations

import datetime
import random
import sys
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bench import content, states
from bench.actors_data import ActorsGenerator, organisation_fields

if TYPE_CHECKING:
    # Models are imported inside the functions: the runner imports this module (for SCALES)
    # before Django is set up.
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Model

    from reallabor.history.models import Version
    from reallabor.labs.models import Activity, Actor, Financing, Measure, Result, TargetGroup
    from reallabor.taxonomy.models import Tag, Term

GENERATOR_VERSION = 2
DEFAULT_SEED = 20260
BATCH = 5000  # objects built in memory before each bulk_create


@dataclass(frozen=True)
class Counts:
    labs: int
    measures: int
    organisations: int
    members: int = 6  # signed-in lab members (coordinators and partners), besides one reader and one admin
    people: int = 0
    interactions: int = 0


SCALES: dict[str, Counts] = {
    "city": Counts(labs=10, measures=200, organisations=2_000, people=5_000, interactions=20_000),
    "nation": Counts(
        labs=1_000, measures=20_000, organisations=200_000, people=500_000, interactions=2_000_000
    ),
}

READER_EMAIL = "reader@bench.example"
ADMIN_EMAIL = "admin@bench.example"
BENCH_EMAIL_DOMAIN = "@bench.example"


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sizes(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` split over ``parts`` around the mean, with some spread (sums to ``total``)."""
    if parts <= 0:
        return []
    sizes = [total // parts + (1 if index < total % parts else 0) for index in range(parts)]
    for _ in range(parts * 2):
        a, b = rng.randrange(parts), rng.randrange(parts)
        move = min(rng.randint(0, max(1, sizes[a] // 4)), sizes[a] - 1)
        if a != b and move > 0:
            sizes[a] -= move
            sizes[b] += move
    return sizes


# Generation -----------------------------------------------------------------------------------------


def _ensure_terms(family: str, entries: list[tuple[str, str, str]]) -> list[Term]:
    """The current version's terms of ``family``, creating the given ones that are missing."""
    from reallabor.taxonomy.models import Term, Vocabulary

    vocabulary = Vocabulary.objects.get(family=family, retired_at__isnull=True)
    existing = set(vocabulary.terms.values_list("code", flat=True))
    Term.objects.bulk_create(
        [
            Term(vocabulary=vocabulary, code=code, name=name, name_en=name_en, position=position)
            for position, (code, name, name_en) in enumerate(entries, start=1)
            if code not in existing
        ]
    )
    return list(vocabulary.terms.select_related("vocabulary").order_by("position", "code"))


def generate(counts: Counts, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Fill the default database with a portfolio of ``counts``; returns the rows written per table.

    Runs in one transaction. Expects the migrated vocabularies (SDGs; megatrends, strategy goals
    and target groups are filled where terms are missing) and no earlier generated data.
    """
    from django.db import transaction

    with transaction.atomic():
        return _Generator(counts, random.Random(seed)).run()


class _Generator:
    def __init__(self, counts: Counts, rng: random.Random) -> None:
        self.counts = counts
        self.rng = rng
        self.written: dict[str, int] = {}

    def _write(self, model: type[Model], objects: Sequence[Any]) -> list[Any]:
        created: list[Any] = []
        for chunk in _chunks(objects, BATCH):
            created.extend(model._default_manager.bulk_create(chunk))
        key = model._meta.label_lower
        self.written[key] = self.written.get(key, 0) + len(objects)
        return created

    def run(self) -> dict[str, int]:
        from django.contrib.contenttypes.models import ContentType

        from reallabor.labs.models import Lab, Measure
        from reallabor.organisations.models import Organisation
        from reallabor.taxonomy.models import (
            MEGATREND_FAMILY,
            SDG_FAMILY,
            STRATEGY_FAMILY,
            TARGET_GROUP_FAMILY,
            Vocabulary,
        )

        self.ct_lab = ContentType.objects.get_for_model(Lab)
        self.ct_measure = ContentType.objects.get_for_model(Measure)
        self.ct_organisation = ContentType.objects.get_for_model(Organisation)
        sdg = Vocabulary.objects.get(family=SDG_FAMILY, retired_at__isnull=True)
        sdg_terms = list(sdg.terms.select_related("vocabulary"))
        self.sdg_goals = {term.code: term for term in sdg_terms if term.parent_id is None}
        goal_codes = {term.pk: term.code for term in self.sdg_goals.values()}
        self.sdg_targets: dict[str, list[Term]] = {code: [] for code in self.sdg_goals}
        for term in sdg_terms:
            if term.parent_id is not None:
                self.sdg_targets[goal_codes[term.parent_id]].append(term)
        self.megatrends = _ensure_terms(MEGATREND_FAMILY, content.MEGATRENDS)
        self.strategy_goals = _ensure_terms(STRATEGY_FAMILY, content.STRATEGY_GOALS)
        self.target_groups = _ensure_terms(TARGET_GROUP_FAMILY, content.TARGET_GROUPS)

        self.organisations()
        self.users()
        self.labs()
        self.measures()
        ActorsGenerator(self, self.counts.people, self.counts.interactions).run()
        return dict(sorted(self.written.items()))

    # Organisations ----------------------------------------------------------------------------------

    def organisations(self) -> None:
        from reallabor.history.models import Version
        from reallabor.organisations.models import Organisation

        rng = self.rng
        kinds, weights = list(content.ORG_KIND_WEIGHTS), list(content.ORG_KIND_WEIGHTS.values())
        self.org_ids: list[int] = []
        self.org_slugs: list[str] = []
        self.org_slug_by_id: dict[int, str] = {}
        total = self.counts.organisations
        from reallabor.organisations.keys import name_key, web_domain
        from reallabor.taxonomy.models import SECTOR_FAMILY, TRADES_FAMILY, Term

        divisions = list(
            Term.objects.filter(vocabulary__family=SECTOR_FAMILY, parent__isnull=False).values_list(
                "pk", flat=True
            )
        )
        trades = list(
            Term.objects.filter(vocabulary__family=TRADES_FAMILY, parent__isnull=False).values_list(
                "pk", flat=True
            )
        )
        for start in range(0, total, BATCH):
            batch: list[Organisation] = []
            for index in range(start, min(start + BATCH, total)):
                kind = rng.choices(kinds, weights)[0]
                first, first_slug = rng.choice(content.ORG_FIRST)
                second, second_slug = rng.choice(content.ORG_SECOND[kind])
                name = f"{first} {second}" if kind != "company" else f"{second} {first}"
                slug = f"{first_slug}-{second_slug}-{index + 1}"
                district = rng.choice(content.DISTRICTS) if rng.random() < 0.8 else ""
                website = f"https://{slug}.example.org/" if rng.random() < 0.5 else ""
                full_name = f"{name} {index + 1}" if index >= len(content.ORG_FIRST) else name
                batch.append(
                    Organisation(
                        name=full_name,
                        slug=slug,
                        kind=kind,
                        street=f"{rng.choice(content.STREETS)} {rng.randint(1, 180)}",
                        postcode=f"462{rng.randint(10, 49)}",
                        city="Bottrop",
                        district=district,
                        website=website,
                        name_key=name_key(full_name),
                        web_domain=web_domain(website),
                        **organisation_fields(rng, kind, slug, divisions, trades),
                    )
                )
            created = self._write(Organisation, batch)
            self._write(
                Version,
                [
                    self._version(
                        self.ct_organisation,
                        org,
                        states.organisation_state(org),
                    )
                    for org in created
                ],
            )
            for org in created:
                self.org_ids.append(org.pk)
                self.org_slugs.append(org.slug)
                self.org_slug_by_id[org.pk] = org.slug

    def _version(self, content_type: ContentType, obj: Model, data: dict[str, Any]) -> Version:
        from reallabor.history.diff import diff_states
        from reallabor.history.models import Version

        return Version(
            content_type=content_type,
            object_id=obj.pk,
            object_repr=str(obj)[:300],
            revision=1,
            action=Version.Action.CREATED,
            data=data,
            changes=diff_states(None, data),
        )

    # Users ------------------------------------------------------------------------------------------

    def users(self) -> None:
        from django.contrib.auth.hashers import make_password

        from reallabor.accounts.models import User

        unusable = make_password(None)
        users = [
            User(email=READER_EMAIL, first_name="Rita", last_name="Leser", role=User.Role.READER),
            User(email=ADMIN_EMAIL, first_name="Anton", last_name="Verwaltung", role=User.Role.ADMINISTRATOR),
        ]
        users += [
            User(email=f"member{number}{BENCH_EMAIL_DOMAIN}", first_name="Mitglied", last_name=str(number))
            for number in range(1, self.counts.members + 1)
        ]
        for user in users:
            user.password = unusable
        created = self._write(User, users)
        self.members = [user for user in created if user.role == User.Role.MEMBER]

    # Labs -----------------------------------------------------------------------------------------------

    def labs(self) -> None:
        from reallabor.history.models import Version
        from reallabor.labs.models import Lab, LabMembership, LabOrganisation

        rng = self.rng
        total = self.counts.labs
        self.lab_org_indexes: list[list[int]] = []
        labs: list[Lab] = []
        lab_orgs: list[tuple[int, list[tuple[int, str]]]] = []  # (lab index, [(org index, role)])
        n_orgs = len(self.org_ids)
        for index in range(total):
            theme = content.LAB_THEMES[index % len(content.LAB_THEMES)]
            name = (
                theme
                if index < len(content.LAB_THEMES)
                else f"{theme} {index // len(content.LAB_THEMES) + 1}"
            )
            start = content.day(rng, 2018, 2024)
            end = start + datetime.timedelta(days=rng.randint(365, 1500)) if rng.random() < 0.8 else None
            org_indexes = rng.sample(range(n_orgs), min(n_orgs, rng.randint(3, 8))) if n_orgs else []
            coordinator = org_indexes[0] if org_indexes else None
            self.lab_org_indexes.append(org_indexes)
            roles = [(org, "coordination" if position == 0 else rng.choice(["partner", "partner", "science", "supporter"])) for position, org in enumerate(org_indexes)]  # fmt: skip
            lab_orgs.append((index, roles))
            labs.append(
                Lab(
                    name=name,
                    slug=f"labor-{index + 1}-{content.slug(theme)}",
                    summary=" ".join(rng.sample(content.SENTENCES, 2)),
                    background=content.paragraphs(rng, rng.randint(2, 4)),
                    outlook=content.paragraphs(rng, 1) if rng.random() < 0.6 else "",
                    phase=rng.choice(content.PHASES),
                    funding_start=start,
                    funding_end=end,
                    coordinator_id=self.org_ids[coordinator] if coordinator is not None else None,
                    is_published=index == 0 or rng.random() < 0.9,
                    position=index + 1,
                )
            )
        self.lab_objects = self._write(Lab, labs)
        rows = [
            LabOrganisation(lab=self.lab_objects[lab_index], organisation_id=self.org_ids[org], role=role)
            for lab_index, roles in lab_orgs
            for org, role in roles
        ]
        self._write(LabOrganisation, rows)
        memberships: list[LabMembership] = []
        members_of: dict[int, list[tuple[str, str]]] = {}
        for number, user in enumerate(self.members):
            if not self.lab_objects:
                break
            for position, lab in enumerate(
                rng.sample(self.lab_objects, min(len(self.lab_objects), rng.randint(1, 3)))
            ):
                role = "coordinator" if position == 0 and number % 2 == 0 else "partner"
                memberships.append(LabMembership(lab=lab, user=user, role=role))
                members_of.setdefault(lab.pk, []).append((user.email, role))
        self._write(LabMembership, memberships)
        versions = []
        for lab, (_index, roles) in zip(self.lab_objects, lab_orgs, strict=True):
            coordinator_slug = self.org_slugs[roles[0][0]] if roles else None
            organisations = [(self.org_slugs[org], role) for org, role in roles]
            state = states.lab_state(lab, coordinator_slug, organisations, members_of.get(lab.pk, []))
            versions.append(self._version(self.ct_lab, lab, state))
        self._write(Version, versions)

    # Measures --------------------------------------------------------------------------------------------

    def measures(self) -> None:
        from reallabor.labs.models import Measure

        rng = self.rng
        sizes = _sizes(rng, self.counts.measures, len(self.lab_objects))
        statuses, status_weights = list(content.STATUS_WEIGHTS), list(content.STATUS_WEIGHTS.values())
        plan: list[tuple[int, int]] = [
            (lab_index, position) for lab_index, size in enumerate(sizes) for position in range(1, size + 1)
        ]
        for chunk_start in range(0, len(plan), BATCH):
            chunk = plan[chunk_start : chunk_start + BATCH]
            measures: list[Measure] = []
            for offset, (lab_index, position) in enumerate(chunk):
                number = chunk_start + offset
                action, subject = rng.choice(content.MEASURE_ACTIONS), rng.choice(content.MEASURE_SUBJECTS)
                start, end = content.period(rng)
                measures.append(
                    Measure(
                        lab=self.lab_objects[lab_index],
                        title=f"{action} {subject}",
                        slug=f"{content.slug(action)}-{position}",
                        summary=" ".join(rng.sample(content.SENTENCES, 2)),
                        # The very first measure is running, published and tagged SDG 8, so the
                        # filtered list of the benchmark (?sdg=8&status=running) is never empty.
                        status="running" if number == 0 else rng.choices(statuses, status_weights)[0],
                        start=start,
                        end=end,
                        position=position,
                        is_published=number == 0 or rng.random() < 0.85,
                    )
                )
            created = self._write(Measure, measures)
            self._profiles(created, [lab_index for lab_index, _position in chunk], first=chunk_start == 0)

    def _profiles(self, measures: list[Measure], lab_indexes: list[int], *, first: bool) -> None:
        """The profile rows, coordinators, tags and "created" version of each of ``measures``."""
        from reallabor.history.models import Version
        from reallabor.labs.models import Activity, Actor, Financing, Measure, Result, TargetGroup
        from reallabor.taxonomy.models import Tag

        rng = self.rng
        through = Measure.coordinators.through
        sections: dict[str, list[Any]] = defaultdict(list)
        coordinator_rows: list[Any] = []
        versions: list[Version] = []
        for offset, (measure, lab_index) in enumerate(zip(measures, lab_indexes, strict=True)):
            lab_orgs = self.lab_org_indexes[lab_index]
            coordinators = self._pick_orgs(lab_orgs, rng.randint(1, 3))
            coordinator_rows += [
                through(measure_id=measure.pk, organisation_id=self.org_ids[i]) for i in coordinators
            ]
            profile: dict[str, list[Any]] = {
                "activities": self._activities(measure),
                "financing": self._financing(measure),
                "actors": self._actors(measure, lab_orgs),
                "target_groups": self._target_groups(measure),
                "results": self._results(measure),
                "tags": self._tags(measure, sdg8=first and offset == 0),
            }
            for name, rows in profile.items():
                sections[name] += rows
            state = states.measure_state(
                measure, self.org_slug_by_id, sorted(self.org_slugs[i] for i in coordinators), profile
            )
            versions.append(self._version(self.ct_measure, measure, state))
        models: dict[str, type[Model]] = {"activities": Activity, "financing": Financing, "actors": Actor}
        models |= {"target_groups": TargetGroup, "results": Result, "tags": Tag}
        for name, model in models.items():
            self._write(model, sections[name])
        self._write(through, coordinator_rows)
        self._write(Version, versions)

    def _activities(self, measure: Measure) -> list[Activity]:
        from reallabor.labs.models import Activity

        rng = self.rng
        rows = []
        for position in range(rng.randint(2, 4)):
            start, end = content.period(rng)
            rows.append(
                Activity(
                    measure=measure,
                    position=position,
                    title=f"{rng.choice(content.MEASURE_ACTIONS)} {rng.choice(content.MEASURE_SUBJECTS)}",
                    start=start,
                    end=end if start else None,
                    text=content.markdown(rng) if rng.random() < 0.8 else "",
                )
            )
        return rows

    def _financing(self, measure: Measure) -> list[Financing]:
        from reallabor.labs.models import Financing

        rng = self.rng
        rows = []
        for position in range(rng.randint(1, 2)):
            is_programme = rng.random() < 0.7
            start, end = content.period(rng)
            rows.append(
                Financing(
                    measure=measure,
                    position=position,
                    source_kind="programme" if is_programme else "funder",
                    source=rng.choice(content.PROGRAMMES if is_programme else content.FUNDERS),
                    amount=Decimal(rng.randrange(5_000, 500_000, 500)) if rng.random() < 0.6 else None,
                    start=start,
                    end=end,
                )
            )
        return rows

    def _actors(self, measure: Measure, lab_orgs: list[int]) -> list[Actor]:
        """2–5 participating actors: about 70 % organisations (mostly the lab's), the rest named groups."""
        from reallabor.labs.models import Actor

        rng = self.rng
        count = rng.randint(2, 5)
        organisations = self._pick_orgs(lab_orgs, sum(rng.random() < 0.7 for _ in range(count)))
        groups = rng.sample(content.GROUP_NAMES, count - len(organisations))
        rows = [
            Actor(measure=measure, organisation_id=self.org_ids[org], role=rng.choice(content.ACTOR_ROLES))
            for org in organisations
        ]
        rows += [
            Actor(measure=measure, group_name=name, role=rng.choice(content.ACTOR_ROLES)) for name in groups
        ]
        for position, row in enumerate(rows):
            row.position = position
        return rows

    def _target_groups(self, measure: Measure) -> list[TargetGroup]:
        from reallabor.labs.models import TargetGroup

        rng = self.rng
        terms = rng.sample(self.target_groups, min(len(self.target_groups), rng.randint(1, 3)))
        return [
            TargetGroup(
                measure=measure,
                position=position,
                term=term,
                added_value=content.markdown(rng) if rng.random() < 0.7 else "",
            )
            for position, term in enumerate(terms)
        ]

    def _results(self, measure: Measure) -> list[Result]:
        from reallabor.labs.models import Result

        rng = self.rng
        return [
            Result(
                measure=measure,
                position=position,
                date=content.day(rng) if rng.random() < 0.8 else None,
                text=content.markdown(rng),
                evidence_url=f"https://reallabor.example/nachweise/{measure.pk}-{position}"
                if rng.random() < 0.3
                else "",
            )
            for position in range(rng.randint(0, 3))
        ]

    def _pick_orgs(self, lab_orgs: list[int], count: int) -> list[int]:
        """``count`` distinct organisations (indexes), mostly the lab's own, some from anywhere."""
        rng = self.rng
        picked: list[int] = []
        n_orgs = len(self.org_ids)
        for _ in range(count * 3):
            if len(picked) >= min(count, n_orgs):
                break
            org = rng.choice(lab_orgs) if lab_orgs and rng.random() < 0.6 else rng.randrange(n_orgs)
            if org not in picked:
                picked.append(org)
        return picked

    def _tags(self, measure: Measure, *, sdg8: bool) -> list[Tag]:
        """2–5 tags: one or two megatrends, one to three SDG goals or targets, maybe a strategy goal.

        About a third of the measures weigh their SDGs by shares (adding up to at most 100 %);
        the others by priority (primary or secondary).
        """
        from reallabor.taxonomy.models import Tag

        rng = self.rng
        total = rng.randint(2, 5)
        n_megatrends = 2 if total >= 4 and rng.random() < 0.5 else 1
        n_strategy = 1 if total - n_megatrends >= 2 and rng.random() < 0.4 else 0
        n_sdg = total - n_megatrends - n_strategy
        terms: list[tuple[Term, str | None]] = [
            (term, None) for term in rng.sample(self.megatrends, min(n_megatrends, len(self.megatrends)))
        ]
        goal_codes, goal_weights = list(content.SDG_GOAL_WEIGHTS), list(content.SDG_GOAL_WEIGHTS.values())
        goals: list[str] = ["8"] if sdg8 else []
        while len(goals) < n_sdg:
            code = rng.choices(goal_codes, goal_weights)[0]
            if code not in goals:
                goals.append(code)
        sdg_terms = []
        for position, code in enumerate(goals):
            use_target = self.sdg_targets.get(code) and rng.random() < 0.4 and not (sdg8 and position == 0)
            sdg_terms.append(rng.choice(self.sdg_targets[code]) if use_target else self.sdg_goals[code])
        by_share = rng.random() < 0.35
        shares = content.split_shares(rng, len(sdg_terms)) if by_share else [None] * len(sdg_terms)
        terms += [(term, "share") for term in sdg_terms]
        terms += [(term, None) for term in rng.sample(self.strategy_goals, n_strategy)]
        tags = []
        sdg_index = 0
        for position, (term, weighting) in enumerate(terms):
            share: int | None = None
            priority = "primary" if position == 0 or rng.random() < 0.6 else "secondary"
            if weighting == "share":
                share = shares[sdg_index]
                sdg_index += 1
                if share is not None:
                    priority = ""
            tags.append(
                Tag(
                    term=term,
                    content_type=self.ct_measure,
                    object_id=measure.pk,
                    priority=priority,
                    share=share,
                    note=rng.choice(content.NOTES) if term.vocabulary.family == "megatrends" else "",
                    position=position,
                )
            )
        return tags


def clear_generated() -> None:
    """Remove what ``generate`` wrote (labs, measures, organisations, their history, bench users)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from reallabor.accounts.models import User
    from reallabor.actors.models import ConsentText, Interaction, Person, Segment
    from reallabor.history.models import Version
    from reallabor.labs.models import Lab, Measure
    from reallabor.organisations.models import Organisation
    from reallabor.taxonomy.models import Tag

    with transaction.atomic():
        Segment.objects.all().delete()
        Interaction.objects.all().delete()
        Person.objects.all().delete()
        ConsentText.objects.filter(consents__isnull=True).delete()
        content_types = [
            ContentType.objects.get_for_model(model) for model in (Lab, Measure, Organisation, Person)
        ]
        Tag.objects.filter(content_type__in=content_types).delete()
        Version.objects.filter(content_type__in=content_types).delete()
        Measure.objects.all().delete()
        Lab.objects.all().delete()
        Organisation.objects.all().delete()
        User.objects.filter(email__endswith=BENCH_EMAIL_DOMAIN).delete()


def main(argv: list[str] | None = None) -> int:
    from bench.database import main as build_main

    return build_main(argv)


if __name__ == "__main__":
    sys.exit(main())
