"""Handling: one page per move, the office's triage list, the department desk and the deadline rules,
under /petitions/ in the `petitions` namespace."""

from django.urls import path

from petitions.handling import desk_views, rules_views, triage_views, views

urlpatterns = [
    path("<int:pk>/do/<str:move>/", views.act, name="act"),
    path("<int:pk>/letter/", views.feedback_letter, name="letter"),
    path("triage/", triage_views.TriageView.as_view(), name="triage"),
    path("department/", desk_views.DepartmentPortalView.as_view(), name="department"),
    path("rules/", rules_views.deadline_rules, name="rules"),
]
