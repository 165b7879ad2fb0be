from django.urls import path

from reallabor.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("barrierefreiheit/", views.accessibility, name="accessibility"),
    path("impressum/", views.imprint, name="imprint"),
]
