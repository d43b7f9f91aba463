from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "liaison"
    verbose_name = _("Core")

    def ready(self):
        from liaison import audit, twofactor, workdays  # noqa: F401 - twofactor registers its system check
        from liaison.models import CalendarDay

        # Cache invalidation only (admin edits included); no workflow hangs on these.
        for signal in (post_save, post_delete):
            signal.connect(
                lambda **kw: workdays.forget(), sender=CalendarDay, weak=False, dispatch_uid=f"calendar-{signal}"
            )
        # The audit log's sign-in lines (failed ones included, whatever axes resets).
        audit.connect()
