"""Stub: replaced by its owner."""
from django.http import Http404

from django.views import View
class PetitionCreateView(View):
    def get(self, request, *a, **k):
        raise Http404

def similar(request, *a, **k):
    raise Http404

from django.views import View
class PetitionUpdateView(View):
    def get(self, request, *a, **k):
        raise Http404

def receipt(request, *a, **k):
    raise Http404

def link(request, *a, **k):
    raise Http404

def attachment_add(request, *a, **k):
    raise Http404

def attachment_delete(request, *a, **k):
    raise Http404

