"""Choosing labs in forms (``labs.fields``), the suggestions behind the text input
(``labs:lab-options``) and the list filters that use them.

With more labs than ``LAB_LIST_MAX`` a lab field becomes a text input with a ``<datalist>`` that
htmx fills; the tests set the limit small (the field reads it when it is given its labs) instead
of creating a hundred labs.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.test import Client
from django.urls import resolve, reverse
from django.utils import translation

from conftest import ROLES, Portfolio
from reallabor.actors.models import Interaction
from reallabor.core.testing.actors import Crm, affiliate, make_crm, make_person
from reallabor.core.testing.factories import add_member, make_lab
from reallabor.labs import fields, services
from reallabor.labs.fields import LabChoiceField, LabMultipleChoiceField, lab_slugs
from reallabor.labs.models import Lab, LabMembership, LabOrganisation
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

OPTIONS_URL = reverse("labs:lab-options")
ORGANISATIONS = reverse("organisations:organisation-list")
PEOPLE = reverse("actors:person-list")
INTERACTIONS = reverse("actors:interaction-list")
CREATE_INTERACTION = reverse("actors:interaction-create")

CHOICES = [
    ("handel", "Hybride Formen des Handels"),
    ("handwerk", "Digitale Koproduktion im Handwerk"),
    ("handwerk-2", "Digitale Koproduktion im Handwerk"),  # two labs of the same name
    ("fachkraefte", "Fachkräftesicherung"),
]


@pytest.fixture
def few(monkeypatch: pytest.MonkeyPatch) -> int:
    """A lab field lists at most two labs; with more it becomes a text input."""
    monkeypatch.setattr(fields, "LAB_LIST_MAX", 2)
    return 2


class OneLab(forms.Form):
    lab = LabChoiceField(label="Lab", required=False, empty_label="All labs")

    def __init__(self, *args: Any, labs: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lab"].set_labs(labs)  # type: ignore[attr-defined]


class SomeLabs(forms.Form):
    labs = LabMultipleChoiceField(label="Labs", required=False)

    def __init__(self, *args: Any, labs: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["labs"].set_labs(labs)  # type: ignore[attr-defined]


def option_pairs(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)"(?: selected)?>([^<]*)</option>', html)


# lab_slugs --------------------------------------------------------------------------------------------


def test_lab_slugs_keeps_slugs_and_turns_full_names_in_any_case_into_slugs() -> None:
    assert lab_slugs(["handel"], CHOICES) == ["handel"]
    assert lab_slugs(["Hybride Formen des Handels"], CHOICES) == ["handel"]
    assert lab_slugs(["  hybride FORMEN des handels "], CHOICES) == ["handel"]
    assert lab_slugs(["FACHKRÄFTESICHERUNG"], CHOICES) == ["fachkraefte"]
    assert lab_slugs(["Hybride Formen des Handels", "handel", "fachkraefte"], CHOICES) == [
        "handel",
        "fachkraefte",
    ]


def test_lab_slugs_gives_every_lab_of_a_shared_name() -> None:
    assert lab_slugs(["digitale koproduktion im handwerk"], CHOICES) == ["handwerk", "handwerk-2"]


def test_lab_slugs_leaves_unknown_values_for_the_caller_to_name_and_drops_empty_ones() -> None:
    assert lab_slugs(["Kein Labor", "", "   ", "handel"], CHOICES) == ["Kein Labor", "handel"]
    assert lab_slugs(["Hybride Formen"], CHOICES) == ["Hybride Formen"]  # a part of a name is no name
    assert lab_slugs(["HANDEL"], CHOICES) == ["HANDEL"]  # slugs are exact
    assert lab_slugs([], CHOICES) == []
    assert lab_slugs(["handel"], []) == ["handel"]


# The single field -------------------------------------------------------------------------------------


def test_few_labs_are_a_list_box(few: int) -> None:
    form = OneLab(labs=CHOICES[:2])
    html = str(form["lab"])
    assert html.startswith('<select name="lab"')
    assert option_pairs(html) == [("", "All labs"), *CHOICES[:2]]
    assert "<datalist" not in html and "<input" not in html
    assert not form.fields["lab"].help_text


def test_many_labs_are_a_text_input_with_an_empty_suggestion_list(few: int) -> None:
    form = OneLab(labs=CHOICES)
    html = str(form["lab"])
    assert "<select" not in html and "<option" not in html
    (input_tag,) = re.findall(r"<input [^>]*>", html)
    assert 'type="text"' in input_tag and 'name="lab"' in input_tag
    assert 'id="id_lab"' in input_tag
    assert 'list="id_lab-options"' in input_tag
    assert f'hx-get="{OPTIONS_URL}"' in input_tag and OPTIONS_URL == "/labore/vorschlaege/"
    assert 'hx-target="#id_lab-options"' in input_tag
    assert 'autocomplete="off"' in input_tag
    assert html.endswith('<datalist id="id_lab-options"></datalist>')
    assert form.fields["lab"].help_text  # tells to type and choose


def test_the_limit_is_read_when_the_labs_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "<select" in str(OneLab(labs=CHOICES)["lab"])  # the real limit: a hundred
    monkeypatch.setattr(fields, "LAB_LIST_MAX", len(CHOICES))
    assert "<select" in str(OneLab(labs=CHOICES)["lab"])  # exactly as many as the limit: a list
    monkeypatch.setattr(fields, "LAB_LIST_MAX", len(CHOICES) - 1)
    assert "<datalist" in str(OneLab(labs=CHOICES)["lab"])


def test_the_text_input_shows_what_was_given(few: int) -> None:
    assert 'value="handel"' in str(OneLab({"lab": "handel"}, labs=CHOICES)["lab"])
    assert 'value="handel"' in str(OneLab(initial={"lab": "handel"}, labs=CHOICES)["lab"])
    html = str(OneLab({"lab": '<b>"x"</b>'}, labs=CHOICES)["lab"])
    assert 'value="&lt;b&gt;&quot;x&quot;&lt;/b&gt;"' in html and "<b>" not in html


def test_a_custom_id_names_the_suggestion_list(few: int) -> None:
    form = OneLab(labs=CHOICES, auto_id="filter-%s")
    html = str(form["lab"])
    assert 'id="filter-lab"' in html and 'list="filter-lab-options"' in html
    assert '<datalist id="filter-lab-options">' in html


@pytest.mark.parametrize("limited", [False, True], ids=["list box", "text input"])
@pytest.mark.parametrize(
    ("value", "slug"),
    [
        ("handel", "handel"),
        ("Hybride Formen des Handels", "handel"),
        ("hybride formen des handels", "handel"),
        ("  HYBRIDE FORMEN DES HANDELS  ", "handel"),
        ("Fachkräftesicherung", "fachkraefte"),
        ("handwerk-2", "handwerk-2"),
        ("", ""),
    ],
)
def test_single_field_takes_a_slug_or_a_full_name(
    monkeypatch: pytest.MonkeyPatch, limited: bool, value: str, slug: str
) -> None:
    if limited:
        monkeypatch.setattr(fields, "LAB_LIST_MAX", 2)
    form = OneLab({"lab": value}, labs=CHOICES)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["lab"] == slug


@pytest.mark.parametrize("limited", [False, True], ids=["list box", "text input"])
@pytest.mark.parametrize("value", ["Kein Labor", "Hybride Formen", "HANDEL"])
def test_single_field_names_a_value_that_is_no_lab(
    monkeypatch: pytest.MonkeyPatch, limited: bool, value: str
) -> None:
    """Unknown, a part of a name, a slug in the wrong case: all refused by name."""
    if limited:
        monkeypatch.setattr(fields, "LAB_LIST_MAX", 2)
    form = OneLab({"lab": value}, labs=CHOICES)
    assert not form.is_valid()
    (error,) = form.errors.as_data()["lab"]
    assert error.code == "invalid_choice"
    (message,) = form.errors["lab"]
    assert value.strip() in message
    assert message == message_for(value.strip())


@pytest.mark.parametrize("limited", [False, True], ids=["list box", "text input"])
def test_single_field_asks_to_choose_between_labs_of_the_same_name(
    monkeypatch: pytest.MonkeyPatch, limited: bool
) -> None:
    if limited:
        monkeypatch.setattr(fields, "LAB_LIST_MAX", 2)
    form = OneLab({"lab": " digitale Koproduktion im Handwerk"}, labs=CHOICES)
    assert not form.is_valid()
    (error,) = form.errors.as_data()["lab"]
    assert error.code == "ambiguous"
    english = (
        "Several labs are called “digitale Koproduktion im Handwerk”. "
        "Choose one of them by its short name: handwerk, handwerk-2."
    )
    with translation.override("en"):
        assert str(error.message) % error.params == english
    (german,) = form.errors["lab"]
    assert "handwerk, handwerk-2" in german and german != english


def message_for(value: str) -> str:
    """The message for an unknown lab in the active language (German by default)."""
    return str(fields.UNKNOWN_LAB) % {"value": value}


def test_the_unknown_lab_message_is_translated_and_says_what_to_do() -> None:
    assert translation.get_language() == "de"
    with translation.override("en"):
        english = message_for("Kein Labor")
    assert english.startswith("There is no lab “Kein Labor” among the labs you see.")
    assert "Type a few letters" in english
    assert "Kein Labor" in message_for("Kein Labor")  # German (once translated) or the English source


def test_the_field_only_takes_the_labs_it_was_given(few: int) -> None:
    form = OneLab({"lab": "handel"}, labs=CHOICES[1:])
    assert not form.is_valid() and "handel" in form.errors["lab"][0]


def test_a_required_text_input_is_marked_required(few: int) -> None:
    class Required(forms.Form):
        lab = LabChoiceField(label="Lab")

    form = Required({"lab": ""})
    form.fields["lab"].set_labs(CHOICES)  # type: ignore[attr-defined]
    assert not form.is_valid() and form.errors.as_data()["lab"][0].code == "required"
    (input_tag,) = re.findall(r"<input [^>]*>", str(form["lab"]))
    assert " required" in input_tag and 'aria-invalid="true"' in input_tag


def test_required_single_field_without_a_value_is_named() -> None:
    field = LabChoiceField(required=True)
    field.set_labs(CHOICES)
    with pytest.raises(ValidationError) as caught:
        field.clean("")
    assert caught.value.code == "required"


# The multiple field ------------------------------------------------------------------------------------


def test_several_labs_few_are_a_multiple_list_box(few: int) -> None:
    html = str(SomeLabs(labs=CHOICES[:2])["labs"])
    assert html.startswith('<select name="labs"') and " multiple" in html.split(">")[0]
    assert option_pairs(html) == CHOICES[:2]
    assert "<datalist" not in html


def test_several_labs_many_are_one_text_input(few: int) -> None:
    form = SomeLabs(labs=CHOICES)
    html = str(form["labs"])
    assert "<select" not in html and "<option" not in html
    assert 'list="id_labs-options"' in html and f'hx-get="{OPTIONS_URL}"' in html
    assert html.endswith('<datalist id="id_labs-options"></datalist>')
    assert form.fields["labs"].help_text


@pytest.mark.parametrize("limited", [False, True], ids=["list box", "text input"])
def test_multiple_field_takes_repeated_values_slugs_and_names(
    monkeypatch: pytest.MonkeyPatch, limited: bool
) -> None:
    if limited:
        monkeypatch.setattr(fields, "LAB_LIST_MAX", 2)
    query = QueryDict("labs=handel&labs=FACHKR%C3%84FTESICHERUNG&labs=&labs=handel")
    form = SomeLabs(query, labs=CHOICES)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["labs"] == ["handel", "fachkraefte"]


@pytest.mark.parametrize("limited", [False, True], ids=["list box", "text input"])
def test_multiple_field_takes_every_lab_of_a_shared_name(
    monkeypatch: pytest.MonkeyPatch, limited: bool
) -> None:
    if limited:
        monkeypatch.setattr(fields, "LAB_LIST_MAX", 2)
    form = SomeLabs(QueryDict("labs=Digitale+Koproduktion+im+Handwerk"), labs=CHOICES)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["labs"] == ["handwerk", "handwerk-2"]


@pytest.mark.parametrize("limited", [False, True], ids=["list box", "text input"])
def test_multiple_field_names_the_unknown_value(monkeypatch: pytest.MonkeyPatch, limited: bool) -> None:
    if limited:
        monkeypatch.setattr(fields, "LAB_LIST_MAX", 2)
    form = SomeLabs(QueryDict("labs=handel&labs=Kein+Labor"), labs=CHOICES)
    assert not form.is_valid()
    assert form.errors["labs"] == [message_for("Kein Labor")]


def test_multiple_text_input_without_values_is_empty_not_missing(few: int) -> None:
    form = SomeLabs(QueryDict(""), labs=CHOICES)
    assert form.is_valid() and form.cleaned_data["labs"] == []
    widget = form.fields["labs"].widget
    assert widget.value_omitted_from_data({}, {}, "labs") is False
    assert widget.value_from_datadict({"labs": "handel"}, {}, "labs") == ["handel"]  # a plain dict
    assert widget.value_from_datadict({}, {}, "labs") == []


def test_multiple_text_input_shows_the_first_value(few: int) -> None:
    html = str(SomeLabs(QueryDict("labs=handel&labs=fachkraefte"), labs=CHOICES)["labs"])
    assert 'value="handel"' in html
    assert 'value=""' not in html
    assert 'value="' not in str(SomeLabs(QueryDict(""), labs=CHOICES)["labs"])


# The suggestions (labs:lab-options) --------------------------------------------------------------------


def test_the_suggestions_url_is_reserved_among_the_lab_slugs() -> None:
    assert "vorschlaege" in services.RESERVED_LAB_SLUGS
    assert resolve("/labore/vorschlaege/").url_name == "lab-options"
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.create_lab(user=None, data={"name": "Vorschläge", "slug": "vorschlaege"})
    assert caught.value.message_dict == {"slug": ["“vorschlaege” is reserved; choose another short name."]}
    assert not Lab.objects.filter(slug="vorschlaege").exists()
    generated = services.create_lab(user=None, data={"name": "Vorschlaege"})
    assert generated.slug == "vorschlaege-2"
    with pytest.raises(ValidationError) as caught:
        services.update_lab(user=None, lab=generated, data={"slug": "vorschlaege"})
    assert list(caught.value.message_dict) == ["slug"]
    assert Lab.objects.get(pk=generated.pk).slug == "vorschlaege-2"


@pytest.fixture
def drafts(portfolio: Portfolio) -> dict[str, Lab]:
    """Unpublished labs: one of nobody, one of the partner's, one of the coordinator's."""
    nobody = make_lab(name="Entwurf Geheimlabor", is_published=False)
    partners = make_lab(name="Entwurf Handelslabor", is_published=False)
    coordinators = make_lab(name="Entwurf Handwerkslabor", is_published=False)
    add_member(partners, portfolio.users["partner"], LabMembership.Role.PARTNER)  # type: ignore[arg-type]
    add_member(coordinators, portfolio.users["coordinator"], LabMembership.Role.COORDINATOR)  # type: ignore[arg-type]
    return {"nobody": nobody, "partner": partners, "coordinator": coordinators}


VISIBLE_DRAFTS = {
    "anonymous": set(),
    "outsider": set(),
    "reader": {"nobody", "partner", "coordinator"},
    "administrator": {"nobody", "partner", "coordinator"},
    "partner": {"partner"},
    "coordinator": {"coordinator"},
}


def suggestions(client: Client, **query: str) -> list[tuple[str, str]]:
    response = client.get(OPTIONS_URL, query)
    assert response.status_code == 200
    return option_pairs(response.content.decode())


@pytest.mark.parametrize("role", ROLES)
def test_suggestions_offer_only_the_labs_the_user_sees(
    portfolio: Portfolio, drafts: dict[str, Lab], role: str
) -> None:
    client = portfolio.client(role)
    expected = sorted((drafts[key].slug, drafts[key].name) for key in VISIBLE_DRAFTS[role])
    assert suggestions(client, q="entwurf") == sorted(expected, key=lambda pair: pair[1])
    # Every role sees the published labs; a draft never slips in through a broader text.
    found = dict(suggestions(client, q="e"))
    assert {portfolio.handel.slug, portfolio.handwerk.slug, portfolio.fachkraefte.slug} <= set(found)
    assert {slug for slug in found if slug.startswith("entwurf")} == {
        drafts[key].slug for key in VISIBLE_DRAFTS[role]
    }
    assert set(found) == set(Lab.objects.visible_to(portfolio.users[role]).values_list("slug", flat=True))


def test_anonymous_visitors_see_only_published_labs(portfolio: Portfolio, drafts: dict[str, Lab]) -> None:
    client = portfolio.client("anonymous")
    assert suggestions(client, q="handel") == [(portfolio.handel.slug, "Hybride Formen des Handels")]
    assert suggestions(client, q="Geheim") == []
    assert suggestions(client, q=drafts["nobody"].slug) == []


def test_suggestions_match_name_in_any_case_or_a_part_of_the_slug(portfolio: Portfolio) -> None:
    client = portfolio.client("anonymous")
    handwerk = (portfolio.handwerk.slug, "Digitale Koproduktion im Handwerk")
    fachkraefte = (portfolio.fachkraefte.slug, "Fachkräftesicherung")
    assert suggestions(client, q="KOPRODUKTION") == [handwerk]
    assert suggestions(client, q="  koproduktion ") == [handwerk]
    assert suggestions(client, q="fachkraefte") == [fachkraefte]  # only the slug has "ae"
    assert suggestions(client, q="Fachkräfte") == [fachkraefte]
    assert suggestions(client, q="im-handwerk") == [handwerk]
    assert suggestions(client, q="gibt es nicht") == []


def test_the_suggestions_read_the_inputs_own_parameter(portfolio: Portfolio) -> None:
    """htmx sends the input's value under its own name (``labs=…``, ``lab=…``)."""
    client = portfolio.client("administrator")
    handel = [(portfolio.handel.slug, "Hybride Formen des Handels")]
    assert suggestions(client, labs="Hybride") == handel
    assert suggestions(client, lab="Hybride") == handel
    assert suggestions(client, lab="", labs="Hybride") == handel
    assert suggestions(client, q="Hybride", lab="Fachkräfte") == handel  # q first


