"""The office's long lists write their table rows in Python (``_rows_html`` of the organisation,
people and interaction lists, with ``core.views_helpers``: ``Labels``, ``DateText``,
``html_rows``): every value escaped, the same dates as the templates' ``date`` filter, and the
rows show what they showed as templates."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from conftest import Portfolio
from reallabor.accounts.models import User
from reallabor.actors.models import FollowUp, Interaction, Person
from reallabor.core.testing.actors import Crm, affiliate, make_crm, make_person
from reallabor.core.testing.factories import UserFactory
from reallabor.core.views_helpers import DateText, Labels, html_rows
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
BERLIN_NEW_YEAR = dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.UTC)  # 1 January 2025, 00:30 in Berlin


# Labels -------------------------------------------------------------------------------------------------


class CountingLabel:
    """A label that counts how often it is turned into text (translated)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.calls = 0

    def __str__(self) -> str:
        self.calls += 1
        return self.text


def test_labels_translates_each_label_once_when_first_used() -> None:
    first, second = CountingLabel("Erstes"), CountingLabel("Zweites")
    labels = Labels([("a", first), ("b", second)])
    assert (first.calls, second.calls) == (0, 0)
    assert [labels["a"], labels["a"], labels["a"]] == ["Erstes"] * 3
    assert (first.calls, second.calls) == (1, 0)
    assert labels["b"] == "Zweites" and second.calls == 1


def test_labels_are_german_by_default_and_kept_for_the_list() -> None:
    assert translation.get_language() == "de"
    kinds = Labels(Interaction.Kind.choices)
    assert kinds["visit"] == "Besuch"
    assert type(kinds["visit"]) is str
    with translation.override("en"):
        assert kinds["visit"] == "Besuch"  # translated once, for the whole list
        assert Labels(Interaction.Kind.choices)["visit"] == "Visit"
    sub_kinds = Labels(Organisation.SubKind.choices)
    assert sub_kinds["university"] == str(Organisation.SubKind.UNIVERSITY.label) == "Hochschule"


@pytest.mark.parametrize(("value", "shown"), [("fax", "fax"), ("", ""), (7, "7"), (None, "None")])
def test_labels_show_an_unknown_value_as_it_is(value: Any, shown: str) -> None:
    labels = Labels(Interaction.Kind.choices)
    assert labels[value] == shown
    assert labels.get("visit") is None  # a plain dict otherwise: only [] fills it


# DateText ------------------------------------------------------------------------------------------------


def filter_output(value: Any, format_name: str) -> str:
    return Template('{{ value|date:"' + format_name + '" }}').render(Context({"value": value}))


VALUES = [
    BERLIN_NEW_YEAR,  # another day in Berlin than in UTC
    dt.datetime(2025, 7, 1, 22, 15, 5, tzinfo=dt.UTC),  # summer time: 2 July, 00:15
    dt.datetime(2025, 3, 30, 0, 59, tzinfo=dt.UTC),  # the hour the clocks change
    dt.datetime(2025, 1, 15, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5))),  # another offset
    dt.datetime(2025, 2, 3, 4, 5),  # naive: as it is
    dt.date(2025, 2, 3),
    dt.date(1999, 12, 31),
]


