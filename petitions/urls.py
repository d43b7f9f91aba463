"""/petitions/: the `petitions` namespace, gathered from the sub-domain packages' urls."""

from django.urls import include, path

from petitions.handling import urls as handling_urls
from petitions.intake import urls as intake_urls
from petitions.ledger import urls as ledger_urls
from petitions.suggestions import urls as suggestion_urls
from petitions.supervision import urls as supervision_urls

app_name = "petitions"

urlpatterns = [
    *ledger_urls.urlpatterns,
    *intake_urls.urlpatterns,
    *handling_urls.urlpatterns,
    path("suggestions/", include(suggestion_urls)),
    path("supervision/", include(supervision_urls)),
]
