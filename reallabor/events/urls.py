"""The events' pages (filled in by the page helpers; see docs in ``reallabor.events``)."""

from importlib import import_module

from django.urls import URLPattern, URLResolver

app_name = "events"

urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += import_module("reallabor.events.views.office").urlpatterns  # first: before /<slug>/ pages
urlpatterns += import_module("reallabor.events.views.participants").urlpatterns
urlpatterns += import_module("reallabor.events.views.exports").urlpatterns
urlpatterns += import_module("reallabor.events.views.checkin").urlpatterns
urlpatterns += import_module("reallabor.events.views.public").urlpatterns + import_module("reallabor.events.views.selfservice").urlpatterns  # fmt: skip
urlpatterns += import_module("reallabor.events.views.development").urlpatterns
