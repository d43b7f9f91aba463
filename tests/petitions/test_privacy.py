"""Who sees how much of a petitioner: the maskers, `access()` per role and `Petitioner`.

Staff call residents back (full values); the office and representatives see them
masked and may reveal; departments never see a confidential or anonymous
petitioner; a user without the capability sees nothing.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext

from petitions.ledger.privacy import Access, Petitioner, access, mask_address, mask_id_number, mask_name, mask_phone
from tests.factories import UserFactory, make_petition

FULL_ID = "110101199001011234"

# -- maskers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, masked",
    [
        ("", ""),
        ("  ", ""),
        ("张", "张*"),  # one character still gets a star: the name is never shown whole
        ("张三", "张*"),
        ("欧阳修", "欧**"),
        ("欧阳娜娜", "欧***"),
        ("阿卜杜拉·买买提", "阿***"),  # long names: at most three stars, length not given away
        (" 张三 ", "张*"),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    "phone, masked",
    [
        ("", ""),
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("010-69101234", "010****1234"),
        ("12345", "*****"),  # too short to keep a head and a tail
        ("123456", "******"),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_phone_never_keeps_the_middle_digits():
    assert "1234" not in mask_phone("13812345678")[3:7]
    assert len(mask_phone("13812345678")) == 11


@pytest.mark.parametrize(
    "address, masked",
    [
        ("", ""),
        ("东关村", "东关***"),
        ("东关村三巷", "东关***"),
        ("东关村三巷5", "东关***"),  # six characters: only two kept
        ("东关村三巷5号", "东关村三巷5***"),
        ("北京市延庆区延庆镇东关村三巷5号院2单元", "北京市延庆区***"),
    ],
)
def test_mask_address(address, masked):
    assert mask_address(address) == masked


@pytest.mark.parametrize(
    "raw, masked",
    [
        ("110101199001011234", "1101**********1234"),  # 18 digits
        ("11010119900101123x", "1101**********123X"),  # check digit X, upper-cased
        ("110101900101123", "1101*******1123"),  # old 15-digit number
        (" 110101199001011234 ", "1101**********1234"),
        ("1234567", "***4567"),  # short: only the last four
        ("1234", "1234"),
        ("", ""),
    ],
)
def test_mask_id_number(raw, masked):
    assert mask_id_number(raw) == masked


@pytest.mark.parametrize("raw", ["110101199001011234", "110101900101123"])
def test_masked_id_number_hides_the_birth_date(raw):
    masked = mask_id_number(raw)
    assert len(masked) == len(raw)
    assert "19900101" not in masked and "900101" not in masked


# -- access() per role -------------------------------------------------------------------------


@pytest.fixture
def anonymous_item(world):
    return make_petition(
        station=world.S1, department=world.D, representatives=[world.R1], is_anonymous=True, content="匿名反映噪音扰民"
    )


@pytest.mark.parametrize(
    "account, a, b",
    [
        ("admin", Access.FULL, Access.FULL),
        ("staff", Access.FULL, Access.FULL),
        ("office", Access.MASKED, Access.MASKED),
        ("office_t1", Access.MASKED, Access.MASKED),
        ("rep", Access.MASKED, Access.MASKED),
        ("dept", Access.MASKED, Access.HIDDEN),  # b is confidential: hidden from departments
    ],
)
def test_access_per_role(ledger, world, account, a, b):
    user = getattr(world, account)
    assert access(user, ledger.a) is a
    assert access(user, ledger.b) is b


def test_department_never_sees_an_anonymous_petitioner(world, anonymous_item):
    assert access(world.dept, anonymous_item) is Access.HIDDEN
    assert access(world.office, anonymous_item) is Access.MASKED
    assert access(world.staff, anonymous_item) is Access.FULL


def test_superuser_in_a_department_role_is_not_hidden(world, ledger):
    boss = UserFactory(username="dept_admin", role="department", is_superuser=True)
    assert access(boss, ledger.b) is Access.FULL


def test_without_the_capability_nothing_is_shown(world, ledger):
    inactive = UserFactory(username="gone", role="station_staff", is_active=False)
    assert access(inactive, ledger.a) is Access.HIDDEN
    assert access(AnonymousUser(), ledger.a) is Access.HIDDEN


# -- Petitioner --------------------------------------------------------------------------------


def test_petitioner_full_for_staff(world, ledger):
    p = Petitioner(world.staff, ledger.a)
    assert (p.name, p.phone, p.address) == ("张三", "13812345678", "东关村三巷5号")
    assert not p.can_reveal and not p.is_hidden


@pytest.mark.parametrize("account", ["office", "office_t1", "rep", "dept"])
def test_petitioner_masked(world, ledger, account):
    p = Petitioner(getattr(world, account), ledger.a)
    assert (p.name, p.phone, p.address) == ("张*", "138****5678", "东关村三巷5***")
    # Departments see the masked values but never reveal them (the QR form's notice).
    assert p.can_reveal is (account != "dept") and not p.is_hidden


def test_petitioner_hidden_for_department_on_confidential_item(world, ledger):
    p = Petitioner(world.dept, ledger.b)
    assert p.is_hidden and not p.can_reveal
    assert p.name == gettext("Confidential")  # 保密
    assert p.phone == "" and p.address == "" and p.id_number == ""
    assert "李" not in p.name


def test_petitioner_hidden_for_department_on_anonymous_item(world, anonymous_item):
    p = Petitioner(world.dept, anonymous_item)
    assert p.is_hidden
    assert p.name == gettext("Anonymous")


def test_anonymous_without_a_name_reads_anonymous_for_everyone(world, anonymous_item):
    for user in (world.staff, world.office, world.rep):
        assert Petitioner(user, anonymous_item).name == gettext("Anonymous")


def test_id_number_only_ever_masked(world):
    item = make_petition(station=world.S1, department=world.D, petitioner_name="孙七", id_number=FULL_ID)
    for user in (world.staff, world.office, world.admin):
        assert Petitioner(user, item).id_number == "1101**********1234"
    confidential = make_petition(station=world.S1, department=world.D, is_confidential=True, id_number=FULL_ID)
    assert Petitioner(world.dept, confidential).id_number == ""


def test_explicit_level_overrides_computed_access(world, ledger):
    """The export passes one level for a whole page of rows."""
    p = Petitioner(world.staff, ledger.a, level=Access.MASKED)
    assert p.phone == "138****5678"
