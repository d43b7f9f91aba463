from django.urls import path

from liaison.views import notices

app_name = "notices"

urlpatterns = [
    path("inbox/", notices.InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/open/", notices.notification_open, name="notification_open"),
    path("inbox/read-all/", notices.inbox_mark_all_read, name="inbox_read_all"),
    path("outbox/", notices.OutboxView.as_view(), name="outbox"),
    path("outbox/<int:pk>/retry/", notices.outbox_message_retry, name="outbox_retry"),
]
