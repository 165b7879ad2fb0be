"""Placeholder: replaced by the real views."""

from django.http import HttpRequest, HttpResponse


def lab_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("lab_create")


def lab_delete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("lab_delete")


def lab_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("lab_edit")


def lab_history(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("lab_history")


def lab_members(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("lab_members")


def lab_publish(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("lab_publish")


def measure_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("measure_create")


def measure_delete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("measure_delete")


def measure_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("measure_edit")


def measure_edit_section(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("measure_edit_section")


def measure_history(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("measure_history")


def measure_move(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("measure_move")


def measure_publish(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("measure_publish")


def measure_restore(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("measure_restore")


def measure_tags(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("measure_tags")
