from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from liaison.selectors import home_summary


class HomeView(LoginRequiredMixin, TemplateView):
    """Each role's start page: what is in its scope, and where to go next."""

    template_name = "liaison/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = home_summary(self.request.user)
        return context
