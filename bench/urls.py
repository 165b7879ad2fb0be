"""The project's URLs plus the bare-Django floor view."""

from django.urls import include, path

from bench.floor import floor

urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("reallabor.urls")),
]
