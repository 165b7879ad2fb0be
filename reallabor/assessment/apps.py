from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reallabor.assessment"
    verbose_name = _("Checks and questionnaires")

    def ready(self) -> None:
        from reallabor.assessment import merging, privacy

        merging.register()
        privacy.register()
