"""Public pages: directory, GeoJSON, station page, QR code, poster, photos; anonymous visitors."""

import json
from decimal import Decimal

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stations.models import Station, StationKind
from stations.public import qr
from tests.factories import MembershipFactory, OfficerFactory, RepresentativeFactory, StationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """Assertions read the English source strings, whatever the catalogue says."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


# A 1×1 PNG: enough for an ImageField.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def url(name, station=None, **kwargs):
    if station is not None:
        kwargs["public_code"] = station.public_code
    return reverse(f"public:{name}", kwargs=kwargs)


def locate(station, lat="40.456000", lng="115.970000"):
    station.latitude, station.longitude = Decimal(lat), Decimal(lng)
    station.save()


@pytest.fixture
def mapped(world):
    """S1, S2 and S3 with coordinates; S2 closed."""
    locate(world.S1, "40.456100", "115.970100")
    locate(world.S2, "40.380000", "115.900000")
    locate(world.S3, "39.910000", "116.450000")
    world.S2.is_active = False
    world.S2.save()
    return world


def geojson(client, **params):
    response = client.get(url("directory_geojson"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    return data


def names_of(data):
    return {f["properties"]["name"] for f in data["features"]}


# --- directory ---------------------------------------------------------------


def test_directory_lists_active_stations(client, world):
    response = client.get(url("directory"))
    assert response.status_code == 200
    html = response.content.decode()
    for station in (world.H1, world.S1, world.P1, world.H2, world.S2, world.S3):
        assert station.name in html
        assert url("station", station) in html
    assert 'id="station-map"' in html
    assert 'id="map-config"' in html
    assert "vendor/leaflet/leaflet.js" in html and "vendor/leaflet.markercluster/leaflet.markercluster.js" in html


def test_directory_search_by_name_address_and_area(client, world):
    html = client.get(url("directory"), {"q": "榆林堡"}).content.decode()
    assert world.S2.name in html
    assert world.S1.name not in html

    world.S3.address = "建国门外大街 88 号"
    world.S3.save()
    html = client.get(url("directory"), {"q": "建国门外"}).content.decode()
    assert world.S3.name in html and world.S1.name not in html

    # The community's and the township's names both find a station.
    html = client.get(url("directory"), {"q": "东关村"}).content.decode()
    assert world.S1.name in html and world.P1.name in html and world.S2.name not in html
    html = client.get(url("directory"), {"q": "康庄镇"}).content.decode()
    assert world.S2.name in html and world.H2.name in html and world.S1.name not in html


def test_directory_area_district_and_kind_filters(client, world):
    html = client.get(url("directory"), {"area": world.j.T1.code}).content.decode()
    assert world.H1.name in html and world.S1.name in html and world.P1.name in html
    assert world.S2.name not in html and world.S3.name not in html

    html = client.get(url("directory"), {"district": world.j.K2.code}).content.decode()
    assert world.S3.name in html and world.S1.name not in html

    html = client.get(url("directory"), {"kind": "home"}).content.decode()
    assert world.H1.name in html and world.H2.name in html and world.S1.name not in html

    # An over-long search is cut short, not ignored.
    html = client.get(url("directory"), {"q": "建国里" + "x" * 500}).content.decode()
    assert world.S3.name not in html and world.S1.name not in html

    # Unknown values are ignored rather than failing the page.
    response = client.get(url("directory"), {"area": "999999999000", "kind": "bogus", "page": "x"})
    assert response.status_code == 200
    assert world.S3.name in response.content.decode()


def test_directory_area_choices_only_public_areas_with_stations(client, world):
    world.S3.is_active = False
    world.S3.save()
    response = client.get(url("directory"))
    form = response.context["form"]
    township_codes = {t["code"] for t in form.townships}
    assert township_codes == {world.j.T1.code, world.j.T2.code}
    assert {d["code"] for d in form.districts} == {world.j.K.code}


def test_inactive_station_absent_from_list_geojson_and_pages(client, mapped):
    closed = mapped.S2
    html = client.get(url("directory")).content.decode()
    assert closed.name not in html
    assert closed.name not in names_of(geojson(client))
    for name in ("station", "station_qr", "station_poster", "station_petition", "station_photo"):
        assert client.get(url(name, closed)).status_code == 404, name


def test_unknown_public_code_is_404(client, world):
    for name in ("station", "station_qr", "station_poster", "station_petition", "station_photo"):
        assert client.get(reverse(f"public:{name}", kwargs={"public_code": "NOPE2345"})).status_code == 404


def test_directory_paginates(client, world):
    for i in range(25):
        StationFactory(name=f"分页联络站{i:02d}", jurisdiction=world.j.C3)
    first = client.get(url("directory"), {"q": "分页"})
    assert first.context["page_obj"].paginator.count == 25
    assert len(first.context["stations"]) == 20
    second = client.get(url("directory"), {"q": "分页", "page": 2})
    assert len(second.context["stations"]) == 5
    assert 'rel="prev"' in second.content.decode()


# --- GeoJSON -----------------------------------------------------------------


def test_geojson_features_and_fields(client, mapped):
    data = geojson(client)
    assert names_of(data) == {mapped.S1.name, mapped.S3.name}  # S2 closed, the rest have no coordinates
    feature = next(f for f in data["features"] if f["properties"]["name"] == mapped.S1.name)
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [115.9701, 40.4561]}
    assert set(feature["properties"]) == {"name", "kind", "address", "url"}
    assert feature["properties"]["url"] == url("station", mapped.S1)
    assert feature["properties"]["address"] == mapped.S1.address
    assert feature["properties"]["kind"] == str(StationKind.STATION.label)


def test_geojson_follows_the_directory_filters(client, mapped):
    assert names_of(geojson(client, q="建国里")) == {mapped.S3.name}
    assert names_of(geojson(client, area=mapped.j.T1.code)) == {mapped.S1.name}
    assert names_of(geojson(client, district=mapped.j.K2.code)) == {mapped.S3.name}
    assert names_of(geojson(client, kind="home")) == set()


def test_geojson_has_no_private_data(client, mapped):
    mapped.S1.annual_budget = Decimal("12345.67")
    mapped.S1.work_rules = "内部工作规则"
    mapped.S1.save()
    body = client.get(url("directory_geojson")).content.decode()
    for secret in (mapped.S1.code, mapped.S3.code, "12345.67", "内部工作规则", mapped.R1.private_phone, mapped.R1.name):
        assert secret not in body


def test_geojson_is_cacheable_and_revalidates(client, mapped):
    response = client.get(url("directory_geojson"))
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    assert response["ETag"]
    again = client.get(url("directory_geojson"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_directory_map_config_comes_from_settings(client, world, settings):
    settings.MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© 天地图"
    settings.MAP_CENTER = [36.65, 117.12]
    settings.MAP_ZOOM = 11
    response = client.get(url("directory"), {"q": "联络站"})
    config = response.context["map_config"]
    assert config["tileUrl"] == settings.MAP_TILE_URL
    assert config["attribution"] == "© 天地图"
    assert config["center"] == [36.65, 117.12] and config["zoom"] == 11
    assert config["imagePath"].endswith("vendor/leaflet/images/")
    # The map asks for the same search as the list.
    assert config["geojsonUrl"].startswith(url("directory_geojson") + "?q=")


def test_directory_and_geojson_query_counts_are_bounded(client, world, django_assert_max_num_queries):
    stations = [
        Station(
            code=f"BULK-{i:04d}",
            name=f"批量联络站{i}",
            kind="station",
            jurisdiction=world.j.C1 if i % 2 else world.j.C3,
            address=f"批量路{i}号",
            latitude=Decimal("40.1") + Decimal(i) / 1000,
            longitude=Decimal("116.1"),
            public_code=f"B{i:07d}",
        )
        for i in range(300)
    ]
    Station.objects.bulk_create(stations)
    with django_assert_max_num_queries(4):
        assert client.get(url("directory")).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(url("directory"), {"q": "批量", "area": world.j.T1.code, "page": 3}).status_code == 200
    with django_assert_max_num_queries(1):
        data = geojson(client)
    assert len(data["features"]) == 300


# --- a station's page --------------------------------------------------------


def test_station_page_shows_public_data_only(client, world):
    world.R1.work_unit = "延庆区第一中学"
    world.R1.position = "校长"
    world.R1.public_phone = "010-69105678"
    world.R1.save()
    member = RepresentativeFactory(
        name="孙志强", level="township", jurisdiction=world.j.T1, public_phone="010-69101111"
    )
    MembershipFactory(representative=member, station=world.S1, role="member")
    retired = RepresentativeFactory(name="退任代表", is_active=False, jurisdiction=world.j.K)
    MembershipFactory(representative=retired, station=world.S1)
    OfficerFactory(station=world.S1, name="周联络", position="村委会委员", phone="13811112222")

    response = client.get(url("station", world.S1))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.S1.name in html and world.S1.address in html and world.S1.opening_hours in html
    assert world.S1.phone in html
    for text in ("张建国", "延庆区第一中学", "校长", "010-69105678", "孙志强", "010-69101111", "周联络", "村委会委员"):
        assert text in html, text
    # The head comes first and is marked.
    assert html.index("张建国") < html.index("孙志强")
    assert "Station head" in html
    # Never the private phone, the representative number, a retired representative,
    # the officer's phone or the station's internal number.
    for secret in (
        world.R1.private_phone,
        member.private_phone,
        world.R1.code,
        member.code,
        "退任代表",
        "13811112222",
        world.S1.code,
    ):
        assert secret not in html, secret
    # QR code, its explanation, the poster link, the contact anchor.
    assert url("station_qr", world.S1) in html
    assert "Scan to send your opinion to the representatives" in html
    assert url("station_poster", world.S1) in html
    assert 'id="contact"' in html


def test_station_page_map_only_with_coordinates(client, world):
    assert 'id="station-map"' not in client.get(url("station", world.S1)).content.decode()
    locate(world.S1)
    response = client.get(url("station", world.S1))
    assert 'id="station-map"' in response.content.decode()
    assert response.context["map_config"]["marker"] == [40.456, 115.97]


def test_station_page_links_active_parent(client, world):
    html = client.get(url("station", world.S1)).content.decode()
    assert url("station", world.H1) in html
    world.H1.is_active = False
    world.H1.save()
    html = client.get(url("station", world.S1)).content.decode()
    assert url("station", world.H1) not in html


def test_station_page_query_count(client, world, django_assert_max_num_queries):
    for _i in range(10):
        MembershipFactory(representative=RepresentativeFactory(jurisdiction=world.j.K), station=world.S1)
    with django_assert_max_num_queries(5):  # + the closed items' public results
        assert client.get(url("station", world.S1)).status_code == 200


# --- QR code, petition link, poster ------------------------------------------


def test_petition_url_is_absolute(world, settings):
    settings.SITE_URL = "https://rd.example.gov.cn"
    code = world.S1.public_code
    assert qr.petition_url(code) == f"https://rd.example.gov.cn/s/{code}/petition/"


def test_qr_svg_encodes_the_petition_url(client, world, settings):
    settings.SITE_URL = "https://rd.example.gov.cn"
    response = client.get(url("station_qr", world.S1))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    svg = response.content.decode()
    assert svg.startswith("<?xml") and "<svg" in svg and 'viewBox="' in svg and 'width="' in svg
    assert svg == qr.qr_svg(world.S1.public_code)
    # The drawn modules are exactly those of the petition URL's code at level M.
    expected = segno.make_qr(
        f"https://rd.example.gov.cn/s/{world.S1.public_code}/petition/", error="m", boost_error=False
    )
    assert expected.designator.endswith("M")
    assert _svg_path(svg) == _svg_path(_svg_of(expected))
    other = segno.make_qr("https://rd.example.gov.cn/s/OTHER234/petition/", error="m", boost_error=False)
    assert _svg_path(svg) != _svg_path(_svg_of(other))


def _svg_of(code):
    import io

    out = io.BytesIO()
    code.save(out, kind="svg", scale=qr.QR_SCALE, border=qr.QR_BORDER)
    return out.getvalue().decode()


def _svg_path(svg):
    """The drawn dark modules (the path segno marks "qrline")."""
    import re

    return re.search(r'<path[^>]*class="qrline"[^>]*\sd="([^"]+)"', svg).group(1)


def test_petition_link_opens_the_station_petition_form(client, world):
    response = client.get(url("station_petition", world.S1))
    assert response.status_code == 200
    assert response.templates[0].name == "public/petition_form.html"
    assert response.context["station"] == world.S1
    html = response.content.decode()
    assert world.S1.name in html and 'id="petition-form"' in html


def test_poster_page(client, world, settings):
    settings.SITE_URL = "https://rd.example.gov.cn"
    response = client.get(url("station_poster", world.S1))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.S1.name in html
    assert url("station_qr", world.S1) in html
    assert f"https://rd.example.gov.cn/s/{world.S1.public_code}/petition/" in html
    assert "张建国" in html and world.R1.public_phone in html and world.R1.work_unit in html
    assert world.R1.private_phone not in html and world.R1.code not in html
    assert world.S1.opening_hours in html
    assert 'data-action="print"' in html and "@page" in html


def test_poster_keeps_to_a_page_with_many_representatives(client, world):
    for i in range(15):
        MembershipFactory(
            representative=RepresentativeFactory(name=f"海报代表{i:02d}", jurisdiction=world.j.K), station=world.S1
        )
    response = client.get(url("station_poster", world.S1))
    assert len(response.context["members"]) == 12
    assert response.context["more_members"] == 4  # 16 in all, with the head


# --- photos --------------------------------------------------------------------


def test_station_photo_served_and_missing_is_404(client, world):
    assert client.get(url("station_photo", world.S1)).status_code == 404  # no photo
    world.S1.photo = SimpleUploadedFile("front.png", PNG, content_type="image/png")
    world.S1.save()
    response = client.get(url("station_photo", world.S1))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert url("station_photo", world.S1) in client.get(url("station", world.S1)).content.decode()
    world.S1.photo.storage.delete(world.S1.photo.name)
    assert client.get(url("station_photo", world.S1)).status_code == 404  # file gone


def test_representative_photo_only_for_public_members(client, world):
    for rep in (world.R1, world.R4):
        rep.photo = SimpleUploadedFile("face.png", PNG, content_type="image/png")
        rep.save()
    response = client.get(url("representative_photo", pk=world.R1.pk))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert url("representative_photo", pk=world.R1.pk) in client.get(url("station", world.S1)).content.decode()
    # R4 belongs to no station.
    assert client.get(url("representative_photo", pk=world.R4.pk)).status_code == 404
    # A retired representative, or one whose only station is closed.
    world.S1.is_active = False
    world.S1.save()
    assert client.get(url("representative_photo", pk=world.R1.pk)).status_code == 404
    world.S1.is_active = True
    world.S1.save()
    world.R1.is_active = False
    world.R1.save()
    assert client.get(url("representative_photo", pk=world.R1.pk)).status_code == 404
    assert client.get(url("representative_photo", pk=999999)).status_code == 404


def test_public_pages_need_no_login_and_use_the_public_layout(client, world):
    for target in (url("directory"), url("station", world.S1), url("station_poster", world.S1)):
        response = client.get(target)
        assert response.status_code == 200
        html = response.content.decode()
        assert '<body class="public' in html and "public-header" in html and "public-main" in html
        assert 'name="viewport"' in html
        assert "Representative Liaison Platform" in html
        assert "set_language" in html or "/i18n/setlang/" in html
        # Nothing from the internet: every script and stylesheet is ours.
        assert "cdn" not in html.lower() and "unpkg" not in html and "googleapis" not in html
