from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "liaison"
    verbose_name = _("Core")

    def ready(self):
        from django.conf import settings
        from PIL import Image

        from liaison import workdays

        # Pillow warns only up to twice this and its default (89 Mpx) lets a 144 Mpx bomb
        # through with a warning; liaison.uploads refuses above the cap itself.
        Image.MAX_IMAGE_PIXELS = settings.LIAISON_MAX_IMAGE_PIXELS
        from liaison.models import CalendarDay

        # Cache invalidation only (admin edits included); no workflow hangs on these.
        for signal in (post_save, post_delete):
            signal.connect(
                lambda **kw: workdays.forget(), sender=CalendarDay, weak=False, dispatch_uid=f"calendar-{signal}"
            )
