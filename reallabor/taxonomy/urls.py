from django.urls import path

from reallabor.taxonomy import views

app_name = "taxonomy"

urlpatterns = [
    path("vokabulare/", views.vocabulary_list, name="vocabulary-list"),
    path("vokabulare/<slug:family>/", views.vocabulary_detail, name="vocabulary-detail"),
    path("vokabulare/<slug:family>/v<int:version>/", views.vocabulary_detail, name="vocabulary-version"),
    path("vokabulare/<slug:family>/begriffe/neu/", views.term_create, name="term-create"),
    path("vokabulare/<slug:family>/begriffe/<str:code>/bearbeiten/", views.term_edit, name="term-edit"),
    path(
        "vokabulare/<slug:family>/neue-version/", views.vocabulary_new_version, name="vocabulary-new-version"
    ),
]
