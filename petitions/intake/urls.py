"""The registration desk, under /petitions/ in the `petitions` namespace (the public pages: `public_urls`)."""

from django.urls import path

from petitions.intake import views

urlpatterns = [
    path("new/", views.PetitionCreateView.as_view(), name="create"),
    path("similar/", views.similar, name="similar"),
    path("<int:pk>/edit/", views.PetitionUpdateView.as_view(), name="update"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/link/", views.link, name="link"),
    path("<int:pk>/files/add/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/files/<int:file_pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
