"""Public pages, mounted at the site root; no login."""

from django.urls import path

from petitions.intake import public_views as petition_views
from stations.performance import views as views_performance
from stations.public import views as public_views

app_name = "public"

urlpatterns = [
    path("directory/", public_views.DirectoryView.as_view(), name="directory"),
    path("directory/stations.geojson", public_views.directory_geojson, name="directory_geojson"),
    path("s/<str:public_code>/", public_views.StationPublicView.as_view(), name="station"),
    path("s/<str:public_code>/qr.svg", public_views.station_qr, name="station_qr"),
    path("s/<str:public_code>/poster/", public_views.StationPosterView.as_view(), name="station_poster"),
    path("s/<str:public_code>/events/<int:pk>/", public_views.EventPublicView.as_view(), name="event"),
    path("s/<str:public_code>/events/<int:pk>/print/", public_views.EventPrintView.as_view(), name="event_print"),
    path("s/<str:public_code>/petition/", petition_views.petition_form, name="station_petition"),
    path("s/<str:public_code>/photo/", public_views.station_photo, name="station_photo"),
    path("r/<int:pk>/photo/", public_views.representative_photo, name="representative_photo"),
    path("r/<int:pk>/record/", views_performance.public_record, name="representative_record"),
]
