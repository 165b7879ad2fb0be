"""The offers' pages under /angebote/."""

from django.urls import URLPattern, path

from reallabor.offers import views, views_partner

app_name = "offers"

urlpatterns: list[URLPattern] = [
    *views_partner.urlpatterns,  # first: "anbieter/" before the offers' "<slug>/"
    path("", views.offer_list, name="offer-list"),
    path("verwaltung/", views.offer_office_list, name="offer-office-list"),
    path("neu/", views.offer_create, name="offer-create"),
    path("<slug:slug>/", views.offer_detail, name="offer-detail"),
    path("<slug:slug>/bearbeiten/", views.offer_edit, name="offer-edit"),
    path("<slug:slug>/geprueft/", views.offer_verify, name="offer-verify"),
    path("<slug:slug>/zurueckziehen/", views.offer_retire, name="offer-retire"),
    path("<slug:slug>/inanspruchnahme/", views.uptake_create, name="uptake-create"),
]
