"""The internal editing pages of labs and measures: permissions by role, forms, htmx fragments.

Every denied write is also checked to have changed nothing (the states of all labs and
measures before and after are compared).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from conftest import ROLES, Portfolio
from reallabor.history.models import Version
from reallabor.history.services import versions_of
from reallabor.labs import services
from reallabor.labs.models import Lab, LabMembership, LabOrganisation, Measure
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Term
from reallabor.taxonomy.services import create_vocabulary_version, current_vocabulary

HANDWERK = "digitale-koproduktion-im-handwerk"
HANDEL = "hybride-formen-des-handels"
HANDWERK_MEASURE = {"lab_slug": HANDWERK, "slug": "kooperation-digitalisierung-handwerk"}
HANDEL_MEASURE = {"lab_slug": HANDEL, "slug": "fairtrade-town"}
SECTIONS = ("activities", "coordination", "financing", "actors", "target_groups", "results")


def client_for(portfolio: Portfolio, role: str, **headers: str) -> Client:
    """A client of the role that reads the English interface (stable texts whatever the .po files say)."""
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.defaults.update(headers)
    return client


def htmx_client(portfolio: Portfolio, role: str) -> Client:
    return client_for(portfolio, role, HTTP_HX_REQUEST="true")


def measure(**kwargs: str) -> Measure:
    return Measure.objects.select_related("lab").get(lab__slug=kwargs["lab_slug"], slug=kwargs["slug"])


def snapshot() -> dict[str, Any]:
    """Everything the editing pages could change."""
    return {
        "labs": {lab.slug: services.lab_state(lab) for lab in Lab.objects.all()},
        "measures": {
            (m.lab.slug, m.slug): (services.measure_state(m), m.position, m.revision)
            for m in Measure.objects.select_related("lab")
        },
        "versions": Version.objects.count(),
    }


def formset(prefix: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def term_id(family: str, code: str, version: int | None = None) -> int:
    terms = Term.objects.filter(vocabulary__family=family, code=code)
    if version is None:
        terms = terms.filter(vocabulary__retired_at__isnull=True)
    else:
        terms = terms.filter(vocabulary__version=version)
    return terms.get().pk


def lab_form_data(lab: Lab, **changes: Any) -> dict[str, Any]:
    data = {
        "name": lab.name,
        "slug": lab.slug,
        "summary": lab.summary,
        "background": lab.background,
        "outlook": lab.outlook,
        "phase": lab.phase,
        "funding_start": lab.funding_start.isoformat() if lab.funding_start else "",
        "funding_end": lab.funding_end.isoformat() if lab.funding_end else "",
        "coordinator": lab.coordinator.slug if lab.coordinator else "",
        "expected_revision": str(lab.revision),
    }
    data.update(changes)
    return data


def measure_form_data(item: Measure, **changes: Any) -> dict[str, Any]:
    data = {
        "title": item.title,
        "slug": item.slug,
        "summary": item.summary,
        "status": item.status,
        "start": item.start.isoformat() if item.start else "",
        "end": item.end.isoformat() if item.end else "",
        "expected_revision": str(item.revision),
    }
    data.update(changes)
    return data


# The role matrix ----------------------------------------------------------------------------------

LAB_MANAGERS = {
    "anonymous": 302,
    "reader": 403,
    "partner": 403,
    "coordinator": 200,
    "administrator": 200,
    "outsider": 403,
}
ADMIN_ONLY = {**LAB_MANAGERS, "coordinator": 403}
HANDEL_EDITORS = {**LAB_MANAGERS, "partner": 200, "coordinator": 403}
HANDEL_MANAGERS = {**LAB_MANAGERS, "coordinator": 403}

PAGES: list[tuple[str, str, dict[str, Any], dict[str, int]]] = [
    ("lab create", "labs:lab-create", {}, ADMIN_ONLY),
    ("lab edit", "labs:lab-edit", {"slug": HANDWERK}, LAB_MANAGERS),
    ("lab members", "labs:lab-members", {"slug": HANDWERK}, LAB_MANAGERS),
    ("lab history", "labs:lab-history", {"slug": HANDWERK}, LAB_MANAGERS),
    ("lab delete", "labs:lab-delete", {"slug": HANDWERK}, ADMIN_ONLY),
    ("measure create", "labs:measure-create", {"lab_slug": HANDWERK}, LAB_MANAGERS),
    ("measure edit", "labs:measure-edit", HANDWERK_MEASURE, LAB_MANAGERS),
    ("measure tags", "labs:measure-tags", HANDWERK_MEASURE, LAB_MANAGERS),
    ("measure history", "labs:measure-history", HANDWERK_MEASURE, LAB_MANAGERS),
    ("measure delete", "labs:measure-delete", HANDWERK_MEASURE, LAB_MANAGERS),
    ("partner edits", "labs:measure-edit", HANDEL_MEASURE, HANDEL_EDITORS),
    ("partner tags", "labs:measure-tags", HANDEL_MEASURE, HANDEL_EDITORS),
    ("partner history", "labs:measure-history", HANDEL_MEASURE, HANDEL_EDITORS),
    ("partner cannot delete", "labs:measure-delete", HANDEL_MEASURE, HANDEL_MANAGERS),
    *(
        (
            f"section {section}",
            "labs:measure-edit-section",
            {**HANDWERK_MEASURE, "section": section},
            LAB_MANAGERS,
        )
        for section in SECTIONS
    ),
    (
        "partner section",
        "labs:measure-edit-section",
        {**HANDEL_MEASURE, "section": "results"},
        HANDEL_EDITORS,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "name", "kwargs", "expected"), PAGES, ids=[page[0] for page in PAGES])
def test_pages_by_role(
    portfolio: Portfolio, label: str, name: str, kwargs: dict[str, Any], expected: dict[str, int]
) -> None:
    url = reverse(name, kwargs=kwargs)
    for role in ROLES:
        response = client_for(portfolio, role).get(url)
        assert response.status_code == expected[role], role
        if expected[role] == 302:
            assert response["Location"].startswith(reverse("accounts:login")), role


@pytest.mark.django_db
def test_draft_measure_is_invisible_to_outsiders(portfolio: Portfolio) -> None:
    services.update_measure(user=None, measure=measure(**HANDEL_MEASURE), data={"is_published": False})
    expected = {
        "anonymous": 302,
        "reader": 403,  # readers see drafts but change nothing
        "partner": 200,
        "coordinator": 404,  # not a member of this lab: the draft does not exist for them
        "administrator": 200,
        "outsider": 404,
    }
    for role in ROLES:
        response = client_for(portfolio, role).get(reverse("labs:measure-edit", kwargs=HANDEL_MEASURE))
        assert response.status_code == expected[role], role


def _version_id() -> dict[str, Any]:
    first = versions_of(measure(**HANDWERK_MEASURE)).order_by("id").first()
    assert first is not None
    return {**HANDWERK_MEASURE, "version_id": first.pk}


WRITES: list[tuple[str, str, Callable[[], dict[str, Any]], Callable[[], dict[str, Any]], dict[str, int]]] = [
    (
        "lab create",
        "labs:lab-create",
        dict,
        lambda: {"name": "Neues Labor", "phase": "co_design"},
        {**ADMIN_ONLY, "administrator": 302},
    ),
    (
        "lab edit",
        "labs:lab-edit",
        lambda: {"slug": HANDWERK},
        lambda: lab_form_data(Lab.objects.get(slug=HANDWERK), name="Umbenannt"),
        {**LAB_MANAGERS, "coordinator": 302, "administrator": 302},
    ),
    (
        "lab publish",
        "labs:lab-publish",
        lambda: {"slug": HANDWERK},
        lambda: {"published": "0"},
        {**LAB_MANAGERS, "coordinator": 302, "administrator": 302},
    ),
    (
        "lab members",
        "labs:lab-members",
        lambda: {"slug": HANDWERK},
        lambda: {"action": "add-member", "member-email": "outsider@example.org", "member-role": "partner"},
        {**LAB_MANAGERS, "coordinator": 302, "administrator": 302},
    ),
    (
        "lab delete",
        "labs:lab-delete",
        lambda: {"slug": HANDWERK},
        dict,
        {**ADMIN_ONLY, "administrator": 302},
    ),
    (
        "measure create",
        "labs:measure-create",
        lambda: {"lab_slug": HANDWERK},
        lambda: {"title": "Neue Maßnahme", "status": "planned"},
        {**LAB_MANAGERS, "coordinator": 302, "administrator": 302},
    ),
    (
        "measure edit",
        "labs:measure-edit",
        lambda: HANDWERK_MEASURE,
        lambda: measure_form_data(measure(**HANDWERK_MEASURE), title="Umbenannt"),
        {**LAB_MANAGERS, "coordinator": 302, "administrator": 302},
    ),
    (
        "measure section",
        "labs:measure-edit-section",
        lambda: {**HANDWERK_MEASURE, "section": "activities"},
        lambda: formset("activities", [{"title": "Nur noch dies"}]),
        {**LAB_MANAGERS, "coordinator": 302, "administrator": 302},
    ),
    (
        "measure tags",
        "labs:measure-tags",
        lambda: HANDWERK_MEASURE,
        lambda: formset("tags", [{"term": term_id("sdg", "4"), "priority": "primary"}]),
        {**LAB_MANAGERS, "coordinator": 302, "administrator": 302},
    ),
    (
        "measure publish",
        "labs:measure-publish",
        lambda: HANDWERK_MEASURE,
        lambda: {"published": "0"},
        {**LAB_MANAGERS, "coordinator": 302, "administrator": 302},
    ),
    (
        "measure move",
        "labs:measure-move",
        lambda: {"lab_slug": HANDEL, "slug": "hallobot"},
        lambda: {"direction": "up"},
        {**HANDEL_MANAGERS, "administrator": 302},
    ),
    (
        "measure delete",
        "labs:measure-delete",
        lambda: HANDWERK_MEASURE,
        dict,
        {**LAB_MANAGERS, "coordinator": 302, "administrator": 302},
    ),
    (
        "measure restore",
        "labs:measure-restore",
        _version_id,
        dict,
        {**LAB_MANAGERS, "coordinator": 302, "administrator": 302},
    ),
    (
        "partner edits a measure of their lab",
        "labs:measure-edit",
        lambda: HANDEL_MEASURE,
        lambda: measure_form_data(measure(**HANDEL_MEASURE), title="Umbenannt"),
        {**HANDEL_EDITORS, "partner": 302, "administrator": 302},
    ),
    (
        "partner cannot publish",
        "labs:measure-publish",
        lambda: HANDEL_MEASURE,
        lambda: {"published": "0"},
        {**HANDEL_MANAGERS, "administrator": 302},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("label", "name", "kwargs", "data", "expected"), WRITES, ids=[write[0] for write in WRITES]
)
def test_writes_by_role(
    portfolio: Portfolio,
    label: str,
    name: str,
    kwargs: Callable[[], dict[str, Any]],
    data: Callable[[], dict[str, Any]],
    expected: dict[str, int],
) -> None:
    """Each role posts to the same starting state (each request is rolled back afterwards)."""
    if label == "measure restore":  # something to restore
        item = measure(**HANDWERK_MEASURE)
        services.update_measure(user=None, measure=item, data={"title": "Zwischenstand"})
    for role in ROLES:
        with transaction.atomic():
            before = snapshot()
            response = client_for(portfolio, role).post(reverse(name, kwargs=kwargs()), data())
            assert response.status_code == expected[role], (role, response.content[:500])
            if expected[role] == 302 and role != "anonymous":
                assert snapshot() != before, role
            else:
                assert snapshot() == before, role
            transaction.set_rollback(True)


# Labs -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_creates_a_lab(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "administrator")
    response = client.post(
        reverse("labs:lab-create"),
        {
            "name": "Zirkuläre Wertschöpfung",
            "summary": "Kreisläufe schließen.",
            "phase": "co_design",
            "funding_start": "2025-01-01",
            "funding_end": "2026-12-31",
            "coordinator": "Stadt Bottrop – Amt für Wirtschaftsförderung und Standortmanagement",
            "is_published": "on",
        },
    )
    lab = Lab.objects.get(slug="zirkulaere-wertschoepfung")
    assert response.status_code == 302
    assert response["Location"] == reverse("labs:lab-edit", kwargs={"slug": lab.slug})
    state = services.lab_state(lab)
    assert state["coordinator"] == "wirtschaftsfoerderung-bottrop"
    assert state["funding_end"] == "2026-12-31"
    assert state["is_published"] is True


@pytest.mark.django_db
def test_lab_form_errors_are_field_level_and_change_nothing(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "administrator")
    lab = Lab.objects.get(slug=HANDWERK)
    before = snapshot()
    response = client.post(
        reverse("labs:lab-edit", kwargs={"slug": HANDWERK}),
        lab_form_data(
            lab, slug=HANDEL, funding_start="2022-01-01", funding_end="2021-01-01", coordinator="nobody"
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["funding_end"] == ["The end must not be before the start."]
    assert "There is no organisation “nobody”" in form.errors["coordinator"][0]
    assert snapshot() == before
    # A slug that is taken: the service's message on the field.
    response = client.post(
        reverse("labs:lab-edit", kwargs={"slug": HANDWERK}), lab_form_data(lab, slug=HANDEL)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["slug"]
    assert snapshot() == before


@pytest.mark.django_db
def test_lab_edit_conflict(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "coordinator")
    lab = Lab.objects.get(slug=HANDWERK)
    stale = lab_form_data(lab, name="Mein Stand")
    services.update_lab(user=None, lab=lab, data={"summary": "Jemand anderes war schneller."})
    before = snapshot()
    response = client.post(reverse("labs:lab-edit", kwargs={"slug": HANDWERK}), stale)
    assert response.status_code == 200
    assert "changed by someone else" in response.context["form"].non_field_errors()[0]
    assert snapshot() == before


@pytest.mark.django_db
def test_lab_edit_saves(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "coordinator")
    lab = Lab.objects.get(slug=HANDWERK)
    response = client.post(
        reverse("labs:lab-edit", kwargs={"slug": HANDWERK}),
        lab_form_data(lab, outlook="**Weiter** so.", phase="ended", coordinator="handwerkskammer-muenster"),
    )
    assert response.status_code == 302
    state = services.lab_state(Lab.objects.get(slug=HANDWERK))
    assert (state["outlook"], state["phase"], state["coordinator"]) == (
        "**Weiter** so.",
        "ended",
        "handwerkskammer-muenster",
    )


@pytest.mark.django_db
def test_lab_publish_with_htmx_returns_the_new_state(portfolio: Portfolio) -> None:
    response = htmx_client(portfolio, "coordinator").post(
        reverse("labs:lab-publish", kwargs={"slug": HANDWERK}), {"published": "0"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert "Publish lab" in content
    assert 'hx-swap-oob="true"' in content
    assert Lab.objects.get(slug=HANDWERK).is_published is False


@pytest.mark.django_db
def test_members_are_managed_by_e_mail(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "coordinator")
    url = reverse("labs:lab-members", kwargs={"slug": HANDWERK})
    lab = Lab.objects.get(slug=HANDWERK)
    response = client.post(
        url, {"action": "add-member", "member-email": "OUTSIDER@example.org", "member-role": "partner"}
    )
    assert response.status_code == 302
    assert lab.memberships.get(user__email="outsider@example.org").role == "partner"

    before = snapshot()
    response = client.post(
        url, {"action": "add-member", "member-email": "nobody@example.org", "member-role": "partner"}
    )
    assert response.status_code == 200
    assert response.context["member_form"].errors["email"]
    assert snapshot() == before

    # Coordinators cannot appoint coordinators, not even with a crafted request.
    response = client.post(
        url, {"action": "set-member-role", "email": "outsider@example.org", "role": "coordinator"}
    )
    assert response.status_code == 403
    assert snapshot() == before

    response = client.post(
        url,
        {
            "action": "add-organisation",
            "organisation-organisation": "fablab-hrw",
            "organisation-role": "science",
        },
    )
    assert response.status_code == 302
    assert lab.organisations.get(organisation__slug="fablab-hrw").role == "science"
    response = client.post(
        url, {"action": "set-organisation-role", "organisation": "fablab-hrw", "role": "supporter"}
    )
    assert lab.organisations.get(organisation__slug="fablab-hrw").role == "supporter"
    response = client.post(url, {"action": "remove-organisation", "organisation": "fablab-hrw"})
    assert not lab.organisations.filter(organisation__slug="fablab-hrw").exists()
    response = client.post(url, {"action": "remove-member", "email": "outsider@example.org"})
    assert response.status_code == 302
    assert not LabMembership.objects.filter(lab=lab, user__email="outsider@example.org").exists()


@pytest.mark.django_db
def test_members_with_htmx_return_the_fragment(portfolio: Portfolio) -> None:
    response = htmx_client(portfolio, "administrator").post(
        reverse("labs:lab-members", kwargs={"slug": HANDWERK}),
        {"action": "add-member", "member-email": "reader@example.org", "member-role": "coordinator"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="members">')
    assert "reader@example.org" in content
    assert (
        LabMembership.objects.get(lab__slug=HANDWERK, user__email="reader@example.org").role == "coordinator"
    )


@pytest.mark.django_db
def test_admin_deletes_a_lab(portfolio: Portfolio) -> None:
    response = client_for(portfolio, "administrator").post(
        reverse("labs:lab-delete", kwargs={"slug": HANDWERK})
    )
    assert response.status_code == 302
    assert not Lab.objects.filter(slug=HANDWERK).exists()
    assert not LabOrganisation.objects.filter(lab__slug=HANDWERK).exists()


@pytest.mark.django_db
def test_lab_history_lists_changes(portfolio: Portfolio) -> None:
    lab = Lab.objects.get(slug=HANDWERK)
    services.update_lab(user=portfolio.users["coordinator"], lab=lab, data={"phase": "ended"})
    response = client_for(portfolio, "coordinator").get(
        reverse("labs:lab-history", kwargs={"slug": HANDWERK})
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert '<span class="diff-old">Continued</span>' in content
    assert '<span class="diff-new">Ended</span>' in content
    assert "coordinator@example.org" in content or str(portfolio.users["coordinator"]) in content


# Measures -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_coordinator_creates_a_measure(portfolio: Portfolio) -> None:
    response = client_for(portfolio, "coordinator").post(
        reverse("labs:measure-create", kwargs={"lab_slug": HANDWERK}),
        {"title": "Handwerksfrühstück", "summary": "", "status": "running", "start": "2025-02-18"},
    )
    item = Measure.objects.get(lab__slug=HANDWERK, slug="handwerksfruehstueck")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "labs:measure-edit", kwargs={"lab_slug": HANDWERK, "slug": item.slug}
    )
    assert item.status == "running"
    assert item.is_published is False


@pytest.mark.django_db
def test_measure_create_reports_a_taken_slug(portfolio: Portfolio) -> None:
    before = snapshot()
    response = client_for(portfolio, "coordinator").post(
        reverse("labs:measure-create", kwargs={"lab_slug": HANDWERK}),
        {"title": "Doppelt", "slug": "kooperation-digitalisierung-handwerk", "status": "planned"},
    )
    assert response.status_code == 200
    assert "already used" in response.context["form"].errors["slug"][0]
    assert snapshot() == before


@pytest.mark.django_db
def test_measure_edit_saves_and_reports_conflicts(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "coordinator")
    item = measure(**HANDWERK_MEASURE)
    url = reverse("labs:measure-edit", kwargs=HANDWERK_MEASURE)
    stale = measure_form_data(item, title="Veralteter Stand")
    response = client.post(url, measure_form_data(item, title="Neuer Titel", status="completed"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.status) == ("Neuer Titel", "completed")

    before = snapshot()
    response = client.post(url, stale)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "changed by someone else" in errors[0]
    assert snapshot() == before

    response = client.post(url, measure_form_data(item, start="2024-05-01", end="2024-01-01"))
    assert response.status_code == 200
    assert response.context["form"].errors["end"] == ["The end must not be before the start."]
    assert snapshot() == before


SECTION_CASES: list[tuple[str, list[dict[str, Any]], str, Any]] = [
    (
        "activities",
        [
            {
                "title": "Werkstattgespräch",
                "start": "2024-03-01",
                "end": "2024-03-02",
                "text": "Mit *Vortrag*.",
            },
            {"title": "Betriebsbesuch", "start": "", "end": "", "text": ""},
        ],
        "activities",
        [
            {
                "title": "Werkstattgespräch",
                "start": "2024-03-01",
                "end": "2024-03-02",
                "text": "Mit *Vortrag*.",
            },
            {"title": "Betriebsbesuch", "start": None, "end": None, "text": ""},
        ],
    ),
    (
        "coordination",
        [{"organisation": "handwerkskammer-muenster"}, {"organisation": "Agentur für Arbeit"}],
        "coordinators",
        ["agentur-fuer-arbeit", "handwerkskammer-muenster"],
    ),
    (
        "financing",
        [
            {
                "source_kind": "funder",
                "source": "Stiftung Handwerk",
                "amount": "1234.50",
                "start": "2024-01-01",
                "end": "",
            }
        ],
        "financing",
        [
            {
                "source_kind": "funder",
                "source": "Stiftung Handwerk",
                "amount": "1234.50",
                "start": "2024-01-01",
                "end": None,
            }
        ],
    ),
    (
        "actors",
        [
            {"organisation": "fablab-hrw", "group_name": "", "role": "Werkstatt"},
            {"organisation": "", "group_name": "Schulen", "role": ""},
        ],
        "actors",
        [
            {"organisation": "fablab-hrw", "group_name": "", "role": "Werkstatt"},
            {"organisation": None, "group_name": "Schulen", "role": ""},
        ],
    ),
    (
        "target_groups",
        [{"term": "TG:gefluechtete", "added_value": "Arbeit und Ausbildung."}],
        "target_groups",
        [
            {
                "term": {"family": "target-groups", "version": 1, "code": "gefluechtete"},
                "added_value": "Arbeit und Ausbildung.",
            }
        ],
    ),
    (
        "results",
        [
            {
                "date": "2024-06-01",
                "text": "Bericht erschienen.",
                "evidence_url": "https://example.org/bericht",
            }
        ],
        "results",
        [
            {
                "date": "2024-06-01",
                "text": "Bericht erschienen.",
                "evidence_url": "https://example.org/bericht",
                "evidence_file": None,
            }
        ],
    ),
]


def _resolve(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    resolved = []
    for row in rows:
        row = dict(row)
        if isinstance(row.get("term"), str) and row["term"].startswith("TG:"):
            row["term"] = str(term_id("target-groups", row["term"][3:]))
        resolved.append(row)
    return resolved


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("section", "rows", "key", "expected"), SECTION_CASES, ids=[case[0] for case in SECTION_CASES]
)
def test_each_profile_section_saves(
    portfolio: Portfolio, section: str, rows: list[dict[str, Any]], key: str, expected: Any
) -> None:
    item = measure(**HANDWERK_MEASURE)
    before = services.measure_state(item)
    data = {**formset(section, _resolve(rows)), "expected_revision": str(item.revision)}
    url = reverse("labs:measure-edit-section", kwargs={**HANDWERK_MEASURE, "section": section})
    response = client_for(portfolio, "coordinator").post(url, data)
    assert response.status_code == 302, response.context and response.context["formset"].errors
    assert response["Location"].endswith(f"#section-{section}")
    after = services.measure_state(measure(**HANDWERK_MEASURE))
    assert after[key] == expected
    # Only this section changed.
    assert {k: v for k, v in after.items() if k != key} == {k: v for k, v in before.items() if k != key}


@pytest.mark.django_db
def test_section_rows_are_removed_and_reordered(portfolio: Portfolio) -> None:
    item = measure(**HANDWERK_MEASURE)
    titles = [row["title"] for row in services.measure_state(item)["activities"]]
    rows = [
        {"title": titles[0], "ORDER": "3"},
        {"title": titles[1], "ORDER": "2", "DELETE": "on"},
        {"title": titles[2], "ORDER": "1"},
        {"title": "", "ORDER": ""},  # the blank extra row
    ]
    data = {**formset("activities", rows, initial=3), "expected_revision": str(item.revision)}
    url = reverse("labs:measure-edit-section", kwargs={**HANDWERK_MEASURE, "section": "activities"})
    response = client_for(portfolio, "coordinator").post(url, data)
    assert response.status_code == 302
    state = services.measure_state(measure(**HANDWERK_MEASURE))
    assert [row["title"] for row in state["activities"]] == [titles[2], titles[0]]


@pytest.mark.django_db
def test_section_errors_are_field_level_and_change_nothing(portfolio: Portfolio) -> None:
    item = measure(**HANDWERK_MEASURE)
    client = client_for(portfolio, "coordinator")
    before = snapshot()
    url = reverse("labs:measure-edit-section", kwargs={**HANDWERK_MEASURE, "section": "activities"})
    rows = [{"title": "Gut"}, {"title": "Falsch herum", "start": "2024-05-01", "end": "2024-04-01"}]
    response = client.post(url, {**formset("activities", rows), "expected_revision": str(item.revision)})
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["end"] == ["The end must not be before the start."]
    assert snapshot() == before

    url = reverse("labs:measure-edit-section", kwargs={**HANDWERK_MEASURE, "section": "actors"})
    rows = [{"organisation": "fablab-hrw", "group_name": "Schulen"}, {"organisation": "gibt-es-nicht"}]
    response = client.post(url, {**formset("actors", rows), "expected_revision": str(item.revision)})
    forms = response.context["formset"].forms
    assert forms[0].errors["group_name"] == ["Name either an organisation or a group, not both."]
    assert "There is no organisation" in forms[1].errors["organisation"][0]
    assert snapshot() == before

    # A stale revision: the conflict message, nothing saved.
    url = reverse("labs:measure-edit-section", kwargs={**HANDWERK_MEASURE, "section": "financing"})
    rows = [{"source_kind": "programme", "source": "Neu"}]
    response = client.post(url, {**formset("financing", rows), "expected_revision": str(item.revision - 1)})
    assert response.status_code == 200
    assert "changed by someone else" in response.context["formset"].non_form_errors()[0]
    assert snapshot() == before


@pytest.mark.django_db
def test_unknown_section_is_404(portfolio: Portfolio) -> None:
    url = reverse("labs:measure-edit-section", kwargs={**HANDWERK_MEASURE, "section": "secrets"})
    assert client_for(portfolio, "coordinator").get(url).status_code == 404
    assert client_for(portfolio, "coordinator").post(url, {}).status_code == 404


@pytest.mark.django_db
def test_section_with_htmx_swaps_form_and_view(portfolio: Portfolio) -> None:
    client = htmx_client(portfolio, "coordinator")
    item = measure(**HANDWERK_MEASURE)
    url = reverse("labs:measure-edit-section", kwargs={**HANDWERK_MEASURE, "section": "activities"})
    response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert content.lstrip().startswith(
        '<section class="profile-section profile-section--editing" id="section-activities"'
    )
    assert 'name="activities-TOTAL_FORMS" value="4"' in content  # three rows and a blank one

    # “Add a row” adds a blank row without saving anything.
    before = snapshot()
    data = {
        **formset("activities", [{"title": "A"}, {"title": ""}]),
        "expected_revision": str(item.revision),
        "add-row": "1",
    }
    response = client.post(url, data)
    content = response.content.decode()
    assert 'name="activities-TOTAL_FORMS" value="3"' in content
    assert 'class="error"' not in content
    assert snapshot() == before

    data = {
        **formset("activities", [{"title": "Einzige Aktivität"}]),
        "expected_revision": str(item.revision),
    }
    response = client.post(url, data)
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section class="profile-section" id="section-activities"')
    assert "Einzige Aktivität" in content
    assert f'value="{item.revision + 1}" hx-swap-oob="outerHTML:.measure-revision"' in content

    response = client.get(url + "?cancel=1")
    assert (
        response.content.decode()
        .lstrip()
        .startswith('<section class="profile-section" id="section-activities"')
    )


@pytest.mark.django_db
def test_evidence_file_upload_and_keep(portfolio: Portfolio, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    item = measure(**HANDWERK_MEASURE)
    client = client_for(portfolio, "coordinator")
    url = reverse("labs:measure-edit-section", kwargs={**HANDWERK_MEASURE, "section": "results"})
    upload = SimpleUploadedFile("bericht.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    rows = [{"date": "2024-06-01", "text": "Bericht", "evidence_file": upload}]
    response = client.post(url, {**formset("results", rows), "expected_revision": str(item.revision)})
    assert response.status_code == 302
    stored = services.measure_state(measure(**HANDWERK_MEASURE))["results"][0]["evidence_file"]
    assert stored.startswith(f"evidence/{item.pk}/bericht")

    # Saving again without a new file keeps the stored one; a file name of elsewhere is ignored.
    item = measure(**HANDWERK_MEASURE)
    rows = [
        {"date": "2024-06-01", "text": "Bericht", "current_file": stored},
        {"date": "2024-06-02", "text": "Fremd", "current_file": "evidence/1/fremd.pdf"},
    ]
    response = client.post(
        url, {**formset("results", rows, initial=1), "expected_revision": str(item.revision)}
    )
    assert response.status_code == 302
    results = services.measure_state(measure(**HANDWERK_MEASURE))["results"]
    assert [row["evidence_file"] for row in results] == [stored, None]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "size", "message"),
    [("gross.pdf", 2000, "at most"), ("programm.exe", 10, "are not accepted")],
)
def test_bad_upload_is_rejected_on_the_field(
    portfolio: Portfolio, settings: Any, tmp_path: Any, name: str, size: int, message: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.MAX_UPLOAD_BYTES = 1000
    item = measure(**HANDWERK_MEASURE)
    before = snapshot()
    upload = SimpleUploadedFile(name, b"x" * size)
    rows = [{"date": "2024-06-01", "text": "Bericht", "evidence_file": upload}]
    url = reverse("labs:measure-edit-section", kwargs={**HANDWERK_MEASURE, "section": "results"})
    response = client_for(portfolio, "coordinator").post(
        url, {**formset("results", rows), "expected_revision": str(item.revision)}
    )
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors["evidence_file"]
    assert message in " ".join(errors)
    assert snapshot() == before
    assert not list(tmp_path.rglob("*"))


@pytest.mark.django_db
def test_oversize_or_overlong_requests_get_a_400_page(portfolio: Portfolio, settings: Any) -> None:
    item = measure(**HANDWERK_MEASURE)
    client = client_for(portfolio, "coordinator")
    url = reverse("labs:measure-edit", kwargs=HANDWERK_MEASURE)
    before = snapshot()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(url, measure_form_data(item, summary="x" * 5000))
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.post(url, measure_form_data(item))
    assert response.status_code == 400
    assert "too many fields" in response.content.decode()
    assert snapshot() == before


# Tags -----------------------------------------------------------------------------------------------


def _tags_url(kwargs: dict[str, str] = HANDWERK_MEASURE) -> str:
    return reverse("labs:measure-tags", kwargs=kwargs)


@pytest.mark.django_db
def test_tag_editor_offers_current_vocabularies(portfolio: Portfolio) -> None:
    response = client_for(portfolio, "partner").get(_tags_url(HANDEL_MEASURE))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<optgroup label="UN Sustainable Development Goals (SDGs)">' in content
    assert "Megatrends" in content
    assert "SDG 8 »" in content
    assert 'name="tags-TOTAL_FORMS" value="4"' in content  # three tags and a blank row


@pytest.mark.django_db
def test_tags_are_saved(portfolio: Portfolio) -> None:
    item = measure(**HANDEL_MEASURE)
    rows = [
        {"term": term_id("megatrends", "digitalisierung"), "share": "60", "note": "neu"},
        {"term": term_id("megatrends", "faires-handeln"), "share": "40"},
        {"term": term_id("sdg", "8.5"), "priority": "secondary"},
    ]
    response = client_for(portfolio, "partner").post(
        _tags_url(HANDEL_MEASURE), {**formset("tags", rows), "expected_revision": str(item.revision)}
    )
    assert response.status_code == 302
    tags = services.measure_state(measure(**HANDEL_MEASURE))["tags"]
    assert [(tag["code"], tag["priority"], tag["share"], tag["note"]) for tag in tags] == [
        ("digitalisierung", "", 60, "neu"),
        ("faires-handeln", "", 40, ""),
        ("8.5", "secondary", None, ""),
    ]


@pytest.mark.django_db
def test_share_over_100_percent_is_an_error_on_the_share_fields(portfolio: Portfolio) -> None:
    item = measure(**HANDWERK_MEASURE)
    before = snapshot()
    rows = [
        {"term": term_id("megatrends", "digitalisierung"), "share": "70"},
        {"term": term_id("megatrends", "demografischer-wandel"), "share": "50"},
        {"term": term_id("sdg", "8"), "share": "100"},
    ]
    response = client_for(portfolio, "coordinator").post(
        _tags_url(), {**formset("tags", rows), "expected_revision": str(item.revision)}
    )
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert "add up to 120 %" in forms[0].errors["share"][0]
    assert "add up to 120 %" in forms[1].errors["share"][0]
    assert "share" not in forms[2].errors  # the SDG shares are fine
    assert "120 %" in response.context["formset"].non_form_errors()[0]
    assert snapshot() == before


@pytest.mark.django_db
def test_retired_and_duplicate_terms_are_rejected(portfolio: Portfolio) -> None:
    item = measure(**HANDWERK_MEASURE)
    create_vocabulary_version(user=None, vocabulary=current_vocabulary("megatrends"))
    before = snapshot()
    rows = [
        {
            "term": term_id("megatrends", "digitalisierung", version=1),
            "priority": "primary",
        },  # kept: already there
        {
            "term": term_id("megatrends", "migration", version=1),
            "priority": "primary",
        },  # new from v1: refused
        {"term": term_id("sdg", "8"), "priority": "primary"},
        {"term": term_id("sdg", "8"), "priority": "secondary"},
    ]
    response = client_for(portfolio, "coordinator").post(
        _tags_url(), {**formset("tags", rows), "expected_revision": str(item.revision)}
    )
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert "term" not in forms[0].errors
    assert "retired version 1" in forms[1].errors["term"][0]
    assert "tagged twice" in forms[3].errors["term"][0]
    assert snapshot() == before
    # The tag editor still offers the measure's retired term, in its own group.
    content = client_for(portfolio, "coordinator").get(_tags_url()).content.decode()
    assert "(retired version 1)" in content


@pytest.mark.django_db
def test_tag_editor_with_htmx(portfolio: Portfolio) -> None:
    item = measure(**HANDWERK_MEASURE)
    client = htmx_client(portfolio, "coordinator")
    rows = [{"term": term_id("sdg", "8"), "priority": "primary"}]
    response = client.post(
        _tags_url(), {**formset("tags", rows), "expected_revision": str(item.revision), "add-row": "1"}
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<form method="post"')
    assert 'name="tags-TOTAL_FORMS" value="2"' in content

    response = client.post(_tags_url(), {**formset("tags", rows), "expected_revision": str(item.revision)})
    content = response.content.decode()
    assert "The tags were saved." in content
    assert f'class="measure-revision" value="{item.revision + 1}"' in content
    assert [tag["code"] for tag in services.measure_state(measure(**HANDWERK_MEASURE))["tags"]] == ["8"]


# Order, publication, deletion ---------------------------------------------------------------------


@pytest.mark.django_db
def test_measures_move_up_and_down(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "administrator")

    def order() -> list[str]:
        return list(
            Measure.objects.filter(lab__slug=HANDEL).order_by("position").values_list("slug", flat=True)
        )

    assert order() == ["fairtrade-town", "hallobot"]
    response = client.post(
        reverse("labs:measure-move", kwargs={"lab_slug": HANDEL, "slug": "hallobot"}), {"direction": "up"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("labs:lab-detail", kwargs={"slug": HANDEL})
    assert order() == ["hallobot", "fairtrade-town"]
    response = htmx_client(portfolio, "administrator").post(
        reverse("labs:measure-move", kwargs={"lab_slug": HANDEL, "slug": "hallobot"}), {"direction": "down"}
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="measure-list">')
    assert order() == ["fairtrade-town", "hallobot"]


@pytest.mark.django_db
def test_measure_publish_toggles(portfolio: Portfolio) -> None:
    url = reverse("labs:measure-publish", kwargs=HANDWERK_MEASURE)
    response = client_for(portfolio, "coordinator").post(url)
    assert response.status_code == 302
    assert measure(**HANDWERK_MEASURE).is_published is False
    response = htmx_client(portfolio, "coordinator").post(url)
    content = response.content.decode()
    assert "<html" not in content and "Unpublish measure" in content
    assert 'hx-swap-oob="outerHTML:.measure-revision"' in content
    assert measure(**HANDWERK_MEASURE).is_published is True


@pytest.mark.django_db
def test_measure_delete(portfolio: Portfolio) -> None:
    response = client_for(portfolio, "coordinator").post(
        reverse("labs:measure-delete", kwargs=HANDWERK_MEASURE)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("labs:lab-detail", kwargs={"slug": HANDWERK})
    assert not Measure.objects.filter(lab__slug=HANDWERK).exists()


@pytest.mark.django_db
def test_post_only_actions_refuse_get(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "administrator")
    for name in ("labs:measure-move", "labs:measure-publish"):
        assert client.get(reverse(name, kwargs=HANDWERK_MEASURE)).status_code == 405
    assert client.get(reverse("labs:lab-publish", kwargs={"slug": HANDWERK})).status_code == 405


# History and restore --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_history_shows_changes_and_restore_brings_back_the_old_state(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "partner")
    item = measure(**HANDEL_MEASURE)
    old_state = services.measure_state(item)
    old_version = versions_of(item).order_by("-id").first()
    assert old_version is not None
    response = client.post(
        reverse("labs:measure-edit", kwargs=HANDEL_MEASURE),
        measure_form_data(item, title="Fairtrade-Stadt Bottrop"),
    )
    assert response.status_code == 302
    item = measure(**HANDEL_MEASURE)
    response = client.post(
        reverse("labs:measure-edit-section", kwargs={**HANDEL_MEASURE, "section": "activities"}),
        {
            **formset("activities", [{"title": "Nur noch eine Aktivität"}]),
            "expected_revision": str(item.revision),
        },
    )
    assert response.status_code == 302

    response = client.get(reverse("labs:measure-history", kwargs=HANDEL_MEASURE))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<span class="diff-old">Fairtrade-Town – Auszeichnung und Netzwerk</span>' in content
    assert '<span class="diff-new">Fairtrade-Stadt Bottrop</span>' in content
    assert "3 entries: Kriterien für die Auszeichnung erfüllen" in content
    assert '<span class="diff-new">1 entry: Nur noch eine Aktivität</span>' in content
    assert "Restore this version" in content

    count = Version.objects.count()
    url = reverse("labs:measure-restore", kwargs={**HANDEL_MEASURE, "version_id": old_version.pk})
    response = client.post(url)
    assert response.status_code == 302
    restored = services.measure_state(measure(**HANDEL_MEASURE))
    assert restored["title"] == "Fairtrade-Town – Auszeichnung und Netzwerk"
    assert restored["activities"] == old_state["activities"]
    assert Version.objects.count() == count + 1
    latest = versions_of(measure(**HANDEL_MEASURE)).order_by("-id").first()
    assert latest is not None and latest.action == Version.Action.RESTORED
    # Nothing is lost: the version with the new title is still there.
    assert versions_of(item).filter(data__title="Fairtrade-Stadt Bottrop").exists()


@pytest.mark.django_db
def test_restore_of_another_measures_version_is_404(portfolio: Portfolio) -> None:
    other = versions_of(measure(**HANDWERK_MEASURE)).first()
    assert other is not None
    before = snapshot()
    url = reverse("labs:measure-restore", kwargs={**HANDEL_MEASURE, "version_id": other.pk})
    assert client_for(portfolio, "administrator").post(url).status_code == 404
    assert snapshot() == before


@pytest.mark.django_db
def test_history_times_are_shown_in_berlin_time(portfolio: Portfolio) -> None:
    import datetime

    item = measure(**HANDWERK_MEASURE)
    version = versions_of(item).first()
    assert version is not None
    Version.objects.filter(pk=version.pk).update(
        created_at=datetime.datetime(2024, 7, 1, 10, 0, tzinfo=datetime.UTC)
    )
    content = (
        client_for(portfolio, "coordinator")
        .get(reverse("labs:measure-history", kwargs=HANDWERK_MEASURE))
        .content.decode()
    )
    assert 'datetime="2024-07-01T12:00:00+02:00"' in content


@pytest.mark.django_db
def test_organisation_suggestions_for_htmx(portfolio: Portfolio) -> None:
    response = client_for(portfolio, "coordinator").get(
        reverse("organisations:organisation-options"), {"coordinator": "Handwerk"}
    )
    content = response.content.decode()
    assert '<option value="handwerkskammer-muenster">Handwerkskammer Münster</option>' in content
    assert "fablab" not in content
    assert Organisation.objects.count() > 2


@pytest.mark.django_db
def test_oversize_request_is_a_400_even_before_the_view(portfolio: Portfolio, settings: Any) -> None:
    """The CSRF check reads the body first; Django's refusal must still be a page, not a 500."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(portfolio.users["coordinator"])  # type: ignore[arg-type]
    url = reverse("labs:measure-edit", kwargs=HANDWERK_MEASURE)
    assert client.get(url).status_code == 200  # sets the CSRF cookie
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = snapshot()
    response = client.post(url, {"summary": "x" * 5000})
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert snapshot() == before
