from django.contrib import admin
from django.urls import include, path

from reallabor.api.urls import api

urlpatterns = [
    path("", include("reallabor.core.urls")),
    path("", include("reallabor.reports.urls")),
    path("", include("reallabor.labs.urls")),
    path("", include("reallabor.organisations.urls")),
    path("", include("reallabor.actors.urls")),
    path("", include("reallabor.events.urls")),
    path("", include("reallabor.taxonomy.urls")),
    path("digitalcheck/", include("reallabor.assessment.urls")),
    path("angebote/", include("reallabor.offers.urls")),
    path("konto/", include("reallabor.accounts.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
