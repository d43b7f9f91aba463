"""A phone or ID number typed into the ledger search never stays in an address (issue 14: no personal
data in URLs): the ledger and its export redirect to a token kept in the session."""

import io

import openpyxl
import pytest
from django.urls import reverse

from petitions.ledger.sealed_search import holds_personal_data

pytestmark = pytest.mark.django_db

NUMBER = "20261234567"  # a work-order number written into an item's text: seven digits or more, so sealed


@pytest.fixture
def numbered(world, ledger):
    from tests.factories import make_petition

    return make_petition(station=world.S1, actor=world.staff, content=f"东关村路灯工单{NUMBER}仍未处理")


@pytest.mark.parametrize(
    ("words", "personal"),
    [("13812345678", True), ("010-69181547", True), ("138 1234 5678", True), ("110119200001011234", True),
     ("路灯", False), ("2612-FA9YCZ33", False), ("2612-3456789X", False), ("2612-12345678", False), ("0755-86012345", True), ("3号楼", False), ("123456", False)],
)  # fmt: skip
def test_what_counts_as_personal_data(words, personal):
    assert holds_personal_data(words) is personal


def test_the_ledger_search_for_a_number_leaves_it_in_no_address(world, ledger, numbered, client_for):
    client = client_for(world.office)
    response = client.get(reverse("petitions:ledger"), {"q": NUMBER, "status": ""})
    assert response.status_code == 302
    sealed = response["Location"]
    assert NUMBER not in sealed and "q=%40" in sealed
    page = client.get(sealed)
    html = page.content.decode()
    assert page.status_code == 200 and numbered.tracking_number in html
    assert f'value="{NUMBER}"' in html  # the box shows the words, read back from the session
    # Every link the page writes (sort headers, export, pages) carries the token, never the number.
    assert NUMBER not in "".join(part.split('"')[0] for part in html.split('href="')[1:])
    # The same words in the same session keep their token.
    token = sealed.split("q=")[1].split("&")[0]
    assert client.get(reverse("petitions:ledger"), {"q": NUMBER})["Location"].split("q=")[1].startswith(token)


def test_the_export_reads_the_sealed_words_and_another_session_cannot(world, ledger, numbered, client_for):
    client = client_for(world.office)
    sealed = client.get(reverse("petitions:export"), {"q": NUMBER})["Location"]
    assert NUMBER not in sealed
    response = client.get(sealed)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    assert numbered.tracking_number in cells and ledger.a.tracking_number not in cells
    # Another session does not know the token: it gets no words back.
    ledger_url = sealed.replace(reverse("petitions:export"), reverse("petitions:ledger"))
    other = client_for(world.office_t1).get(ledger_url).content.decode()
    assert f'value="{NUMBER}"' not in other


def test_plain_words_stay_in_the_address(world, ledger, client_for):
    response = client_for(world.office).get(reverse("petitions:ledger"), {"q": "路灯 3号楼"})
    assert response.status_code == 200 and 'value="路灯 3号楼"' in response.content.decode()
