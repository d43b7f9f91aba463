"""Navigation for the base template: the entries a user's permissions allow."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request):
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        items.append({"label": _("Home"), "url": reverse("home"), "key": "home"})
        if user.has_perm("stations.view_station"):
            items.append({"label": _("Stations"), "url": reverse("stations:station_list"), "key": "stations"})
        if user.has_perm("stations.view_representative"):
            items.append(
                {"label": _("Representatives"), "url": reverse("stations:representative_list"), "key": "representatives"}
            )
        if user.is_system_admin:
            items.append({"label": _("Administration"), "url": reverse("admin:index"), "key": "admin"})
    items_public = [{"label": _("Station directory"), "url": reverse("public:directory"), "key": "directory"}]
    return {"nav_items": items, "nav_public": items_public}
