from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self):
        # Register the job runners: the ledger's large export and the dashboard's Excel.
        from petitions.ledger import export  # noqa: F401
        from petitions.reports import views  # noqa: F401
