"""Stub: replaced by its owner."""
from django.http import Http404

def export(request, *a, **k):
    raise Http404

