from django.views.generic import ListView

from .models import Representative, Station


class StationListView(ListView):
    model = Station


class RepresentativeListView(ListView):
    model = Representative
