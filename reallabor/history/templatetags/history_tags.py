"""Showing recorded changes to people: field labels, readable values, lists summarised.

``{% load history_tags %}{% describe_versions versions as rows %}`` gives, per version, its
changes as ``ChangeView`` rows (label, old → new). Lists of profile rows, tags or members are
shown as a count with their titles plus what was added and removed. Names of organisations and
terms referenced in the states are looked up in two queries for the whole page.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reallabor.history.models import Version

register = template.Library()

LIST_ITEMS_SHOWN = 5
TEXT_CHARS_SHOWN = 200

FIELD_LABELS: dict[str, Callable[[], str]] = {
    "tags": lambda: _("Tags"),
    "members": lambda: _("Members"),
    "organisations": lambda: _("Organisations"),
    "coordinators": lambda: _("Coordination"),
    "is_published": lambda: _("Published"),
    "slug": lambda: _("Short name (URL)"),
}


@dataclass
class ChangeView:
    name: str
    label: str
    old: str
    new: str
    is_list: bool = False
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class VersionView:
    version: Version
    changes: list[ChangeView]


class _Names:
    """Names of the organisations and terms that appear in a set of states (two queries)."""

    def __init__(self, states: Iterable[Any]) -> None:
        slugs: set[str] = set()
        terms: set[tuple[str, int | None, str]] = set()
        for state in states:
            _collect(state, slugs, terms)
        from reallabor.organisations.models import Organisation
        from reallabor.taxonomy.models import Term

        self.organisations = dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "name"))
        self.terms: dict[tuple[str, int | None, str], str] = {}
        if terms:
            query = Q()
            for family, version, code in terms:
                query |= Q(vocabulary__family=family, vocabulary__version=version, code=code)
            for term in Term.objects.filter(query).select_related("vocabulary"):
                self.terms[(term.vocabulary.family, term.vocabulary.version, term.code)] = term.display

    def organisation(self, slug: Any) -> str:
        return self.organisations.get(slug, str(slug)) if slug else ""

    def term(self, ref: Any) -> str:
        if not isinstance(ref, dict):
            return str(ref)
        key = (ref.get("family"), ref.get("version"), ref.get("code"))
        return self.terms.get(key) or f"{ref.get('family')} {ref.get('code')}"  # type: ignore[arg-type]


def _collect(value: Any, slugs: set[str], terms: set[tuple[str, int | None, str]]) -> None:
    if isinstance(value, dict):
        if {"family", "code"} <= value.keys():
            terms.add((value["family"], value.get("version"), value["code"]))
        for key, item in value.items():
            if key in ("organisation", "coordinator") and isinstance(item, str):
                slugs.add(item)
            elif key == "coordinators" and isinstance(item, list):
                slugs.update(slug for slug in item if isinstance(slug, str))
            else:
                _collect(item, slugs, terms)
    elif isinstance(value, list):
        for item in value:
            _collect(item, slugs, terms)


def _label(model: type[Model] | None, name: str) -> str:
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name]())
    if model is not None:
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        if model_field.is_relation and model_field.auto_created:
            return str(model_field.related_model._meta.verbose_name_plural)  # type: ignore[union-attr]
        return str(getattr(model_field, "verbose_name", name)).capitalize()
    return name


def _choice_label(model: type[Model] | None, name: str, value: Any) -> str | None:
    if model is None:
        return None
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    choices = dict(getattr(model_field, "flatchoices", None) or [])
    return str(choices[value]) if value in choices else None


def _scalar(model: type[Model] | None, name: str, value: Any, names: _Names) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "coordinator":
        return names.organisation(value)
    choice = _choice_label(model, name, value)
    if choice is not None:
        return choice
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            pass
    return Truncator(str(value)).chars(TEXT_CHARS_SHOWN)


def _item_title(name: str, item: Any, names: _Names) -> str:
    """A short title of one list entry: an activity's title, a tag's term, a member's e-mail …"""
    if not isinstance(item, dict):
        return names.organisation(item) if name == "coordinators" else str(item)
    if name == "tags":
        weight = f"{item['share']} %" if item.get("share") is not None else _weight(item.get("priority"))
        return f"{names.term(item)} ({weight})" if weight else names.term(item)
    if "term" in item:
        return names.term(item["term"])
    if "user" in item:
        return f"{item['user']} ({_role(item.get('role'))})"
    if item.get("organisation"):
        role = item.get("role") or ""
        organisation = names.organisation(item["organisation"])
        return f"{organisation} ({_role(role)})" if role else organisation
    for key in ("title", "group_name", "source", "text"):
        if item.get(key):
            text = str(item[key])
            if key == "source" and item.get("amount"):
                text = f"{text}: {item['amount']} EUR"
            if key == "text" and item.get("date"):
                text = f"{item['date']}: {text}"
            return Truncator(text).chars(80)
    return "…"


def _weight(priority: Any) -> str:
    from reallabor.taxonomy.models import Tag

    return str(Tag.Priority(priority).label) if priority in Tag.Priority.values else ""


def _role(role: Any) -> str:
    from reallabor.labs.models import LabMembership, LabOrganisation

    for choices in (LabMembership.Role, LabOrganisation.Role):
        if role in choices.values:
            return str(choices(role).label)
    return str(role or "")


def _summary(titles: list[str]) -> str:
    if not titles:
        return _("none")
    shown = ", ".join(titles[:LIST_ITEMS_SHOWN])
    if len(titles) > LIST_ITEMS_SHOWN:
        shown += ", …"
    count = ngettext("%(count)s entry", "%(count)s entries", len(titles)) % {"count": len(titles)}
    return f"{count}: {shown}"


def describe_change(model: type[Model] | None, change: dict[str, Any], names: _Names) -> ChangeView:
    name = str(change.get("field", ""))
    old, new = change.get("old"), change.get("new")
    label = _label(model, name)
    if isinstance(old, list) or isinstance(new, list):
        old_titles = [_item_title(name, item, names) for item in old or []]
        new_titles = [_item_title(name, item, names) for item in new or []]
        added = [title for title in new_titles if title not in old_titles]
        removed = [title for title in old_titles if title not in new_titles]
        return ChangeView(
            name=name,
            label=label,
            old=_summary(old_titles),
            new=_summary(new_titles),
            is_list=True,
            added=added[:LIST_ITEMS_SHOWN],
            removed=removed[:LIST_ITEMS_SHOWN],
        )
    return ChangeView(
        name=name, label=label, old=_scalar(model, name, old, names), new=_scalar(model, name, new, names)
    )


def describe_versions(versions: Iterable[Version]) -> list[VersionView]:
    versions = list(versions)
    states: list[Any] = []
    for version in versions:
        states.extend([change.get("old"), change.get("new")] for change in version.changes or [])
    names = _Names(states)
    result = []
    for version in versions:
        model = version.content_type.model_class() if version.content_type_id else None
        changes = [
            describe_change(model, change, names)
            for change in version.changes or []
            if version.action != Version.Action.CREATED or change.get("new") not in (None, "", [], False)
        ]
        result.append(VersionView(version=version, changes=changes))
    return result


@register.simple_tag(name="describe_versions")
def describe_versions_tag(versions: Iterable[Version]) -> list[VersionView]:
    return describe_versions(versions)
