"""Network pages (stations, representatives, documents), under /network/ in the `stations` namespace."""

from django.urls import path

from stations.network import views

urlpatterns = [
    path("stations/", views.StationListView.as_view(), name="station_list"),
    path("stations/new/", views.StationCreateView.as_view(), name="station_create"),
    path("stations/<int:pk>/", views.StationDetailView.as_view(), name="station_detail"),
    path("stations/<int:pk>/edit/", views.StationUpdateView.as_view(), name="station_update"),
    path("stations/<int:pk>/members/add/", views.membership_add, name="membership_add"),
    path("stations/<int:pk>/members/<int:membership_pk>/role/", views.membership_set_role, name="membership_set_role"),
    path("stations/<int:pk>/members/<int:membership_pk>/remove/", views.membership_remove, name="membership_remove"),
    path("stations/<int:pk>/documents/add/", views.document_add, name="document_add"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("representatives/", views.RepresentativeListView.as_view(), name="representative_list"),
    path("representatives/new/", views.RepresentativeCreateView.as_view(), name="representative_create"),
    path("representatives/me/", views.RepresentativeProfileView.as_view(), name="representative_profile"),
    path("representatives/<int:pk>/", views.RepresentativeDetailView.as_view(), name="representative_detail"),
    path("representatives/<int:pk>/edit/", views.RepresentativeUpdateView.as_view(), name="representative_update"),
    path("representatives/<int:pk>/photo/", views.representative_photo, name="representative_photo"),
    path("stations/<int:pk>/photo/", views.station_photo, name="station_photo"),
]
