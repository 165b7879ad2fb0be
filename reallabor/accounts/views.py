"""Placeholder: replaced by the real views."""

from django.http import HttpRequest, HttpResponse


def login(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("login")


def logout(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("logout")


def password_reset(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("password_reset")


def password_reset_complete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("password_reset_complete")


def password_reset_confirm(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("password_reset_confirm")


def password_reset_done(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("password_reset_done")


def profile(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("profile")


def token_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("token_create")


def token_revoke(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("token_revoke")
