"""Placeholder: replaced by the real views."""

from django.http import HttpRequest, HttpResponse


def term_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("term_create")


def term_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("term_edit")


def vocabulary_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("vocabulary_detail")


def vocabulary_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("vocabulary_list")


def vocabulary_new_version(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("vocabulary_new_version")
