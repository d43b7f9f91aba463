from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("Liaison network")

    def ready(self):
        from . import planning, roster  # noqa: F401  register the job runners (roster import/export, annual plan)
