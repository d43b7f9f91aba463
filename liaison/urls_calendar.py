from django.urls import path

from liaison.views import calendar

app_name = "calendar"

urlpatterns = [
    path("", calendar.calendar_index, name="index"),
    path("<int:year>/", calendar.calendar_year, name="year"),
    path("<int:year>/add/", calendar.calendar_day_add, name="day_add"),
    path("<int:year>/import/", calendar.calendar_import, name="import"),
    path("entries/<int:pk>/delete/", calendar.calendar_day_delete, name="day_delete"),
]
