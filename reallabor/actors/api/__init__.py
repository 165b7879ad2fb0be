"""The actors' endpoints under /api/v1/: one router per area, combined here."""

from ninja import Router

from reallabor.actors.api import (
    followups,
    imports,
    interactions,
    mailings,
    network,
    people,
    privacy,
    segments,
)

router = Router()
for module in (people, interactions, followups, segments, mailings, privacy, imports, network):
    router.add_router("", module.router)
