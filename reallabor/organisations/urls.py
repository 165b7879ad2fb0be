from django.urls import path

from reallabor.organisations import views

app_name = "organisations"

urlpatterns = [
    path("organisationen/", views.organisation_list, name="organisation-list"),
    path("organisationen/neu/", views.organisation_create, name="organisation-create"),
    path("organisationen/vorschlaege/", views.organisation_options, name="organisation-options"),
    path("organisationen/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("organisationen/<slug:slug>/bearbeiten/", views.organisation_edit, name="organisation-edit"),
    path(
        "organisationen/<slug:slug>/veroeffentlichen/",
        views.organisation_publish,
        name="organisation-publish",
    ),
    path("organisationen/<slug:slug>/loeschen/", views.organisation_delete, name="organisation-delete"),
]
