from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "liaison"
    verbose_name = _("Core")

    def ready(self):
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from PIL import Image

        from liaison import audit, twofactor, workdays  # noqa: F401 - twofactor registers its system check
        from liaison.middleware import stamp_sign_in
        from liaison.models import CalendarDay
        from liaison.views.auth import count_failure

        # Pillow's default (89 Mpx) only warns up to twice that, so a 144 Mpx bomb went through;
        # now it refuses twice the cap, and liaison.uploads refuses above the cap itself.
        Image.MAX_IMAGE_PIXELS = settings.LIAISON_MAX_IMAGE_PIXELS

        # Cache invalidation only (admin edits included); no workflow hangs on these.
        for signal in (post_save, post_delete):
            signal.connect(
                lambda **kw: workdays.forget(), sender=CalendarDay, weak=False, dispatch_uid=f"calendar-{signal}"
            )
        # The audit log's sign-in lines (failed ones included, whatever axes resets).
        audit.connect()
        # Sign-in: failures counted per address (liaison/views/auth.py), the session's start
        # stamped for its 12-hour lifetime (liaison/middleware.py).
        user_login_failed.connect(count_failure, dispatch_uid="liaison-signin-failed-per-address")
        user_logged_in.connect(stamp_sign_in, dispatch_uid="liaison-signin-stamp")
