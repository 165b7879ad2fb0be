"""Placeholder: replaced by the real views."""

from django.http import HttpRequest, HttpResponse


def lab_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("lab_detail")


def lab_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("lab_list")


def measure_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("measure_detail")


def measure_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("measure_list")


def portfolio(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("portfolio")


def result_evidence(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("result_evidence")
