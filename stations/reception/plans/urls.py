"""The annual reception plan and the stations' reception rules, under /reception/plans/."""

from django.urls import path

from stations.reception.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("generate/", views.plan_generate, name="plan_generate"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("<int:pk>/regenerate/", views.plan_regenerate, name="plan_regenerate"),
    path("rules/<int:station_pk>/new/", views.rule_create, name="rule_create"),
    path("rules/<int:pk>/edit/", views.rule_update, name="rule_update"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
]
