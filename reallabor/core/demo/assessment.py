"""Load demo results of the digital-maturity check for craft businesses of the demo actors.

Ten craft businesses (those with a trade, in name order) took the check in 2024, each answering
plausibly for its own level of digital maturity; four of them took it again in 2025 and improved.
Some agreed to the city's benchmarks, some results are shared with the Handwerkskammer Münster, whose
member the demo partner account is (so it sees them). Through the services, as the system.
Deterministic (seeded); runs after ``actors.load()``; loading twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from reallabor.accounts.models import User
from reallabor.accounts.services import add_organisation_member
from reallabor.assessment import engine, services
from reallabor.assessment.models import Response
from reallabor.organisations.models import Organisation

SEED = 6
BUSINESSES = 10
RETAKES = 4
CHAMBER = "handwerkskammer-muenster"
PARTNER_EMAIL = "partner@reallabor.example"
SOURCES = (Response.Source.ONLINE, Response.Source.ONLINE, Response.Source.ADVISOR, Response.Source.IMPORT)


def answers_for(rng: random.Random, level: float) -> dict[str, Any]:
    """Answers of a business at ``level`` (0 none … 1 everything), with some scatter per item."""
    definition = engine.load_definition(services.DEFAULT_QUESTIONNAIRE)

    def chance(bias: float = 0.0) -> bool:
        return rng.random() < min(max(level + bias + rng.uniform(-0.2, 0.2), 0.0), 1.0)

    answers: dict[str, Any] = {}
    for question in definition.questions.values():
        numbers = question.item_numbers
        if question.type == engine.TICK_LIST:
            ticked = [int(number) for number in numbers if chance()]
            if not ticked and question.exclusive_number is not None and level < 0.2:
                ticked = [question.exclusive_number]
            answers[question.id] = ticked
        elif question.type == engine.INVEST_GRID:
            answers[question.id] = {
                number: "invested" if chance(-0.1) else ("planned" if chance(0.1) else "nothing")
                for number in numbers
            }
        elif question.type == engine.SCALE:
            # Newer technologies (AI, robots, blockchain) are rarer in the crafts.
            answers[question.id] = {
                number: max(0, min(5, round(level * 5 * rng.uniform(0.2, 1.1)))) for number in numbers
            }
        elif question.type == engine.YES_PARTLY_NO:
            answers[question.id] = {
                number: "yes" if chance(-0.15) else ("partly" if chance(0.1) else "no") for number in numbers
            }
    return answers


@transaction.atomic
def load() -> dict[str, int]:
    """Write the demo checks; returns how many results were written."""
    if Response.objects.exists():
        return {"results": 0}
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    businesses = list(
        Organisation.objects.filter(kind=Organisation.Kind.COMPANY, trade__isnull=False).order_by("name")[
            :BUSINESSES
        ]
    )
    chamber = Organisation.objects.filter(slug=CHAMBER).first()
    partner = User.objects.filter(email=PARTNER_EMAIL).first()
    if chamber is not None and partner is not None:
        add_organisation_member(user=None, member=partner, organisation=chamber)
    written = 0
    for index, business in enumerate(businesses):
        level = rng.uniform(0.1, 0.65)
        relevance = {str(dimension): rng.randint(2, 5) for dimension in range(1, 7)}
        relevance["4"] = max(relevance["4"], 4)  # data and connectivity matter to almost every business
        taken = [timezone.make_aware(dt.datetime(2024, rng.randint(2, 11), rng.randint(1, 28), 10))]
        if index < RETAKES:
            taken.append(taken[0] + dt.timedelta(days=rng.randint(300, 420)))
        for take, when in enumerate(taken):
            response = services.start_check(
                user=None,
                organisation=business,
                source=SOURCES[(index + take) % len(SOURCES)],
                context={"benchmark_consent": index % 3 != 2},
            )
            services.save_answers(
                user=None,
                response=response,
                data={"answers": answers_for(rng, level + 0.2 * take), "relevance": relevance},
            )
            services.submit_check(user=None, response=response, submitted_at=min(when, timezone.now()))
            if chamber is not None and index % 2 == 0:
                services.share_with(user=None, response=response, organisation=chamber)
            written += 1
    return {"results": written}
