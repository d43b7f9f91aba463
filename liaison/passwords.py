"""Password rules per 等保 2.0 practice, beside Django's own (settings.AUTH_PASSWORD_VALIDATORS).

Django's validators give the length (10, above the usual 8), the user's own attributes and
the common and all-digit passwords; these add what the practice asks besides:

- `CharacterClassesValidator`: at least three of lower-case letters, capitals, digits and
  other characters;
- `ForbiddenWordsValidator`: not built on the product's name or the deployment's
  (`LIAISON_PASSWORD_FORBIDDEN_WORDS`: the district, the site's host), which an attacker
  tries first (`liaison123`, `Yanqing@2026`);
- `RepeatedPatternValidator`: not one short piece repeated. `Aa1!Aa1!Aa` has all four
  classes and ten characters, but it is `Aa1!` typed two and a half times: guessing it
  costs no more than guessing four characters, and it is among the first patterns a
  cracking tool tries.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PRODUCT_WORDS = ("liaison", "renda", "rendadaibiao", "lianluozhan", "daibiao")


def _classes(password: str) -> int:
    return sum(bool(re.search(pattern, password)) for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]"))


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if _classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "Your password must mix at least three of: lower-case letters, capital letters, digits, other characters."
        )


def forbidden_words() -> list[str]:
    words = [*PRODUCT_WORDS, *getattr(settings, "LIAISON_PASSWORD_FORBIDDEN_WORDS", [])]
    host = urlsplit(getattr(settings, "SITE_URL", "")).hostname or ""
    words += [part for part in re.split(r"[.\-]", host) if len(part) >= 4 and not part.isdigit()]
    return sorted({w.lower() for w in words if w and w.lower() not in {"www", "localhost", "example"}})


class ForbiddenWordsValidator:
    def validate(self, password, user=None):
        plain = password.lower()
        # Digits and signs typed for letters (l1ai5on, y@nqing) fold back; "1" may stand for i or l.
        folds = {plain} | {
            re.sub(r"[^a-z]", "", plain.translate(str.maketrans("013457@$!|", f"o{one}eastas{one}{one}")))
            for one in "il"
        }
        for word in forbidden_words():
            if any(word in fold for fold in folds):
                raise ValidationError(self.get_help_text(), code="password_forbidden_word")

    def get_help_text(self):
        return _("Your password must not contain the name of this system or of your organisation or district.")


class RepeatedPatternValidator:
    def validate(self, password, user=None):
        n = len(password)
        for size in range(1, n // 2 + 1):
            if (password[:size] * (n // size + 1))[:n] == password:
                raise ValidationError(self.get_help_text(), code="password_repeated")

    def get_help_text(self):
        return _("Your password must not be one short piece repeated (such as Aa1!Aa1!).")
