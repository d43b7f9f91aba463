#!/usr/bin/env python
"""Django's command-line utility (development settings unless DJANGO_SETTINGS_MODULE says otherwise)."""

import os
import sys


def main():
    if sys.version_info < (3, 12):
        sys.exit("liaison needs Python 3.12 or newer; use ./dev, which finds or explains one.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
