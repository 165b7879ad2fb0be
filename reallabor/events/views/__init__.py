"""The events pages (one module per area; reallabor/events/urls.py combines their urlpatterns)."""
