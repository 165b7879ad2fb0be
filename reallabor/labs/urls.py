from django.urls import path

from reallabor.labs.views import blueprints, edit, public

app_name = "labs"

M = "labore/<slug:lab_slug>/massnahmen/<slug:slug>/"

urlpatterns = [
    # Public (and internal readers: drafts appear for those who may see them).
    path("portfolio/", public.portfolio, name="portfolio"),
    path("massnahmen/", public.measure_list, name="measure-list"),
    path("labore/", public.lab_list, name="lab-list"),
    path("labore/neu/", edit.lab_create, name="lab-create"),
    path("labore/vorschlaege/", public.lab_options, name="lab-options"),  # reserved: RESERVED_LAB_SLUGS
    path("labore/importieren/", blueprints.lab_import, name="lab-import"),  # reserved: RESERVED_LAB_SLUGS
    path("labore/<slug:slug>/", public.lab_detail, name="lab-detail"),
    path(M, public.measure_detail, name="measure-detail"),
    path(M + "nachweise/<int:result_id>/", public.result_evidence, name="result-evidence"),
    # Internal editing.
    path("labore/<slug:slug>/bearbeiten/", edit.lab_edit, name="lab-edit"),
    path("labore/<slug:slug>/veroeffentlichen/", edit.lab_publish, name="lab-publish"),
    path("labore/<slug:slug>/mitglieder/", edit.lab_members, name="lab-members"),
    path("labore/<slug:slug>/loeschen/", edit.lab_delete, name="lab-delete"),
    path("labore/<slug:slug>/verlauf/", edit.lab_history, name="lab-history"),
    path("labore/<slug:slug>/blaupause.json", blueprints.lab_export, name="lab-export"),
    path("labore/<slug:lab_slug>/massnahmen-neu/", edit.measure_create, name="measure-create"),
    path(M + "bearbeiten/", edit.measure_edit, name="measure-edit"),
    path(M + "bearbeiten/<str:section>/", edit.measure_edit_section, name="measure-edit-section"),
    path(M + "schlagworte/", edit.measure_tags, name="measure-tags"),
    path(M + "verschieben/", edit.measure_move, name="measure-move"),
    path(M + "veroeffentlichen/", edit.measure_publish, name="measure-publish"),
    path(M + "loeschen/", edit.measure_delete, name="measure-delete"),
    path(M + "verlauf/", edit.measure_history, name="measure-history"),
    path(M + "verlauf/<int:version_id>/wiederherstellen/", edit.measure_restore, name="measure-restore"),
]
