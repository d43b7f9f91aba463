"""Representative suggestions (代表建议), under /petitions/suggestions/ in the `petitions` namespace."""

from django.urls import path

from petitions.suggestions import views as views_suggestions

urlpatterns = [
    path("", views_suggestions.SuggestionListView.as_view(), name="suggestion_list"),
    path("new/", views_suggestions.create, name="suggestion_create"),
    path("export/", views_suggestions.export, name="suggestion_export"),
    path("<int:pk>/", views_suggestions.SuggestionDetailView.as_view(), name="suggestion_detail"),
    path("<int:pk>/edit/", views_suggestions.edit, name="suggestion_edit"),
    path("<int:pk>/do/<str:action>/", views_suggestions.act, name="suggestion_act"),
    path("<int:pk>/print/", views_suggestions.print_view, name="suggestion_print"),
]
