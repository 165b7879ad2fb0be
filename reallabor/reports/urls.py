from django.urls import path

from reallabor.reports import views

app_name = "reports"

urlpatterns = [
    path("bericht/", views.portfolio_report, name="portfolio"),
    path("labore/<slug:slug>/bericht/", views.lab_report, name="lab"),
]
