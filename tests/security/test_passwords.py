"""Passwords per 等保 practice (liaison/passwords.py, with Django's own validators)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def refusals(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    "password, why",
    [
        ("liaison123", "三类"),  # two classes, and the product's name
        ("liaison123", "系统"),
        ("L1ai5on-2026!", "系统"),  # the name with digits for letters
        ("Aa1!Aa1!Aa", "重复"),  # four classes, ten characters: Aa1! two and a half times
        ("Qwertyuiop", "三类"),  # two classes
        ("Ab1!", "10"),  # too short
    ],
)
def test_weak_passwords_are_refused_in_chinese(password, why):
    messages = refusals(password)
    assert any(why in m for m in messages), messages


def test_the_deployments_names_are_refused(settings):
    settings.LIAISON_PASSWORD_FORBIDDEN_WORDS = ["yanqing"]
    settings.SITE_URL = "https://rd.beijing-yq.gov.cn"
    assert any("系统" in m for m in refusals("Yanqing@2026!"))
    assert any("系统" in m for m in refusals("Beijing#2026x"))  # from the site's host
    assert refusals("Quiet-River-2026") == []


@pytest.mark.parametrize("password", ["Quiet-River-2026", "Test-pass-2026!", "rdz-7qx!m2wk", "春天-Spring-2026"])
def test_good_passwords_pass(password):
    assert refusals(password) == []


def test_the_password_change_page_explains_the_refusal(world, client_for):
    response = client_for(world.office).post(
        reverse("password_change"),
        {"old_password": world.password, "new_password1": "Aa1!Aa1!Aa", "new_password2": "Aa1!Aa1!Aa"},
    )
    assert response.status_code == 200 and "重复" in response.content.decode()
