"""Stub: replaced by its owner."""
from django.http import Http404

from django.views import View
class LedgerView(View):
    def get(self, request, *a, **k):
        raise Http404

from django.views import View
class PetitionDetailView(View):
    def get(self, request, *a, **k):
        raise Http404

def reveal(request, *a, **k):
    raise Http404

def note_add(request, *a, **k):
    raise Http404

def follow_up(request, *a, **k):
    raise Http404

def reply_online(request, *a, **k):
    raise Http404

def attachment(request, *a, **k):
    raise Http404

def filter_save(request, *a, **k):
    raise Http404

def filter_delete(request, *a, **k):
    raise Http404

