from functools import cache

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    @cache
    def is_office() -> bool:
        """The office's staff (administrators, lab coordinators): asked only when a page shows it."""
        from reallabor.actors.permissions import can_see_personal_data

        return bool(request.user.is_authenticated) and can_see_personal_data(request.user)

    return {"CITY_NAME": settings.CITY_NAME, "OFFICE_NAME": settings.OFFICE_NAME, "is_office": is_office}
