"""The check's pages (``reallabor.assessment.views``), under ``/digitalcheck/``."""

from django.urls import URLPattern, URLResolver

from reallabor.assessment.views import urlpatterns as page_patterns
from reallabor.assessment.views_business import urlpatterns as business_patterns
from reallabor.assessment.views_dashboard import urlpatterns as dashboard_patterns

app_name = "assessment"

urlpatterns: list[URLPattern | URLResolver] = [*page_patterns]
urlpatterns += business_patterns
urlpatterns += dashboard_patterns
