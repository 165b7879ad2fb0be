"""Placeholder: replaced by the real views."""

from django.http import HttpRequest, HttpResponse


def organisation_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("organisation_create")


def organisation_delete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("organisation_delete")


def organisation_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("organisation_detail")


def organisation_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("organisation_edit")


def organisation_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("organisation_list")
