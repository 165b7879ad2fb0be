from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"CITY_NAME": settings.CITY_NAME, "OFFICE_NAME": settings.OFFICE_NAME}
