from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("Liaison network")

    def ready(self):
        # Register the job runners: roster import and export, the annual plan.
        from stations import roster  # noqa: F401
        from stations.reception.plans import generation  # noqa: F401