@pytest.mark.parametrize("query", ["", "q=", "q=+++", "labs=", "q=%00", "q=%00%00&labs=%00"])
def test_no_text_no_suggestions(portfolio: Portfolio, query: str) -> None:
    response = portfolio.client("administrator").get(f"{OPTIONS_URL}?{query}")
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_bad_text_gives_no_error(portfolio: Portfolio) -> None:
    client = portfolio.client("reader")
    assert suggestions(client, q="Hyb\x00ride") == [(portfolio.handel.slug, "Hybride Formen des Handels")]
    assert suggestions(client, q="x" * 100_000) == []
    assert suggestions(client, q="Hybride" + "\x00" * 5000) == [
        (portfolio.handel.slug, "Hybride Formen des Handels")
    ]
    assert suggestions(client, q="%' OR 1=1 --") == []
    assert suggestions(client, q="_") == []
    assert client.post(OPTIONS_URL, {"q": "Hybride"}).status_code == 405


def test_suggestions_are_escaped(db: None) -> None:
    lab = make_lab(name='<script>alert(1)</script> & "Co"')
    html = Client().get(OPTIONS_URL, {"q": "script"}).content.decode().strip()
    assert (
        html
        == f'<option value="{lab.slug}">&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;</option>'
    )


def test_at_most_twenty_suggestions_in_name_order(db: None, django_assert_max_num_queries: Any) -> None:
    for number in range(25, 0, -1):
        make_lab(name=f"Serienlabor {number:02d}")
    client = Client()
    with django_assert_max_num_queries(3):
        found = suggestions(client, q="serienlabor")
    assert [name for _slug, name in found] == [f"Serienlabor {number:02d}" for number in range(1, 21)]
    assert fields.OPTIONS_SHOWN == 20


