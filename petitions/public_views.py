"""Stub: replaced by its owner."""
from django.http import Http404

def lookup(request, *a, **k):
    raise Http404

def detail(request, *a, **k):
    raise Http404

def done(request, *a, **k):
    raise Http404

def petition_form(request, *a, **k):
    raise Http404

