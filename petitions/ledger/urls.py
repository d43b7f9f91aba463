"""The ledger (台账) and one item's page, under /petitions/ in the `petitions` namespace."""

from django.urls import path

from petitions.ledger import export_views, subject_views, views

urlpatterns = [
    path("", views.LedgerView.as_view(), name="ledger"),
    path("<int:pk>/", views.PetitionDetailView.as_view(), name="detail"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/reply/", views.reply_online, name="reply"),
    path("<int:pk>/files/<int:file_pk>/", views.attachment, name="attachment"),
    path("filters/", views.filter_save, name="filter_save"),
    path("filters/<int:pk>/delete/", views.filter_delete, name="filter_delete"),
    path("export/", export_views.export, name="export"),
    path("personal-data/", subject_views.personal_data, name="personal_data"),
]