# The list filters that use the fields ---------------------------------------------------------------------


@pytest.fixture
def crm(portfolio: Portfolio) -> Crm:
    return make_crm(portfolio)


@pytest.fixture
def one(monkeypatch: pytest.MonkeyPatch) -> None:
    """More labs than a list box takes: every lab filter is a text input."""
    monkeypatch.setattr(fields, "LAB_LIST_MAX", 1)


def organisation_names(client: Client, **query: str) -> list[str]:
    response = client.get(ORGANISATIONS, query)
    assert response.status_code == 200
    return [row.name for row in response.context["organisations"]]


def page_errors(response: Any) -> str:
    html: str = response.content.decode()
    match = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def test_organisation_filter_is_a_text_input_beyond_the_limit(portfolio: Portfolio, one: None) -> None:
    html = portfolio.client("administrator").get(ORGANISATIONS).content.decode()
    assert re.search(r'<input type="text" name="labs"[^>]* list="id_labs-options"', html)
    assert '<datalist id="id_labs-options"></datalist>' in html
    assert '<option value="hybride-formen-des-handels"' not in html


def test_organisation_filter_without_limit_is_a_list_box(portfolio: Portfolio) -> None:
    html = portfolio.client("administrator").get(ORGANISATIONS).content.decode()
    assert re.search(r'<select name="labs"', html)
    assert '<option value="hybride-formen-des-handels">Hybride Formen des Handels</option>' in html
    assert 'id="id_labs-options"' not in html