CASES = [
    pytest.param(value, format_name, id=f"{value}-{format_name}")
    for value in VALUES
    for format_name in ("SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "c")
    if isinstance(value, dt.datetime) or format_name != "SHORT_DATETIME_FORMAT"  # a date has no time
]


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(("value", "format_name"), CASES)
def test_date_text_writes_what_the_date_filter_writes(language: str, value: Any, format_name: str) -> None:
    with translation.override(language):
        assert DateText(format_name)(value) == filter_output(value, format_name)


def test_date_text_in_berlin_across_midnight_utc() -> None:
    assert DateText()(BERLIN_NEW_YEAR) == "01.01.2025"
    assert DateText("SHORT_DATETIME_FORMAT")(BERLIN_NEW_YEAR) == "01.01.2025 00:30"
    assert DateText("c")(BERLIN_NEW_YEAR) == "2025-01-01T00:30:00+01:00"
    assert DateText()(dt.date(2025, 1, 1)) == "01.01.2025"
    with translation.override("en"):
        assert DateText()(BERLIN_NEW_YEAR) == filter_output(BERLIN_NEW_YEAR, "SHORT_DATE_FORMAT")


def test_date_text_of_nothing_is_empty() -> None:
    for format_name in ("SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "c"):
        assert DateText(format_name)(None) == "" == filter_output(None, format_name)


def test_date_text_looks_the_format_up_once() -> None:
    german = DateText()
    with translation.override("en"):
        assert german(dt.date(2025, 2, 3)) == "03.02.2025"  # the list's language, not the moment's


# html_rows -----------------------------------------------------------------------------------------------


def test_html_rows_joins_the_rows_as_safe_html() -> None:
    html = html_rows(iter([1, 2]), lambda number: f"<tr><td>{number}</td></tr>")
    assert isinstance(html, SafeString)
    assert html == "<tr><td>1</td></tr><tr><td>2</td></tr>"
    assert Template("{{ rows }}").render(Context({"rows": html})) == html
    assert html_rows([], lambda row: "x") == ""


# The lists' rows -------------------------------------------------------------------------------------------


@pytest.fixture
def crm(portfolio: Portfolio) -> Crm:
    return make_crm(portfolio)


def table_rows(html: str) -> list[str]:
    (body,) = re.findall(r"<tbody>(.*?)</tbody>", html, re.S)
    return [row.strip() + "</tr>" for row in body.split("</tr>") if row.strip()]


def row_with(html: str, text: str) -> str:
    (row,) = [row for row in table_rows(html) if text in row]
    return row


def page(client: Client, url: str, **query: str) -> str:
    response = client.get(url, query)
    assert response.status_code == 200
    html: str = response.content.decode()
    assert XSS not in html
    return html


def test_organisation_rows_escape_every_value(portfolio: Portfolio) -> None:
    organisation = Organisation.objects.create(
        name=f'{XSS} & "Söhne"',
        slug="boese-gmbh",
        kind=Organisation.Kind.SCIENCE,
        sub_kind=Organisation.SubKind.UNIVERSITY,
        district=f'<b>Mitte</b> "{XSS}"',
        profile_published=True,
    )
    expected = (
        f'<tr><th scope="row"><a href="{organisation.get_absolute_url()}">{XSS_ESCAPED} &amp; '
        "&quot;Söhne&quot;</a></th>"
        '<td>Wissenschaft <span class="meta">(Hochschule)</span></td><td></td>'
        f"<td>&lt;b&gt;Mitte&lt;/b&gt; &quot;{XSS_ESCAPED}&quot;</td></tr>"
    )
    for role in ("administrator", "anonymous"):
        html = page(portfolio.client(role), reverse("organisations:organisation-list"), q="Söhne")
        assert row_with(html, "boese-gmbh") == expected


def test_organisation_rows_link_the_detail_page_and_show_kind_sector_district(
    portfolio: Portfolio, crm: Crm
) -> None:
    html = page(portfolio.client("coordinator"), reverse("organisations:organisation-list"))
    tischlerei = crm.tischlerei
    sector = tischlerei.sector
    assert sector is not None
    row = row_with(html, tischlerei.name)
    assert row == (
        f'<tr><th scope="row"><a href="/organisationen/tischlerei-beispiel/">Tischlerei Beispiel GmbH</a></th>'
        f"<td>Unternehmen</td><td>{sector.code} {sector.label}</td><td>Mitte</td></tr>"
    )
    rows = table_rows(html)
    assert len(rows) == Organisation.objects.count()  # fewer than a page
    for organisation in Organisation.objects.all():
        assert f'<a href="{organisation.get_absolute_url()}">' in html


def people_url() -> str:
    return reverse("actors:person-list")


def test_people_rows_escape_every_value(portfolio: Portfolio) -> None:
    organisation = Organisation.objects.create(name=f"{XSS} AG", slug="boese-ag", kind="company")
    person = make_person(
        first_name=XSS,
        last_name='"Quote"',
        function=f"<i>Chef</i> {XSS}",
        email='x"onmouseover="alert(1)@example.org',
        district=f"<b>{XSS}</b>",
    )
    affiliate(person, organisation, f'<u>Rolle</u> "{XSS}"')
    html = page(portfolio.client("administrator"), people_url())
    assert row_with(html, str(person.uuid)) == (
        f'<tr><th scope="row"><a href="/personen/{person.uuid}/">{XSS_ESCAPED} &quot;Quote&quot;</a>'
        f'<br><span class="meta">&lt;i&gt;Chef&lt;/i&gt; {XSS_ESCAPED}</span></th>'
        f'<td><a href="/organisationen/boese-ag/">{XSS_ESCAPED} AG</a>'
        f' <span class="meta">(&lt;u&gt;Rolle&lt;/u&gt; &quot;{XSS_ESCAPED}&quot;)</span></td>'
        '<td><a href="mailto:x&quot;onmouseover=&quot;alert(1)@example.org">'
        "x&quot;onmouseover=&quot;alert(1)@example.org</a></td>"
        f'<td>&lt;b&gt;{XSS_ESCAPED}&lt;/b&gt;</td><td><span class="meta">nie</span></td></tr>'
    )


def test_people_rows_show_organisations_roles_and_last_contact(portfolio: Portfolio, crm: Crm) -> None:
    Person.objects.filter(pk=crm.anna.pk).update(last_contact_at=BERLIN_NEW_YEAR)
    second = Organisation.objects.create(name="Zweitfirma", slug="zweitfirma", kind="company")
    affiliate(crm.anna, second, "")  # no role: no brackets
    former = Organisation.objects.create(name="Früher GmbH", slug="frueher", kind="company")
    affiliate(crm.bernd, former, "Lehrling", end_date=dt.date(2020, 1, 1))  # a former role is not shown
    html = page(portfolio.client("coordinator"), people_url())
    anna = row_with(html, str(crm.anna.uuid))
    assert anna == (
        f'<tr><th scope="row"><a href="/personen/{crm.anna.uuid}/">Anna Schreiner</a></th>'
        '<td><a href="/organisationen/tischlerei-beispiel/">Tischlerei Beispiel GmbH</a>'
        ' <span class="meta">(Inhaberin)</span><br><a href="/organisationen/zweitfirma/">Zweitfirma</a></td>'
        '<td><a href="mailto:anna@tischlerei-beispiel.example">anna@tischlerei-beispiel.example</a></td>'
        f"<td></td><td>{filter_output(BERLIN_NEW_YEAR, 'SHORT_DATE_FORMAT')}</td></tr>"
    )
    assert "01.01.2025" in anna
    bernd = row_with(html, str(crm.bernd.uuid))
    assert "Früher GmbH" not in bernd and "(Meister)" in bernd
    clara = row_with(html, str(crm.clara.uuid))
    assert clara == (
        f'<tr><th scope="row"><a href="/personen/{crm.clara.uuid}/">Clara Einzeln</a></th>'
        '<td><span class="meta">keine Organisation</span></td>'
        '<td><a href="mailto:clara@example.org">clara@example.org</a></td>'
        '<td>Kirchhellen</td><td><span class="meta">nie</span></td></tr>'
    )


def test_people_rows_in_english(portfolio: Portfolio, crm: Crm) -> None:
    client = portfolio.client("coordinator")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    clara = row_with(page(client, people_url()), str(crm.clara.uuid))
    assert '<span class="meta">no organisation</span>' in clara and '<span class="meta">never</span>' in clara


def staff_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)  # type: ignore[assignment]
    return user


def test_interaction_rows_escape_every_value(portfolio: Portfolio, crm: Crm) -> None:
    organisation = Organisation.objects.create(name=f'{XSS} "KG"', slug="boese-kg", kind="company")
    staff = staff_user(first_name=f"<i>{XSS}</i>", last_name='"Q"', email="staff@example.org")
    guest = make_person(first_name=f"<b>{XSS}</b>", last_name='"Gast"')
    interaction = Interaction.objects.create(
        kind=Interaction.Kind.CALL,
        occurred_at=BERLIN_NEW_YEAR,
        subject=f'{XSS} "Betreff"',
        staff=staff,
        organisation=organisation,
    )
    interaction.participants.add(guest)
    html = page(portfolio.client("administrator"), reverse("actors:interaction-list"))
    assert row_with(html, str(interaction.uuid)) == (
        '<tr><td><time datetime="2025-01-01T00:30:00+01:00">01.01.2025 00:30</time></td>'
        f'<th scope="row"><a href="/kontakte/{interaction.uuid}/">{XSS_ESCAPED} &quot;Betreff&quot;</a></th>'
        f'<td>Anruf</td><td><a href="/organisationen/boese-kg/">{XSS_ESCAPED} &quot;KG&quot;</a>'
        f" <br>&lt;b&gt;{XSS_ESCAPED}&lt;/b&gt; &quot;Gast&quot;</td>"
        f"<td>&lt;i&gt;{XSS_ESCAPED}&lt;/i&gt; &quot;Q&quot;</td><td>–</td></tr>"
    )


def test_interaction_rows_show_participants_anonymised_count_and_follow_ups(
    portfolio: Portfolio, crm: Crm
) -> None:
    today = timezone.localdate()
    gone = make_person(first_name="Gelöscht", last_name="Person", anonymised_at=timezone.now())
    zoe = make_person(first_name="Zoe", last_name="Zander")
    interaction = Interaction.objects.create(
        kind=Interaction.Kind.EVENT,
        occurred_at=dt.datetime(2025, 7, 1, 22, 15, tzinfo=dt.UTC),
        subject="Handwerksfrühstück",
        staff=portfolio.users["coordinator"],
        anonymous_participants=3,
    )
    interaction.participants.add(zoe, crm.anna, gone)
    coordinator = portfolio.users["coordinator"]
    assert coordinator is not None
    overdue = FollowUp.objects.create(
        interaction=interaction,
        title="Nachfassen",
        due_date=today - dt.timedelta(days=2),
        assignee=coordinator,
    )
    later = FollowUp.objects.create(
        interaction=interaction, title="Einladen", due_date=today + dt.timedelta(days=5), assignee=coordinator
    )
    FollowUp.objects.create(
        interaction=interaction,
        title="Erledigt",
        due_date=today - dt.timedelta(days=9),
        assignee=coordinator,
        done_at=timezone.now(),
        done_by=coordinator,
    )
    html = page(portfolio.client("coordinator"), reverse("actors:interaction-list"))
    row = row_with(html, str(interaction.uuid))
    short = DateText()
    staff_name = str(coordinator)
    assert row == (
        '<tr><td><time datetime="2025-07-02T00:15:00+02:00">02.07.2025 00:15</time></td>'
        f'<th scope="row"><a href="/kontakte/{interaction.uuid}/">Handwerksfrühstück</a></th>'
        f"<td>{Labels(Interaction.Kind.choices)['event']}</td>"
        '<td>anonymisierte Person, Anna Schreiner, Zoe Zander <span class="meta">+ 3 anonymisiert</span></td>'
        f"<td>{staff_name}</td>"
        f'<td><span class="badge badge--draft">{short(overdue.due_date)} überfällig</span> '
        f'<span class="badge">{short(later.due_date)}</span></td></tr>'
    )
    assert "Gelöscht" not in html
    visit = row_with(html, str(crm.interaction.uuid))  # an organisation and one participant
    assert (
        '<td><a href="/organisationen/tischlerei-beispiel/">Tischlerei Beispiel GmbH</a> <br>Anna Schreiner</td>'
    ) in visit
    assert f'<span class="badge">{short(crm.follow_up.due_date)}</span>' in visit
    assert "<td>Besuch</td>" in visit
    occurred = timezone.localtime(crm.interaction.occurred_at)
    assert (
        f'<time datetime="{filter_output(occurred, "c")}">{filter_output(occurred, "SHORT_DATETIME_FORMAT")}</time>'
    ) in visit


def test_interaction_row_with_only_anonymous_participants(portfolio: Portfolio, crm: Crm) -> None:
    interaction = Interaction.objects.create(
        kind=Interaction.Kind.MEETING,
        occurred_at=BERLIN_NEW_YEAR,
        subject="Stammtisch",
        staff=None,
        anonymous_participants=1,
    )
    client = portfolio.client("administrator")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    row = row_with(page(client, reverse("actors:interaction-list")), str(interaction.uuid))
    assert '<td><span class="meta">+ 1 anonymised</span></td><td>–</td><td>–</td></tr>' in row
    assert '<td><time datetime="2025-01-01T00:30:00+01:00">' in row
