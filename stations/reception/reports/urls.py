"""Campaigns and reception reports, mounted at /reception/reports/."""

from django.urls import path

from stations.reception.reports import views

app_name = "reception_reports"

urlpatterns = [
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.CampaignUpdateView.as_view(), name="campaign_update"),
    path("attendance/", views.AttendanceView.as_view(), name="attendance"),
]
