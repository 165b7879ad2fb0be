"""MeasureFilter and filter_labs on the demo portfolio."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict

from conftest import Portfolio
from reallabor.core.testing.factories import make_measure
from reallabor.labs import services
from reallabor.labs.filters import MeasureFilter, filter_labs
from reallabor.labs.models import Lab, Measure

FAIRTRADE = "Fairtrade-Town – Auszeichnung und Netzwerk"
HALLOBOT = "HalloBot – Onlineplattform und Digitalisierungsangebot"
KOOPERATION = "Kooperation zur Erhöhung des Digitalisierungsstands der Bottroper Handwerksunternehmen"
INTEGRATION = "Unterstützung der Integration von Geflüchteten in Bottroper Unternehmen"


def titles(params: dict[str, Any], queryset: Any = None) -> list[str]:
    queryset = Measure.objects.all() if queryset is None else queryset
    return list(MeasureFilter.from_params(params).apply(queryset).values_list("title", flat=True))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [FAIRTRADE, HALLOBOT, KOOPERATION, INTEGRATION]),
        ({"lab": "hybride-formen-des-handels"}, [FAIRTRADE, HALLOBOT]),
        ({"lab": "gibt-es-nicht"}, []),
        ({"sdg": "8"}, [KOOPERATION, INTEGRATION]),
        ({"sdg": "11"}, [FAIRTRADE]),
        ({"sdg": "12"}, [FAIRTRADE]),
        ({"sdg": "10"}, [INTEGRATION]),
        ({"sdg": "1"}, []),
        ({"megatrend": "digitalisierung"}, [HALLOBOT, KOOPERATION]),
        ({"megatrend": "migration"}, [INTEGRATION]),
        ({"megatrend": "faires-handeln"}, [FAIRTRADE]),
        ({"megatrend": "digitalisierung", "sdg": "8"}, [KOOPERATION]),
        ({"megatrend": "digitalisierung", "lab": "fachkraeftesicherung"}, []),
        ({"status": "running"}, [FAIRTRADE, HALLOBOT, KOOPERATION, INTEGRATION]),
        ({"status": "completed"}, []),
        ({"q": "geflüchteten"}, [INTEGRATION]),
        ({"q": "Bottroper Handwerksunternehmen"}, [KOOPERATION]),
        ({"q": "Bottroper Fairtrade"}, []),
        ({"q": "Fachkräftesicherung"}, [INTEGRATION]),  # the lab's name
        ({"q": "Toolbox"}, [INTEGRATION]),  # the summary
        ({"published": "true"}, [FAIRTRADE, HALLOBOT, KOOPERATION, INTEGRATION]),
        ({"published": "false"}, []),
    ],
)
def test_filters_on_the_demo_portfolio(
    portfolio: Portfolio, params: dict[str, Any], expected: list[str]
) -> None:
    assert titles(params) == expected


def test_a_sdg_goal_matches_measures_tagged_only_with_one_of_its_targets(portfolio: Portfolio) -> None:
    services.update_measure(
        user=None,
        measure=Measure.objects.get(title=FAIRTRADE),
        data={"tags": [{"term": "sdg:8.5"}, {"term": "sdg:12.a"}]},
    )
    assert titles({"sdg": "8"}) == [FAIRTRADE, KOOPERATION, INTEGRATION]
    assert titles({"sdg": "8.5"}) == [FAIRTRADE]
    assert titles({"sdg": "12"}) == [FAIRTRADE]
    assert titles({"sdg": "12.a"}) == [FAIRTRADE]
    assert titles({"sdg": "11"}) == []


def test_a_measure_tagged_with_goal_and_target_is_found_once(portfolio: Portfolio) -> None:
    services.update_measure(
        user=None,
        measure=Measure.objects.get(title=KOOPERATION),
        data={"tags": [{"term": "sdg:8"}, {"term": "sdg:8.2"}]},
    )
    assert titles({"sdg": "8"}) == [KOOPERATION, INTEGRATION]


def test_the_published_filter_knows_drafts_and_unpublished_labs(portfolio: Portfolio) -> None:
    make_measure(portfolio.handel, title="Entwurf", is_published=False)
    services.set_lab_published(user=None, lab=portfolio.fachkraefte, published=False)
    assert titles({"published": "ja"}) == [FAIRTRADE, HALLOBOT, KOOPERATION]
    assert titles({"published": "0"}) == ["Entwurf", INTEGRATION]


def test_filters_narrow_a_queryset_scoped_to_the_user(portfolio: Portfolio) -> None:
    make_measure(portfolio.handel, title="Entwurf zur Digitalisierung", is_published=False)
    services.update_measure(
        user=None,
        measure=Measure.objects.get(title="Entwurf zur Digitalisierung"),
        data={"tags": [{"term": "megatrends:digitalisierung"}]},
    )
    assert titles({"megatrend": "digitalisierung"}, Measure.objects.visible_to(None)) == [
        HALLOBOT,
        KOOPERATION,
    ]
    assert titles(
        {"megatrend": "digitalisierung"}, Measure.objects.visible_to(portfolio.users["partner"])
    ) == [
        HALLOBOT,
        "Entwurf zur Digitalisierung",
        KOOPERATION,
    ]


def test_from_params_reads_a_query_dict() -> None:
    query = QueryDict("lab=handel&sdg=+8.5+&megatrend=&published=yes&q=Fair%20Trade&unknown=1")
    parsed = MeasureFilter.from_params(query)
    assert parsed == MeasureFilter(lab="handel", sdg="8.5", megatrend="", published=True, q="Fair Trade")
    assert parsed.is_active
    assert not MeasureFilter.from_params(QueryDict("")).is_active
    assert MeasureFilter.from_params({"published": "nein"}).published is False
    assert len(MeasureFilter.from_params({"q": "x" * 1000}).q) == 200


@pytest.mark.parametrize("params", [{"sdg": "' OR 1=1 --"}, {"q": "%"}, {"q": "_"}, {"status": "<script>"}])
def test_odd_input_finds_nothing_instead_of_failing(portfolio: Portfolio, params: dict[str, str]) -> None:
    assert titles(params) == []


def test_at_most_eight_search_words_are_used(portfolio: Portfolio) -> None:
    words = "Bottroper " * 8 + "gibtesnicht"
    assert titles({"q": words}) == [KOOPERATION, INTEGRATION]


def test_filter_labs_by_phase_and_words(portfolio: Portfolio) -> None:
    services.update_lab(user=None, lab=portfolio.fachkraefte, data={"phase": "ended"})
    labs = Lab.objects.all()
    assert list(filter_labs(labs, phase="ended")) == [portfolio.fachkraefte]
    assert list(filter_labs(labs, phase="continued")) == [portfolio.handel, portfolio.handwerk]
    assert list(filter_labs(labs, q="Handwerk")) == [portfolio.handwerk]
    assert list(filter_labs(labs, q="Geflüchteten")) == [portfolio.fachkraefte]  # the summary
    assert list(filter_labs(labs, q="Handwerk Handel")) == []
    assert list(filter_labs(labs)) == [portfolio.handel, portfolio.handwerk, portfolio.fachkraefte]


def test_a_lab_is_found_by_the_union_of_its_measures_tags(portfolio: Portfolio) -> None:
    """Which SDG goals and megatrends each lab covers, through the filter: the union over its measures."""
    sdg_goals = [str(n) for n in range(1, 18)]
    megatrends = ["faires-handeln", "digitalisierung", "demografischer-wandel", "migration"]

    def covered(lab: str) -> tuple[list[str], list[str]]:
        return (
            [goal for goal in sdg_goals if titles({"lab": lab, "sdg": goal})],
            [trend for trend in megatrends if titles({"lab": lab, "megatrend": trend})],
        )

    assert covered("hybride-formen-des-handels") == (["11", "12"], ["faires-handeln", "digitalisierung"])
    assert covered("digitale-koproduktion-im-handwerk") == (["8"], ["digitalisierung"])
    assert covered("fachkraeftesicherung") == (["8", "10"], ["demografischer-wandel", "migration"])
    # A target implies its goal for the lab too.
    services.update_measure(
        user=None, measure=Measure.objects.get(title=HALLOBOT), data={"tags": [{"term": "sdg:9.c"}]}
    )
    assert covered("hybride-formen-des-handels") == (["9", "11", "12"], ["faires-handeln"])
