"""Sign-in with lockout, per account and per address.

- 5 failures lock an account for 15 minutes, whatever address they came from and
  whatever address tries next (django-axes, `AXES_LOCKOUT_PARAMETERS = ["username"]`);
- `LIAISON_SIGNIN_FAILURES_PER_ADDRESS` (10 per 15 minutes) failures from one address,
  across any accounts, lock sign-in from that address (counted in `liaison.ratelimit`:
  failures only, so an office behind one address signing in at nine is never locked).

Unknown usernames fail and lock exactly like known ones, so neither the error
nor the lockout tells whether an account exists.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from liaison import ratelimit, twofactor
from liaison.views.twofactor import start_pending


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is wrong. Both are case-sensitive."),
        "inactive": _("The username or password is wrong. Both are case-sensitive."),
    }


LOCKED_MESSAGE = _(
    "Too many failed sign-ins. Signing in to this account, or from this network, is locked for 15 minutes; "
    "try again later or ask your system administrator."
)


def _address_key(request) -> str:
    return f"signin-failed:ip:{ratelimit.client_ip(request)}"


def count_failure(sender, credentials=None, request=None, **kwargs) -> None:
    """user_login_failed: one more failure for the address (connected in LiaisonConfig.ready)."""
    if request is not None:
        ratelimit.allow(_address_key(request), settings.LIAISON_SIGNIN_FAILURES_PER_ADDRESS)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if ratelimit.exceeded(_address_key(request), settings.LIAISON_SIGNIN_FAILURES_PER_ADDRESS):
            return lockout(request, None, None)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        """A user with a second factor is not signed in yet: the code comes first (views/twofactor.py)."""
        user = form.get_user()
        if twofactor.device_for(user) is None:
            return super().form_valid(form)
        start_pending(self.request, user, self.get_success_url())
        return redirect("twofactor_verify")


def lockout(request, response, credentials):
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, with the lock explained."""
    form = LoginForm(request, data=request.POST or None)
    form.errors.clear()
    form.add_error(None, LOCKED_MESSAGE)
    return render(request, "registration/login.html", {"form": form, "locked": True}, status=429)
