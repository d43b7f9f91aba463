"""Excel import and export of the rosters, under /network/ in the `stations` namespace."""

from django.urls import path

from stations.roster import views

urlpatterns = [
    path("stations/export/", views.station_export, name="station_export"),
    path("stations/import/", views.StationImportView.as_view(), name="station_import"),
    path("stations/import/template.xlsx", views.station_import_template, name="station_import_template"),
    path("representatives/export/", views.representative_export, name="representative_export"),
    path("representatives/import/", views.RepresentativeImportView.as_view(), name="representative_import"),
    path(
        "representatives/import/template.xlsx",
        views.representative_import_template,
        name="representative_import_template",
    ),
]