@pytest.mark.parametrize("role", ["administrator", "reader", "coordinator", "partner"])
def test_organisation_list_filters_by_a_lab_name_as_by_its_slug(
    portfolio: Portfolio, one: None, role: str
) -> None:
    client = portfolio.client(role)
    by_slug = organisation_names(client, labs=portfolio.handel.slug)
    expected = sorted(
        LabOrganisation.objects.filter(lab=portfolio.handel)
        .filter(organisation__in=Organisation.objects.visible_to(portfolio.users[role]))
        .values_list("organisation__name", flat=True)
    )
    assert by_slug and sorted(by_slug) == expected
    assert organisation_names(client, labs="Hybride Formen des Handels") == by_slug
    assert organisation_names(client, labs="hybride formen des HANDELS ") == by_slug
    html = client.get(ORGANISATIONS, {"labs": "Hybride Formen des Handels"}).content.decode()
    assert 'value="hybride-formen-des-handels"' in html  # the input shows the lab it took


def test_organisation_list_filters_by_every_lab_of_a_shared_name(portfolio: Portfolio, one: None) -> None:
    twin = make_lab(name="Hybride Formen des Handels")
    organisation = Organisation.objects.create(name="Zwillingsladen", slug="zwillingsladen", kind="company")
    LabOrganisation.objects.create(lab=twin, organisation=organisation)
    client = portfolio.client("administrator")
    both = organisation_names(client, labs="Hybride Formen des Handels")
    assert "Zwillingsladen" in both
    assert set(both) == set(organisation_names(client, labs=portfolio.handel.slug)) | {"Zwillingsladen"}


