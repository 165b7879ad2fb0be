from django.urls import path

from reallabor.accounts import views
from reallabor.accounts.views_memberships import urlpatterns as membership_patterns

app_name = "accounts"

urlpatterns = [
    path("anmelden/", views.login, name="login"),
    path("abmelden/", views.logout, name="logout"),
    path("passwort-vergessen/", views.password_reset, name="password-reset"),
    path("passwort-vergessen/gesendet/", views.password_reset_done, name="password-reset-done"),
    path("passwort-neu/<uidb64>/<token>/", views.password_reset_confirm, name="password-reset-confirm"),
    path("passwort-neu/fertig/", views.password_reset_complete, name="password-reset-complete"),
    path("passwort-aendern/", views.password_change, name="password-change"),
    path("", views.profile, name="profile"),
    path("tokens/neu/", views.token_create, name="token-create"),
    path("tokens/<uuid:public_id>/widerrufen/", views.token_revoke, name="token-revoke"),
]
urlpatterns += membership_patterns
