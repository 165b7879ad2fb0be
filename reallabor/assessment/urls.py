"""The check's pages (``reallabor.assessment.views``), under ``/digitalcheck/``."""

from django.urls import URLPattern, URLResolver

from reallabor.assessment.views import urlpatterns as page_patterns

app_name = "assessment"

urlpatterns: list[URLPattern | URLResolver] = [*page_patterns]
