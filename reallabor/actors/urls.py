from reallabor.actors.views import (
    followups,
    hub,
    imports,
    interactions,
    mailings,
    network,
    people,
    privacy,
    segments,
    stakeholders,
)

app_name = "actors"

urlpatterns = [
    *hub.urlpatterns,
    *people.urlpatterns,
    *interactions.urlpatterns,
    *followups.urlpatterns,
    *stakeholders.urlpatterns,
    *segments.urlpatterns,
    *mailings.urlpatterns,
    *privacy.urlpatterns,
    *imports.urlpatterns,
    *network.urlpatterns,
]
