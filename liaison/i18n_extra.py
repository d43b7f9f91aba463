"""Framework strings whose zh_Hans translation the framework itself lacks.

Listing them here puts them in locale/zh_Hans, which Django reads before its own
catalogues. Nothing imports this module; makemessages reads it.
"""

from django.utils.translation import gettext_noop

FRAMEWORK_STRINGS = [
    gettext_noop("- Select an option -"),  # Django 6.1's blank choice label
]