@pytest.mark.parametrize("value", ["Kein Labor", "<b>Kein</b> Labor"])
def test_organisation_list_names_an_unknown_lab(portfolio: Portfolio, one: None, value: str) -> None:
    response = portfolio.client("administrator").get(ORGANISATIONS, {"labs": value})
    assert response.status_code == 200
    errors = page_errors(response)
    assert "Kein" in errors and "Labor" in errors
    assert "<b>" not in response.content.decode()
    assert response.context["organisations"] == []


def test_organisation_list_for_the_public_ignores_lab_names(portfolio: Portfolio, one: None) -> None:
    """The public has no lab filter (it works on internal data): no 500, no labs in the form."""
    response = portfolio.client("anonymous").get(ORGANISATIONS, {"labs": "Hybride Formen des Handels"})
    assert response.status_code == 200
    assert 'name="labs"' not in response.content.decode()


def people_names(client: Client, query: str) -> list[str]:
    response = client.get(f"{PEOPLE}?{query}")
    assert response.status_code == 200
    return [row.name for row in response.context["people"]]


@pytest.mark.parametrize("limited", [False, True], ids=["list box", "text input"])
def test_people_list_filters_by_lab_names_as_by_slugs(
    portfolio: Portfolio, crm: Crm, monkeypatch: pytest.MonkeyPatch, limited: bool
) -> None:
    if limited:
        monkeypatch.setattr(fields, "LAB_LIST_MAX", 1)
    trader = make_person(first_name="Tina", last_name="Händlerin", email="tina@example.org")
    affiliate(trader, Organisation.objects.get(slug="cafe-am-pferdemarkt"), "Inhaberin")
    client = portfolio.client("administrator")
    handwerk = people_names(client, f"labs={portfolio.handwerk.slug}")
    assert {"Anna Schreiner", "Bernd Hobel"} <= set(handwerk) and "Tina Händlerin" not in handwerk
    assert people_names(client, "labs=Digitale+Koproduktion+im+Handwerk") == handwerk
    assert people_names(client, "labs=digitale+koproduktion+im+handwerk") == handwerk
    both = people_names(client, f"labs=Digitale+Koproduktion+im+Handwerk&labs={portfolio.handel.slug}")
    assert set(both) == set(handwerk) | set(people_names(client, f"labs={portfolio.handel.slug}"))
    assert "Tina Händlerin" in both
    html = client.get(PEOPLE).content.decode()
    if limited:
        assert '<datalist id="id_labs-options"></datalist>' in html
    else:
        assert '<select name="labs"' in html


