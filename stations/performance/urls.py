"""The performance record (履职档案), mounted at representatives/performance/."""

from django.urls import path

from stations.performance import views

app_name = "performance"

urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("rules/", views.rules, name="rules"),
    path("me/", views.my_record, name="mine"),
    path("<int:pk>/", views.record_current, name="record_current"),
    path("<int:pk>/<int:year>/", views.record, name="record"),
    path("<int:pk>/<int:year>/report/", views.report, name="report"),
    path("<int:pk>/<int:year>/report/print/", views.report_print, name="report_print"),
]
