from django.urls import path

from liaison.bodies import views

app_name = "bodies"

urlpatterns = [
    path("", views.body_list, name="list"),
    path("new/", views.body_create, name="create"),
    path("<int:pk>/", views.body_update, name="update"),
    path("<int:pk>/deactivate/", views.body_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.body_reactivate, name="reactivate"),
]
