"""The floor: the cheapest page Django can serve here, a template view with one query.

It goes through the same middleware and the same ``base.html`` as every page, so a page's time
divided by the floor's time is what the page itself costs.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reallabor.labs.models import Lab


def floor(request: HttpRequest) -> HttpResponse:
    lab = Lab.objects.order_by("pk").first()  # the one query
    return render(request, "bench/floor.html", {"lab": lab})