@pytest.mark.parametrize("limited", [False, True], ids=["list box", "text input"])
def test_people_list_names_an_unknown_lab(
    portfolio: Portfolio, crm: Crm, monkeypatch: pytest.MonkeyPatch, limited: bool
) -> None:
    if limited:
        monkeypatch.setattr(fields, "LAB_LIST_MAX", 1)
    response = portfolio.client("coordinator").get(PEOPLE, {"labs": "Kein Labor"})
    assert response.status_code == 200
    assert response.context["filters"].errors["labs"] == [message_for("Kein Labor")]
    assert "Kein Labor" in page_errors(response)


def test_people_list_refuses_a_lab_the_coordinator_does_not_see(
    portfolio: Portfolio, crm: Crm, drafts: dict[str, Lab], one: None
) -> None:
    client = portfolio.client("coordinator")
    hidden = drafts["nobody"]
    response = client.get(PEOPLE, {"labs": hidden.name})
    assert response.status_code == 200 and "labs" in response.context["filters"].errors
    assert people_names(client, "labs=Entwurf+Handwerkslabor") == []  # their own draft: taken, no people


def interaction_subjects(client: Client, **query: str) -> list[str]:
    response = client.get(INTERACTIONS, query)
    assert response.status_code == 200
    assert not response.context["filters"].errors, response.context["filters"].errors
    return [row.subject for row in response.context["interactions"]]


