"""Reception events for signed-in users, mounted at /reception/."""

from django.urls import path

from stations.reception.events import views

app_name = "reception"

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("events/new/", views.EventCreateView.as_view(), name="event_create"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event_detail"),
    path("events/<int:pk>/edit/", views.EventUpdateView.as_view(), name="event_update"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<int:pk>/roster/add/", views.roster_add, name="roster_add"),
    path("events/<int:pk>/roster/candidates/", views.roster_candidates, name="roster_candidates"),
    path("events/<int:pk>/roster/<int:entry_pk>/remove/", views.roster_remove, name="roster_remove"),
    path("events/<int:pk>/volunteer/", views.volunteer, name="volunteer"),
    path("events/<int:pk>/record/", views.event_record, name="event_record"),
    path("events/<int:pk>/photos/add/", views.photo_add, name="photo_add"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("my/", views.my_days, name="my_days"),
]
