"""The organisation on the reports' covers (civicplan.models.Organisation), set once by an
admin: one row at most; its logo kept in the database and known by its content (a PNG, a
JPEG, or an SVG without scripts or references outside itself), whatever its file is called;
an upload refused with its reason, and then nothing saved."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from civicplan.models import LOGO_MAX_BYTES, Organisation, logo_content_type
from reporting.pdf import LOGO_URL
from tests.helpers import refused_by_database


def raster(kind: str, size=(40, 16), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode == "RGB" else 1).save(buffer, format=kind)
    return buffer.getvalue()


PNG, JPEG = raster("PNG"), raster("JPEG")
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="#1d4ed8"/></linearGradient>'
    b'<circle id="c" r="2"/></defs>'
    b"<style>rect { fill: url(#g); }</style>"
    b'<rect width="10" height="10" style="stroke: url(#g)"/><use href="#c"/><use xlink:href="#c"/>'
    b"<text>CIVICUS</text></svg>"
)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (SVG, "image/svg+xml"),
        (b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n<!-- logo -->\n' + SVG, "image/svg+xml"),
    ],
    ids=["png", "jpeg", "svg", "svg-with-declaration"],
)
def test_a_logo_is_known_by_its_content(data: bytes, content_type: str) -> None:
    assert logo_content_type(data) == content_type


def svg(inside: str, attributes: str = "") -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" {attributes}>{inside}</svg>'.encode()


REFUSED = {
    "gif": (raster("GIF"), "logo_type"),
    "text": (b"CIVICUS", "logo_type"),
    "html": (b"<html><body><p>CIVICUS</p></body></html>", "logo_type"),
    "damaged png": (PNG[:60], "logo_damaged"),
    "too many pixels": (raster("PNG", size=(5000, 4000), mode="1"), "logo_too_large"),
    "script": (svg("<script>alert(1)</script>"), "logo_svg_refused"),
    "event handler": (svg("<rect/>", 'onload="alert(1)"'), "logo_svg_refused"),
    "javascript link": (svg('<a href="javascript:alert(1)"><rect/></a>'), "logo_svg_refused"),
    "embedded document": (svg("<foreignObject><p>x</p></foreignObject>"), "logo_svg_refused"),
    "image": (svg('<image href="https://evil.example/x.png"/>'), "logo_svg_refused"),
    "external use": (svg('<use href="https://evil.example/s.svg#a"/>'), "logo_svg_refused"),
    "local file": (
        svg('<use xlink:href="file:///etc/passwd"/>', 'xmlns:xlink="http://www.w3.org/1999/xlink"'),
        "logo_svg_refused",
    ),
    "css url": (svg('<rect style="fill: url(https://evil.example/p)"/>'), "logo_svg_refused"),
    "css import": (svg("<style>@import 'https://evil.example/s.css';</style>"), "logo_svg_refused"),
    "stylesheet link": (b'<?xml-stylesheet href="https://evil.example/s.css"?>' + svg("<rect/>"), "logo_svg_refused"),
    "entity": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + svg("<text>&x;</text>"),
        "logo_svg_refused",
    ),
    "not svg": (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', "logo_svg_refused"),
    "not xml": (b"<svg><rect></svg>", "logo_svg_refused"),
}


@pytest.mark.parametrize(("data", "code"), REFUSED.values(), ids=REFUSED)
def test_a_logo_civicplan_does_not_accept_is_refused_with_its_reason(data: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        logo_content_type(data)
    assert refused.value.code == code
    assert refused.value.messages[0].strip()


def test_a_logo_larger_than_the_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(ValidationError) as refused:
        logo_content_type(PNG + b"\0" * LOGO_MAX_BYTES)
    assert refused.value.code == "logo_too_large"
    assert f"{LOGO_MAX_BYTES // 1024} KB at most" in refused.value.messages[0]


# --- The model --------------------------------------------------------------------------


def test_there_is_one_organisation_at_most(db) -> None:
    assert Organisation.load() is None
    Organisation.objects.create(name="CIVICUS")
    assert refused_by_database(lambda: Organisation.objects.create(name="Une autre"))
    assert refused_by_database(lambda: Organisation.objects.create(id=2, name="Une autre"))
    assert Organisation.load().name == "CIVICUS"


def test_its_logo_type_is_what_its_content_is(db) -> None:
    with pytest.raises(ValidationError):
        Organisation(name="CIVICUS", logo=PNG, logo_type="image/svg+xml").full_clean()
    with pytest.raises(ValidationError):
        Organisation(name="CIVICUS", logo=b"", logo_type="image/png").full_clean()
    with pytest.raises(ValidationError):
        Organisation(name="CIVICUS", logo=svg("<script/>"), logo_type="image/svg+xml").full_clean()
    Organisation(name="CIVICUS", logo=PNG, logo_type="image/png").full_clean()
    assert refused_by_database(lambda: Organisation.objects.create(name="CIVICUS", logo_type="text/html"))


def test_its_logo_is_shown_inline() -> None:
    organisation = Organisation(name="CIVICUS", logo=b"<svg/>", logo_type="image/svg+xml")
    assert organisation.logo_data_uri == "data:image/svg+xml;base64,PHN2Zy8+"
    assert Organisation(name="CIVICUS").logo_data_uri == ""


# --- The admin --------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_an_admin_sets_the_name_and_the_logo(admin_client) -> None:
    response = admin_client.post(
        reverse("admin:civicplan_organisation_add"),
        {"name": "CIVICUS", "logo_file": SimpleUploadedFile("logo.jpg", PNG, content_type="image/jpeg")},
    )
    assert response.status_code == 302
    organisation = Organisation.load()
    # Known by its content: a PNG, whatever its name and the browser's word say.
    assert (organisation.name, bytes(organisation.logo), organisation.logo_type) == ("CIVICUS", PNG, "image/png")
    # One organisation: no second one to add.
    assert admin_client.get(reverse("admin:civicplan_organisation_add")).status_code == 403
    page = admin_client.get(reverse("admin:civicplan_organisation_change", args=[organisation.pk]))
    assert page.status_code == 200
    assert organisation.logo_data_uri in page.content.decode()  # the logo as it is stored


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (svg("<script>alert(1)</script>"), "The SVG logo is refused: it holds a &lt;script&gt; element."),
        (b"GIF89a not a logo", "The logo must be a PNG, JPEG or SVG image"),
        (PNG + b"\0" * LOGO_MAX_BYTES, f"it may be {LOGO_MAX_BYTES // 1024} KB at most"),
    ],
    ids=["svg-script", "gif", "too-large"],
)
def test_a_refused_upload_says_why_and_saves_nothing(admin_client, upload: bytes, reason: str) -> None:
    organisation = Organisation.objects.create(name="CIVICUS", logo=PNG, logo_type="image/png")
    response = admin_client.post(
        reverse("admin:civicplan_organisation_change", args=[organisation.pk]),
        {"name": "Un autre nom", "logo_file": SimpleUploadedFile("logo.png", upload, content_type="image/png")},
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    stored = Organisation.load()
    assert (stored.name, bytes(stored.logo), stored.logo_type) == ("CIVICUS", PNG, "image/png")


def test_an_admin_removes_the_logo(admin_client) -> None:
    organisation = Organisation.objects.create(name="CIVICUS", logo=PNG, logo_type="image/png")
    change = reverse("admin:civicplan_organisation_change", args=[organisation.pk])
    response = admin_client.post(change, {"name": "CIVICUS", "remove_logo": "on"})
    assert response.status_code == 302
    stored = Organisation.load()
    assert (bytes(stored.logo), stored.logo_type) == (b"", "")


# --- On the reports' covers ---------------------------------------------------------------


def test_a_report_cover_shows_the_organisation_once_an_admin_has_set_it(client, users) -> None:
    client.force_login(users["board"])
    url = reverse("reporting:quarterly", args=["2022-23", 3])
    page = client.get(url).content.decode()
    assert "cover-organisation" not in page  # none set: no name, no logo, nothing broken

    organisation = Organisation.objects.create(name="CIVICUS")
    page = client.get(url).content.decode()
    assert '<p class="cover-organisation-name">CIVICUS</p>' in page
    assert "cover-logo" not in page

    organisation.logo, organisation.logo_type = PNG, "image/png"
    organisation.save()
    page = client.get(url).content.decode()
    # A browser takes the logo inline (srcset); src is the address only the PDF renderer serves.
    assert f'src="{LOGO_URL}" srcset="{organisation.logo_data_uri} 1x" alt="Logo of CIVICUS"' in page


def test_the_years_report_names_the_organisation_on_its_cover(client, demo_progress, django_user_model):
    Organisation.objects.create(name="Une alliance mondiale")
    client.force_login(django_user_model.objects.get(username="board"))
    page = client.get(reverse("reporting:years", args=["2022-2027"])).content.decode()
    assert 'class="cover-organisation-name">Une alliance mondiale<' in page
