from django.urls import path

from . import views

app_name = "stations"

urlpatterns = [
    path("stations/", views.StationListView.as_view(), name="station_list"),
    path("representatives/", views.RepresentativeListView.as_view(), name="representative_list"),
]
