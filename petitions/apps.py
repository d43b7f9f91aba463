from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self):
        from . import (
            export,  # noqa: F401  registers the ledger export's job runner
            views_reports,  # noqa: F401  and the dashboard's
        )
