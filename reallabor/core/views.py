"""Placeholder: replaced by the real views."""

from django.http import HttpRequest, HttpResponse


def accessibility(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("accessibility")


def home(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("home")


def imprint(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("imprint")