@pytest.mark.parametrize("limited", [False, True], ids=["list box", "text input"])
def test_interaction_list_filters_by_a_lab_name_as_by_its_slug(
    portfolio: Portfolio, crm: Crm, monkeypatch: pytest.MonkeyPatch, limited: bool
) -> None:
    if limited:
        monkeypatch.setattr(fields, "LAB_LIST_MAX", 1)
    Interaction.objects.create(
        kind=Interaction.Kind.CALL,
        occurred_at=crm.interaction.occurred_at,
        subject="Anruf im Handel",
        staff=portfolio.users["coordinator"],
        organisation=crm.tischlerei,
        lab=portfolio.handel,
    )
    client = portfolio.client("coordinator")
    assert interaction_subjects(client, lab=portfolio.handwerk.slug) == ["Besuch in der Werkstatt"]
    assert interaction_subjects(client, lab="Digitale Koproduktion im Handwerk") == [
        "Besuch in der Werkstatt"
    ]
    assert interaction_subjects(client, lab="DIGITALE KOPRODUKTION IM HANDWERK") == [
        "Besuch in der Werkstatt"
    ]
    assert interaction_subjects(client, lab="Hybride Formen des Handels") == ["Anruf im Handel"]
    html = client.get(INTERACTIONS).content.decode()
    if limited:
        assert re.search(r'<input type="text" name="lab"[^>]* list="id_lab-options"', html)
        assert '<datalist id="id_lab-options"></datalist>' in html
    else:
        assert '<select name="lab"' in html


