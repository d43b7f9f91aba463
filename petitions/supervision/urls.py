"""Supervision (督办): traffic lights, supervision notices, commitments; under /petitions/supervision/."""

from django.urls import path

from petitions.supervision import views

urlpatterns = [
    path("", views.TrafficLightView.as_view(), name="supervision"),
    path("export/", views.export, name="supervision_export"),
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/print/", views.notice_print, name="notice_print"),
    path("notices/<int:pk>/answer/", views.notice_answer, name="notice_answer"),
    path("commitments/", views.CommitmentListView.as_view(), name="commitment_list"),
    path("commitments/new/", views.commitment_create, name="commitment_create"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment_detail"),
    path("commitments/<int:pk>/progress/", views.commitment_progress, name="commitment_progress"),
    path("commitments/<int:pk>/follow-up/", views.commitment_follow_up, name="commitment_follow_up"),
]
