"""Writing a checked plan, all of it in bulk: organisations (``write_organisations``), then
people (``write_people``), then a history version of each lab that got new partners.

New records are written as plain rows (``sql.NewRows``, ``sql.insert``), never as model
instances; merged records are loaded a batch at a time, filled and updated in bulk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reallabor.actors.importing import Plan
from reallabor.actors.services.imports.write_organisations import write_organisations
from reallabor.actors.services.imports.write_people import write_people
from reallabor.actors.services.imports.writer import Progress, Writer
from reallabor.core.cache import content_changed
from reallabor.history.services import record_version
from reallabor.labs.models import Lab
from reallabor.labs.services.states import lab_state


def write_plan(
    plan: Plan, *, user: Any, decisions: Mapping[str, str], progress: Progress | None = None
) -> dict[str, int]:
    """Write a checked plan (no errors) in bulk; returns the counts of what was done."""
    assert not plan.errors, "only a plan without errors is written"
    writer = Writer(user=user, decisions=decisions, progress=progress)
    writer.total = len(plan.organisations) + len(plan.people)
    write_organisations(plan, writer)
    write_people(plan, writer)
    for lab in Lab.objects.filter(pk__in=sorted(writer.labs_touched)):
        if record_version(
            obj=lab, user=user, action="changed", data=lab_state(lab), revision=lab.revision + 1
        ):
            lab.revision += 1
            lab.save(update_fields=["revision", "updated_at"])
    content_changed()
    return dict(writer.result)
