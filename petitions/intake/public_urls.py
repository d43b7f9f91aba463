from django.urls import path

from petitions.intake import public_views

app_name = "tracking"

urlpatterns = [
    path("track/", public_views.lookup, name="lookup"),
    path("track/<str:number>/", public_views.detail, name="detail"),
    path("track/<str:number>/rate/", public_views.rate, name="rate"),
    path("s/<str:public_code>/petition/done/", public_views.done, name="done"),
]