@pytest.mark.parametrize("limited", [False, True], ids=["list box", "text input"])
def test_interaction_list_names_an_unknown_lab_and_ignores_it(
    portfolio: Portfolio, crm: Crm, drafts: dict[str, Lab], monkeypatch: pytest.MonkeyPatch, limited: bool
) -> None:
    if limited:
        monkeypatch.setattr(fields, "LAB_LIST_MAX", 1)
    client = portfolio.client("coordinator")
    for value in ("Kein Labor", drafts["nobody"].slug, drafts["nobody"].name, "x" * 5000, "a\x00b"):
        response = client.get(INTERACTIONS, {"lab": value})
        assert response.status_code == 200
        assert response.context["filters"].errors["lab"] == [message_for(value)]
        assert [row.subject for row in response.context["interactions"]] == ["Besuch in der Werkstatt"]
    assert "Kein Labor" in page_errors(client.get(INTERACTIONS, {"lab": "Kein Labor"}))


def interaction_form(portfolio: Portfolio, crm: Crm, **overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "visit",
        "occurred_at": "2025-02-18T09:30",
        "subject": "Besuch mit Labor",
        "staff": str(portfolio.users["coordinator"].pk),  # type: ignore[union-attr]
        "organisation": crm.tischlerei.slug,
        "participants": [str(crm.anna.uuid)],
        "lab": portfolio.handwerk.slug,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("limited", [False, True], ids=["list box", "text input"])
@pytest.mark.parametrize("value", ["digitale-koproduktion-im-handwerk", "digitale koproduktion im handwerk"])
def test_recording_an_interaction_takes_the_lab_by_slug_or_name(
    portfolio: Portfolio, crm: Crm, monkeypatch: pytest.MonkeyPatch, limited: bool, value: str
) -> None:
    if limited:
        monkeypatch.setattr(fields, "LAB_LIST_MAX", 1)
    client = portfolio.client("coordinator")
    form_html = client.get(CREATE_INTERACTION).content.decode()
    assert ('<datalist id="id_lab-options"></datalist>' in form_html) is limited
    response = client.post(CREATE_INTERACTION, interaction_form(portfolio, crm, lab=value))
    assert response.status_code == 302, response.context["form"].errors
    assert Interaction.objects.get(subject="Besuch mit Labor").lab == portfolio.handwerk


def test_recording_an_interaction_with_an_unknown_lab_is_refused_by_name(
    portfolio: Portfolio, crm: Crm, drafts: dict[str, Lab], one: None
) -> None:
    client = portfolio.client("coordinator")
    count = Interaction.objects.count()
    for value in ("Kein Labor", drafts["nobody"].name):
        response = client.post(CREATE_INTERACTION, interaction_form(portfolio, crm, lab=value))
        assert response.status_code == 200
        assert response.context["form"].errors["lab"] == [message_for(value)]
        assert value in response.content.decode()
    assert Interaction.objects.count() == count


@pytest.mark.parametrize("role", ["coordinator", "partner", "outsider", "anonymous"])
def test_organisation_list_refuses_a_lab_the_user_does_not_see(
    portfolio: Portfolio, drafts: dict[str, Lab], role: str
) -> None:
    hidden = drafts["nobody"]
    organisation = Organisation.objects.create(name="Geheimfirma", slug="geheimfirma", profile_published=True)
    LabOrganisation.objects.create(lab=hidden, organisation=organisation)
    response = portfolio.client(role).get(ORGANISATIONS, {"labs": hidden.slug})
    assert response.status_code == 200
    assert not response.context["organisations"]
    assert hidden.slug in response.content.decode()  # named in the message: unknown
    assert "Geheimfirma" not in response.content.decode()
