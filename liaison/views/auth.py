"""Sign-in with lockout: 5 failures lock an account+address pair for 15 minutes.

Unknown usernames fail and lock exactly like known ones, so neither the error
nor the lockout tells whether an account exists.
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from liaison import twofactor
from liaison.views.twofactor import start_pending


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is wrong. Both are case-sensitive."),
        "inactive": _("The username or password is wrong. Both are case-sensitive."),
    }


LOCKED_MESSAGE = _(
    "Too many failed sign-ins. This account is locked on this computer for 15 minutes; "
    "try again later or ask your system administrator."
)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

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
