"""API role matrix cases of the interactions endpoints (collected by test_api_role_matrix.py).

Interactions, follow-ups, people's needs and stakeholder positions are the office's; an
organisation's needs are read by whoever sees its internal data. Some URLs first create what they
act on (a done follow-up, a recorded need, a placed actor) so that allowed writes change something.
"""

from reallabor.actors.services import interactions as interaction_services
from reallabor.actors.services import needs as needs_services
from reallabor.actors.services import stakeholders as stakeholder_services
from reallabor.actors.tests.api_matrix_common import (
    API,
    OFFICE_CREATE,
    OFFICE_DELETE,
    OFFICE_READ,
    OFFICE_WRITE,
    ApiCase,
    expect,
)
from reallabor.core.testing.actors import Crm
from reallabor.labs.models import Lab
from reallabor.organisations.models import Organisation

HANDWERK = "digitale-koproduktion-im-handwerk"
HANDEL = "hybride-formen-des-handels"


def _interaction(crm: Crm) -> str:
    return f"{API}/interactions/{crm.interaction.uuid}"


def _follow_up(crm: Crm) -> str:
    return f"{API}/follow-ups/{crm.follow_up.uuid}"


def _done_follow_up(crm: Crm) -> str:
    interaction_services.complete_follow_up(user=None, follow_up=crm.follow_up)
    return f"{_follow_up(crm)}/reopen"


def _published_needs(crm: Crm) -> str:
    Organisation.objects.filter(pk=crm.tischlerei.pk).update(profile_published=True)
    return f"{API}/organisations/{crm.tischlerei.slug}/needs"


def _organisation_need(crm: Crm) -> str:
    needs_services.record_need(user=None, obj=crm.tischlerei, family="needs", code="digitalisation")
    return f"{API}/organisations/{crm.tischlerei.slug}/needs/needs/digitalisation"


def _person_need(crm: Crm) -> str:
    needs_services.record_need(user=None, obj=crm.anna, family="motivations", code="image")
    return f"{API}/people/{crm.anna.uuid}/needs/motivations/image"


def _placed(crm: Crm) -> str:
    stakeholder_services.set_stakeholder_position(
        user=None, lab=Lab.objects.get(slug=HANDWERK), organisation=crm.tischlerei, interest=3, influence=3
    )
    return f"{API}/labs/{HANDWERK}/stakeholders?organisation={crm.tischlerei.slug}"


INTERACTION = {
    "kind": "call",
    "occurred_at": "2025-02-18T09:30:00",
    "subject": "Telefonat zur Nachfolge",
    "organisation": "tischlerei-beispiel",
}
POSITION = {"organisation": "tischlerei-beispiel", "interest": 4, "influence": 5, "note": "Pilotbetrieb"}
# Unpublished organisation of the crafts lab: invisible to the public, the partner (trade lab) and outsiders.
ORGANISATION_READ = expect(404, 200, 404, 200, 200, 404)
PUBLISHED_READ = expect(401, 200, 200, 200, 200, 403)
ORGANISATION_CREATE = expect(401, 403, 404, 201, 201, 404)
ORGANISATION_DELETE = expect(401, 403, 404, 204, 204, 404)
ADMIN_WRITE = expect(401, 403, 403, 403, 200, 403)

API_CASES: list[ApiCase] = [
    ApiCase("interactions-list", "get", f"{API}/interactions", OFFICE_READ),
    ApiCase("interactions-create", "post", f"{API}/interactions", OFFICE_CREATE, INTERACTION),
    ApiCase("interactions-get", "get", _interaction, OFFICE_READ),
    ApiCase("interactions-patch", "patch", _interaction, OFFICE_WRITE, {"subject": "Besuch mit Rundgang"}),
    ApiCase("interactions-delete", "delete", _interaction, OFFICE_DELETE),
    ApiCase("follow-ups-mine", "get", f"{API}/follow-ups?mine=true", OFFICE_READ),
    ApiCase(
        "follow-ups-add",
        "post",
        lambda crm: f"{_interaction(crm)}/follow-ups",
        OFFICE_CREATE,
        {"title": "Rückruf", "due_date": "2999-01-31"},
    ),
    ApiCase("follow-ups-get", "get", _follow_up, OFFICE_READ),
    ApiCase("follow-ups-complete", "post", lambda crm: f"{_follow_up(crm)}/complete", OFFICE_WRITE),
    ApiCase("follow-ups-reopen", "post", _done_follow_up, OFFICE_WRITE),
    ApiCase(
        "organisation-needs-list",
        "get",
        lambda crm: f"{API}/organisations/{crm.tischlerei.slug}/needs",
        ORGANISATION_READ,
    ),
    ApiCase("organisation-needs-list-published", "get", _published_needs, PUBLISHED_READ),
    ApiCase(
        "organisation-needs-add",
        "post",
        lambda crm: f"{API}/organisations/{crm.tischlerei.slug}/needs",
        ORGANISATION_CREATE,
        {"family": "needs", "code": "skilled-workers"},
    ),
    ApiCase("organisation-needs-remove", "delete", _organisation_need, ORGANISATION_DELETE),
    ApiCase("person-needs-list", "get", lambda crm: f"{API}/people/{crm.anna.uuid}/needs", OFFICE_READ),
    ApiCase(
        "person-needs-add",
        "post",
        lambda crm: f"{API}/people/{crm.anna.uuid}/needs",
        OFFICE_CREATE,
        {"family": "needs", "code": "succession", "priority": "secondary"},
    ),
    ApiCase("person-needs-remove", "delete", _person_need, OFFICE_DELETE),
    ApiCase("stakeholders-list", "get", f"{API}/labs/{HANDWERK}/stakeholders", OFFICE_READ),
    ApiCase("stakeholders-put", "put", f"{API}/labs/{HANDWERK}/stakeholders", OFFICE_WRITE, POSITION),
    ApiCase("stakeholders-put-other-lab", "put", f"{API}/labs/{HANDEL}/stakeholders", ADMIN_WRITE, POSITION),
    ApiCase("stakeholders-delete", "delete", _placed, OFFICE_DELETE),
]
