from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reallabor.events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from reallabor.events import merging, privacy

        merging.register()
        privacy.register()
