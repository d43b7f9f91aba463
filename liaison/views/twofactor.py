"""The second factor's pages: enrolment, recovery codes, switching off, and the sign-in's second step.

The second step: after a correct password (`liaison.views.auth.LoginView`) a user with a device is
not signed in; the session (its key cycled) holds only the pending user's id, the backend that
checked the password and where to go next, for `PENDING_SECONDS`. The session is signed in
(`login`, which cycles the key again and fires `user_logged_in` for django-axes and the audit log)
only when `twofactor_verify` accepts the code. The rules themselves live in `liaison.twofactor`.
"""

import time

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters

from liaison import twofactor
from liaison.forms import TwoFactorCodeForm, TwoFactorDisableForm, TwoFactorSignInForm
from liaison.web import no_store

PENDING = "_twofactor_pending"
NEW_SECRET = "_twofactor_new_secret"
NEW_CODES = "_twofactor_new_codes"
PENDING_SECONDS = 5 * 60

sensitive = method_decorator(sensitive_post_parameters("password", "code"), name="dispatch")


def start_pending(request, user, next_url: str):
    """Hold `user` (whose password was right) in the session for the second step."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": user.backend,
        "until": time.time() + PENDING_SECONDS,
        "next": next_url,
    }


def _locked_message() -> str:
    return _(
        "Too many wrong codes. Signing in to this account with a code is locked for 15 minutes; "
        "try again later or ask your system administrator."
    )


def _wrong_code() -> str:
    return _("The code is wrong or has already been used. Enter the code your app shows now.")


@sensitive
class VerifyView(View):
    """The sign-in's second step (GET the form, POST the code)."""

    template_name = "registration/twofactor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        pending = request.session.get(PENDING)
        if not pending:
            return redirect("login")
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        if pending["until"] < time.time() or user is None:
            request.session.pop(PENDING, None)
            messages.error(request, _("The sign-in took longer than 5 minutes. Enter your password again."))
            return redirect("login")
        self.pending, self.user = pending, user
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(TwoFactorSignInForm())

    def post(self, request):
        form = TwoFactorSignInForm(request.POST)
        if form.is_valid():
            try:
                kind = twofactor.twofactor_verify(user=self.user, code=form.cleaned_data["code"])
            except twofactor.Locked:
                request.session.pop(PENDING, None)
                messages.error(request, _locked_message())
                return redirect("login")
            except twofactor.InvalidCode:
                form.add_error("code", _wrong_code())
            else:
                request.session.pop(PENDING, None)
                login(request, self.user, backend=self.pending["backend"])
                if kind == "recovery":
                    left = twofactor.recovery_codes_left(twofactor.device_for(self.user))
                    messages.warning(
                        request,
                        _("You signed in with a recovery code; %(left)s are left. Renew them under Second factor.")
                        % {"left": left},
                    )
                return redirect(self.pending["next"])
        return self.render(form)

    def render(self, form):
        return no_store(render(self.request, self.template_name, {"form": form}))


@sensitive
class SetupView(LoginRequiredMixin, View):
    """Enrolment (QR code, the secret in groups, a code to confirm), or, once enrolled, the
    recovery codes left, renewal and switching off."""

    template_name = "registration/twofactor_setup.html"

    def get(self, request):
        return self.render()

    def post(self, request):
        if twofactor.device_for(request.user) is not None:
            return redirect("twofactor_setup")
        form = TwoFactorCodeForm(request.POST)
        secret = request.session.get(NEW_SECRET)
        if form.is_valid() and secret:
            try:
                codes = twofactor.twofactor_enrol(user=request.user, secret=secret, code=form.cleaned_data["code"])
            except twofactor.InvalidCode:
                form.add_error("code", _wrong_code())
            else:
                request.session.pop(NEW_SECRET, None)
                request.session[NEW_CODES] = codes
                messages.success(request, _("The second factor is on. Keep your recovery codes safe."))
                return redirect("twofactor_codes")
        return self.render(enrol_form=form)

    def render(self, *, enrol_form=None, disable_form=None, codes_form=None, status=200):
        user = self.request.user
        device = twofactor.device_for(user)
        context = {"device": device, "required": twofactor.is_required(user)}
        if device is None:
            secret = self.request.session.get(NEW_SECRET)
            if not secret:
                secret = self.request.session[NEW_SECRET] = twofactor.new_secret()
            context.update(
                qr=twofactor.qr_data_uri(twofactor.provisioning_uri(user, secret)),
                secret_groups=twofactor.group_secret(secret),
                form=enrol_form or TwoFactorCodeForm(),
            )
        else:
            context.update(
                codes_left=twofactor.recovery_codes_left(device),
                disable_form=disable_form or TwoFactorDisableForm(prefix="off"),
                codes_form=codes_form or TwoFactorCodeForm(prefix="renew"),
            )
        return no_store(render(self.request, self.template_name, context, status=status))


@sensitive
class CodesView(SetupView):
    """GET: the recovery codes just made, shown once, to print on A4. POST: renew them."""

    def get(self, request):
        codes = request.session.pop(NEW_CODES, None)
        if not codes:
            return redirect("twofactor_setup")
        return no_store(render(request, "registration/twofactor_codes.html", {"codes": codes}))

    def post(self, request):
        form = TwoFactorCodeForm(request.POST, prefix="renew")
        if form.is_valid():
            try:
                codes = twofactor.twofactor_regenerate_codes(user=request.user, code=form.cleaned_data["code"])
            except twofactor.Locked:
                messages.error(request, _locked_message())
                return redirect("twofactor_setup")
            except twofactor.InvalidCode:
                form.add_error("code", _wrong_code())
            else:
                request.session[NEW_CODES] = codes
                return redirect("twofactor_codes")
        return self.render(codes_form=form)


@sensitive
class DisableView(SetupView):
    """POST only: switch the second factor off with the password and a code."""

    http_method_names = ["post"]

    def post(self, request):
        form = TwoFactorDisableForm(request.POST, prefix="off")
        if form.is_valid():
            try:
                twofactor.twofactor_disable(
                    user=request.user, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
                )
            except twofactor.Locked:
                messages.error(request, _locked_message())
                return redirect("twofactor_setup")
            except twofactor.InvalidCode:
                form.add_error(None, _("The password or the code is wrong."))
            else:
                messages.success(request, _("The second factor is off. You sign in with your password alone."))
                return redirect("twofactor_setup")
        return self.render(disable_form=form)
