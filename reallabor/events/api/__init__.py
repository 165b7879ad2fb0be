"""The events' endpoints under /api/v1/: series, events and registrations, combined here."""

from ninja import Router

from reallabor.events.api import events, registrations, series

router = Router()
for module in (series, events, registrations):
    router.add_router("", module.router)
