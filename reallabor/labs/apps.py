from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabsConfig(AppConfig):
    name = "reallabor.labs"
    label = "labs"
    verbose_name = _("Real-world labs")
