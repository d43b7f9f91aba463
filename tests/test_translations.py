"""The zh_Hans catalogue is complete: every source string extracted, translated, not fuzzy, compiled."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_no_untranslated_or_fuzzy_entries():
    catalogue = polib.pofile(str(PO))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_placeholders_survive_translation():
    import re

    named = re.compile(r"%\((\w+)\)[sd]|\{\{ ?(\w+) ?\}\}")
    problems = []
    for entry in polib.pofile(str(PO)).translated_entries():
        pairs = (
            [(entry.msgid, entry.msgstr)]
            if not entry.msgid_plural
            else [(entry.msgid_plural, s) for s in entry.msgstr_plural.values()]
        )
        for source, translated in pairs:
            if set(named.findall(source)) != set(named.findall(translated)) and set(named.findall(translated)) - set(
                named.findall(source)
            ):
                problems.append(entry.msgid)
    assert not problems, problems[:20]


def test_compiled_catalogue_matches_source():
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in polib.pofile(str(PO)).translated_entries()
    }
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(MO))}
    assert source == compiled, "run: ./dev python manage.py compilemessages -l zh_Hans"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_every_source_string_is_in_the_catalogue(tmp_path, settings, monkeypatch):
    """makemessages over a copy of the sources finds no msgid the catalogue lacks.

    A copy, because makemessages writes into the nearest locale/ folder, and
    the test must not touch the committed catalogue.
    """
    base = Path(settings.BASE_DIR)
    for folder in ["liaison", "stations", "petitions", "templates"]:
        shutil.copytree(base / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "locale").mkdir()
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    extracted = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    }
    known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO)) if not e.obsolete}
    missing = sorted(m for _, m in extracted - known)
    assert not missing, f"strings missing from locale/zh_Hans (run makemessages and translate): {missing[:30]}"
