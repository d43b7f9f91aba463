from django.urls import include, path

from petitions.handling import views as views_handling
from petitions.intake import views as views_desk
from petitions.ledger import export_views as views_export
from petitions.ledger import views
from petitions.suggestions import urls as urls_suggestions
from petitions.supervision import urls as urls_supervision

app_name = "petitions"

urlpatterns = [
    # The ledger (petitions/ledger/views.py)
    path("", views.LedgerView.as_view(), name="ledger"),
    path("<int:pk>/", views.PetitionDetailView.as_view(), name="detail"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/reply/", views.reply_online, name="reply"),
    path("<int:pk>/files/<int:file_pk>/", views.attachment, name="attachment"),
    path("filters/", views.filter_save, name="filter_save"),
    path("filters/<int:pk>/delete/", views.filter_delete, name="filter_delete"),
    # At the desk (petitions/intake/views.py)
    path("new/", views_desk.PetitionCreateView.as_view(), name="create"),
    path("similar/", views_desk.similar, name="similar"),
    path("<int:pk>/edit/", views_desk.PetitionUpdateView.as_view(), name="update"),
    path("<int:pk>/receipt/", views_desk.receipt, name="receipt"),
    path("<int:pk>/link/", views_desk.link, name="link"),
    path("<int:pk>/files/add/", views_desk.attachment_add, name="attachment_add"),
    path("<int:pk>/files/<int:file_pk>/delete/", views_desk.attachment_delete, name="attachment_delete"),
    # Excel (petitions/ledger/export_views.py)
    path("export/", views_export.export, name="export"),
    # Handling (petitions/handling/views.py): one page per move, the office's and departments' queues
    path("<int:pk>/do/<str:move>/", views_handling.act, name="act"),
    path("<int:pk>/letter/", views_handling.feedback_letter, name="letter"),
    path("triage/", views_handling.TriageView.as_view(), name="triage"),
    path("department/", views_handling.DepartmentPortalView.as_view(), name="department"),
    path("rules/", views_handling.deadline_rules, name="rules"),
    # Representative suggestions (petitions/suggestions/views.py)
    path("suggestions/", include(urls_suggestions)),
    # Supervision: traffic lights, notices, commitments (petitions/supervision/views.py)
    path("supervision/", include(urls_supervision)),
]
