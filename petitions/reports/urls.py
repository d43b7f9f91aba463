"""Oversight: the dashboard, the monthly report and the department evaluation, under /reports/."""

from django.urls import path

from petitions.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("export/", views.dashboard_export, name="dashboard_export"),
    path("monthly/", views.MonthlyReportView.as_view(), name="monthly"),
    path("departments/", views.DepartmentReportView.as_view(), name="departments"),
]
