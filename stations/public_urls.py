from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("directory/", public_views.DirectoryView.as_view(), name="directory"),
]
