"""Panels of the interactions area for the organisation and person pages.

``{% load actors_crm %}`` then

- ``{% needs_panel obj %}``: the needs and motivations of an organisation or a person, with who
  recorded them and when; the office also gets the add and remove forms. An organisation's needs
  are shown to everyone who sees its internal data (office, readers, partners of its labs), a
  person's to the office only; everyone else gets nothing.
- ``{% timeline_panel obj %}``: the office's interactions with the organisation or person, newest
  first (the last 20, with a link to the full list), with their follow-ups. Office only.
- ``{% target_groups_panel organisation %}``: the organisation's target groups (which Mehrwert
  blocks of a mailing its people get), shown to everyone who sees its internal data; those who may
  edit the organisation also get the form that sets them.

Both check the permissions themselves and render nothing for users who may not see them.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from reallabor.actors import permissions
from reallabor.actors.forms.needs import NeedForm
from reallabor.actors.forms.target_groups import TargetGroupsForm
from reallabor.actors.models import FollowUp, Person
from reallabor.actors.services import needs as needs_service
from reallabor.actors.services import target_groups as target_groups_service
from reallabor.actors.services.interactions import interactions_of
from reallabor.organisations.models import Organisation

register = template.Library()

TIMELINE_SHOWN = 20


def viewer_of(context: Any) -> Any:
    """The signed-in user of the page, or an anonymous one (never None: None is the system)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return user if user is not None else AnonymousUser()


def needs_panel_context(
    user: Any, obj: Any, *, form: NeedForm | None = None, message: str = ""
) -> dict[str, Any]:
    if not needs_service.is_need_holder(obj) or not needs_service.can_see_needs(user, obj):
        return {"show": False}
    tags = list(needs_service.needs_of(obj))
    needs = [tag for tag in tags if tag.term.vocabulary.family == needs_service.NEEDS_FAMILY]
    motivations = [tag for tag in tags if tag.term.vocabulary.family == needs_service.MOTIVATIONS_FAMILY]
    anonymised = isinstance(obj, Person) and obj.anonymised_at is not None
    may_edit = permissions.can_record_needs(user) and not anonymised
    if isinstance(obj, Organisation):
        add_url = reverse("actors:needs-organisation-add", kwargs={"slug": obj.slug})
        remove_url = reverse("actors:needs-organisation-remove", kwargs={"slug": obj.slug})
    else:
        add_url = reverse("actors:needs-person-add", kwargs={"uuid": obj.uuid})
        remove_url = reverse("actors:needs-person-remove", kwargs={"uuid": obj.uuid})
    return {
        "show": True,
        "obj": obj,
        "groups": [
            ("needs", needs),
            ("motivations", motivations),
        ],
        "is_empty": not tags,
        "may_edit": may_edit,
        "form": (form or NeedForm()) if may_edit else None,
        "add_url": add_url,
        "remove_url": remove_url,
        "message": message,
    }


@register.inclusion_tag("actors/includes/needs_panel.html", takes_context=True)
def needs_panel(context: Any, obj: Any) -> dict[str, Any]:
    result = needs_panel_context(viewer_of(context), obj)
    if "csrf_token" in context:
        result["csrf_token"] = context["csrf_token"]
    return result


def _follow_ups() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related("assignee", "done_by").order_by("id")


def timeline_context(user: Any, obj: Any) -> dict[str, Any]:
    if not permissions.can_see_personal_data(user) or not isinstance(obj, Organisation | Person):
        return {"show": False}
    rows = list(
        interactions_of(obj)
        .select_related("staff", "organisation", "lab", "measure__lab")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Person.objects.only("uuid", "first_name", "last_name", "anonymised_at"),
            ),
            Prefetch(
                "follow_ups",
                queryset=_follow_ups(),
            ),
        )[: TIMELINE_SHOWN + 1]
    )
    query = {"organisation": obj.slug} if isinstance(obj, Organisation) else {"person": str(obj.uuid)}
    anonymised = isinstance(obj, Person) and obj.anonymised_at is not None
    return {
        "show": True,
        "obj": obj,
        "interactions": rows[:TIMELINE_SHOWN],
        "has_more": len(rows) > TIMELINE_SHOWN,
        "list_url": f"{reverse('actors:interaction-list')}?{urlencode(query)}",
        "create_url": "" if anonymised else f"{reverse('actors:interaction-create')}?{urlencode(query)}",
        "may_record": permissions.can_record_interactions(user),
    }


@register.inclusion_tag("actors/includes/timeline_panel.html", takes_context=True)
def timeline_panel(context: Any, obj: Any) -> dict[str, Any]:
    result = timeline_context(viewer_of(context), obj)
    result["request"] = context.get("request")
    if "csrf_token" in context:
        result["csrf_token"] = context["csrf_token"]
    return result


def target_groups_context(
    user: Any, organisation: Any, *, form: TargetGroupsForm | None = None, message: str = ""
) -> dict[str, Any]:
    if not isinstance(organisation, Organisation) or not target_groups_service.can_see_target_groups(
        user, organisation
    ):
        return {"show": False}
    tags = list(target_groups_service.target_groups_of(organisation))
    may_edit = target_groups_service.can_set_target_groups(user, organisation)
    if may_edit and form is None:
        form = TargetGroupsForm(terms=target_groups_service.target_group_terms(), tags=tags)
    return {
        "show": True,
        "organisation": organisation,
        "tags": tags,
        "may_edit": may_edit,
        "form": form if may_edit else None,
        "set_url": reverse("actors:target-groups-organisation-set", kwargs={"slug": organisation.slug}),
        "message": message,
    }


@register.inclusion_tag("actors/includes/target_groups_panel.html", takes_context=True)
def target_groups_panel(context: Any, organisation: Any) -> dict[str, Any]:
    result = target_groups_context(viewer_of(context), organisation)
    if "csrf_token" in context:
        result["csrf_token"] = context["csrf_token"]
    return result
