from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reallabor.offers"
    verbose_name = _("Offers and matching")

    def ready(self) -> None:
        from reallabor.offers import merging

        merging.register()
