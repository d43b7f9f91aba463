"""/network/: the `stations` namespace, gathered from the network and roster packages' urls."""

from stations.network import urls as network_urls
from stations.roster import urls as roster_urls

app_name = "stations"

urlpatterns = [*network_urls.urlpatterns, *roster_urls.urlpatterns]
