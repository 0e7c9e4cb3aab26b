"""reporting.pdf: real PDFs, read back with pypdf.

Every hostile document is first rendered with WeasyPrint's default fetcher (the *_default_fetcher_* tests),
to show that it does leak a file or open a connection there: the render_pdf tests are then proof, not luck.
"""

import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
import weasyprint
from django.conf import settings as django_settings
from PIL import Image
from pypdf.generic import StreamObject
from weasyprint.urls import FatalURLFetchingError

from civicplan.models import Organisation
from reporting.pdf import LOGO_URL, PDF_BASE_URL, RefusedURLError, StaticOnlyFetcher, render_pdf
from tests.helpers import Listener

pytestmark = [pytest.mark.documents, pytest.mark.renderer]

MARKER = "cp-secret-4f0c9d2e-marker"
CIVICPLAN_CSS = Path(django_settings.BASE_DIR) / "static" / "civicplan" / "civicplan.css"


def page(body: str, head: str = "") -> str:
    return f'<!doctype html><html lang="fr"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


def default_render(html: str) -> bytes:
    """The same document through WeasyPrint's default fetcher, the one render_pdf must not use."""
    return weasyprint.HTML(string=html, base_url=PDF_BASE_URL).write_pdf()


def read(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    """The PDF's text, its line breaks and spaces collapsed to single spaces."""
    return " ".join(" ".join(p.extract_text() for p in read(pdf).pages).split())


def leaked(pdf: bytes) -> bool:
    """Whether the secret file went into the PDF: attached, drawn as an image, or anywhere in any stream."""
    reader = read(pdf)
    if reader.attachments or any(p.images for p in reader.pages):
        return True
    if MARKER.encode() in pdf or MARKER in text_of(pdf):
        return True
    for number in range(1, reader.trailer["/Size"]):
        obj = reader.get_object(number)
        if isinstance(obj, StreamObject) and MARKER.encode() in obj.get_data():
            return True
    return False


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # The default fetcher must reach 127.0.0.1 itself in the sanity tests, not an HTTP proxy.
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def secret_files(tmp_path: Path) -> dict[str, str]:
    """file:// URLs of files outside the static files: a text and a stylesheet holding MARKER, and a PNG."""
    text = tmp_path / "secret.txt"
    text.write_text(f"{MARKER}\n")
    css = tmp_path / "secret.css"
    css.write_text(f'p::before {{ content: "{MARKER} "; }}')
    image = tmp_path / "secret.png"
    Image.new("RGB", (20, 20), (200, 0, 0)).save(image)
    return {"text": text.as_uri(), "css": css.as_uri(), "image": image.as_uri()}


FILE_VECTORS = {
    "link-attachment": ("", '<link rel="attachment" href="{text}">'),
    "a-attachment": ('<p><a rel="attachment" href="{text}">annexe</a></p>', ""),
    "img": ('<img src="{image}">', ""),
    "object": ('<object data="{image}" type="image/png"></object>', ""),
    "embed": ('<embed src="{image}" type="image/png">', ""),
    "svg-image": ('<svg width="20" height="20"><image href="{image}" width="20" height="20"/></svg>', ""),
    "css-content": ("", '<style>p::before {{ content: url("{image}"); }}</style>'),
    "css-stylesheet": ("", '<link rel="stylesheet" href="{css}">'),
}


def file_vector(name: str, urls: dict[str, str]) -> str:
    body, head = FILE_VECTORS[name]
    return page(body.format(**urls) + "<p>Rapport</p>", head.format(**urls))


@pytest.mark.parametrize("vector", FILE_VECTORS)
def test_the_default_fetcher_reads_local_files(vector: str, secret_files: dict[str, str]) -> None:
    assert leaked(default_render(file_vector(vector, secret_files)))


@pytest.mark.parametrize("vector", FILE_VECTORS)
def test_render_pdf_reads_no_local_file(vector: str, secret_files: dict[str, str]) -> None:
    pdf = render_pdf(file_vector(vector, secret_files))
    assert not leaked(pdf)
    assert read(pdf).attachments == {}
    assert MARKER.encode() not in pdf
    assert "Rapport" in text_of(pdf)


def test_the_default_fetcher_embeds_etc_passwd() -> None:
    pdf = default_render(page("<p>Rapport</p>", '<link rel="attachment" href="file:///etc/passwd">'))
    assert b"root:" in read(pdf).attachments["passwd"][0]


def test_render_pdf_does_not_embed_etc_passwd(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="reporting.pdf"):
        pdf = render_pdf(page("<p>Rapport</p>", '<link rel="attachment" href="file:///etc/passwd">'))
    assert read(pdf).attachments == {}
    assert b"root:" not in pdf
    assert "Rapport" in text_of(pdf)
    assert any("file:///etc/passwd" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


NETWORK_VECTORS = {
    "style-block": ("<p class=bg>Rapport</p>", "<style>.bg {{ background: url(http://127.0.0.1:{port}/x) }}</style>"),
    "style-attribute": ('<p style="background-image: url(http://127.0.0.1:{port}/a)">Rapport</p>', ""),
    "import": ("<p>Rapport</p>", "<style>@import url(http://127.0.0.1:{port}/y);</style>"),
    "font-face": (
        "<p>Rapport</p>",
        "<style>@font-face {{ font-family: Leak; src: url(http://127.0.0.1:{port}/f.woff2) }}"
        " p {{ font-family: Leak, sans-serif }}</style>",
    ),
    "img": ('<p>Rapport</p><img src="http://127.0.0.1:{port}/z">', ""),
    "link-stylesheet": ("<p>Rapport</p>", '<link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">'),
    "link-attachment": ("<p>Rapport</p>", '<link rel="attachment" href="http://127.0.0.1:{port}/att">'),
}


def network_vector(name: str, port: int) -> str:
    body, head = NETWORK_VECTORS[name]
    return page(body.format(port=port), head.format(port=port))


@pytest.mark.parametrize("vector", NETWORK_VECTORS)
def test_the_default_fetcher_connects_to_the_network(vector: str, listener: Listener) -> None:
    default_render(network_vector(vector, listener.port))
    assert listener.connections() > 0


@pytest.mark.parametrize("vector", NETWORK_VECTORS)
def test_render_pdf_never_connects_to_the_network(vector: str, listener: Listener) -> None:
    pdf = render_pdf(network_vector(vector, listener.port))
    assert listener.connections() == 0
    assert "Rapport" in text_of(pdf)


# static/ is BASE_DIR/static: one ".." up reaches the project's own files, e.g. civicplan/settings/base.py.
REFUSED_URLS = [
    PDF_BASE_URL + "static/../civicplan/settings/base.py",
    PDF_BASE_URL + "static/../../civicplan/settings/base.py",
    PDF_BASE_URL + "static/civicplan/../../civicplan/settings/base.py",
    PDF_BASE_URL + "static/%2e%2e/civicplan/settings/base.py",
    PDF_BASE_URL + "static/%2E%2E/%2E%2E/civicplan/settings/base.py",
    PDF_BASE_URL + "static/..%2fcivicplan%2fsettings%2fbase.py",
    PDF_BASE_URL + "static/%252e%252e/civicplan/settings/base.py",
    PDF_BASE_URL + "static/civicplan%2fcivicplan.css",
    PDF_BASE_URL + "static/..\\civicplan\\settings\\base.py",
    PDF_BASE_URL + "static/civicplan%5c..%5c..%5cmanage.py",
    PDF_BASE_URL + "static/civicplan/civicplan.css%00.png",
    PDF_BASE_URL + "static//etc/passwd",
    PDF_BASE_URL + "static/%2fetc/passwd",
    PDF_BASE_URL + f"static/{CIVICPLAN_CSS}",
    PDF_BASE_URL + "static/civicplan/",
    PDF_BASE_URL + "static/",
    PDF_BASE_URL + "static",
    PDF_BASE_URL + "static/civicplan/missing.css",
    PDF_BASE_URL + "etc/passwd",
    PDF_BASE_URL + "civicplan/settings/base.py",
    PDF_BASE_URL + "staticfoo/civicplan/civicplan.css",
    "https://civicplan.invalid:8443/static/civicplan/civicplan.css",
    "https://user@civicplan.invalid/static/civicplan/civicplan.css",
    "http://civicplan.invalid/static/civicplan/civicplan.css",
    "https://civicplan.invalid.evil.example/static/civicplan/civicplan.css",
    "https://evil.example/static/civicplan/civicplan.css",
    "http://127.0.0.1/static/civicplan/civicplan.css",
    "file:///etc/passwd",
    CIVICPLAN_CSS.as_uri(),
    "data:text/css,body%7Bcolor:red%7D",
    "ftp://127.0.0.1/static/civicplan/civicplan.css",
    "static/civicplan/civicplan.css",
    "/static/civicplan/civicplan.css",
    "",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_the_fetcher_refuses(url: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="reporting.pdf"), pytest.raises(Exception) as refused:
        StaticOnlyFetcher().fetch(url)
    # An ordinary Exception makes WeasyPrint skip the resource; a FatalURLFetchingError would abort the render.
    assert not isinstance(refused.value, FatalURLFetchingError)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


def test_a_traversal_in_a_stylesheet_link_is_skipped(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="reporting.pdf"):
        pdf = render_pdf(
            page("<p>Rapport</p>", '<link rel="stylesheet" href="/static/../../civicplan/settings/base.py">')
        )
    assert "Rapport" in text_of(pdf)
    # WeasyPrint resolves the dot segments against the pseudo-origin before it asks the fetcher.
    assert any(PDF_BASE_URL + "civicplan/settings/base.py" in r.getMessage() for r in caplog.records)


def test_the_fetcher_serves_a_static_file() -> None:
    response = StaticOnlyFetcher().fetch(PDF_BASE_URL + "static/civicplan/civicplan.css")
    assert response.read() == CIVICPLAN_CSS.read_bytes()
    assert response.content_type == "text/css"


def test_the_fetcher_falls_back_to_static_root(settings, tmp_path: Path) -> None:
    settings.STATIC_ROOT = tmp_path / "collected"
    (tmp_path / "collected" / "reports").mkdir(parents=True)
    (tmp_path / "collected" / "reports" / "logo.png").write_bytes(b"\x89PNG collected")
    response = StaticOnlyFetcher().fetch(PDF_BASE_URL + "static/reports/logo.png")
    assert response.read() == b"\x89PNG collected"
    assert response.content_type == "image/png"


def test_render_pdf_with_the_project_stylesheet() -> None:
    pdf = render_pdf(page("<p>Rapport</p>", '<link rel="stylesheet" href="/static/civicplan/civicplan.css">'))
    assert "Rapport" in text_of(pdf)


def test_render_pdf_applies_a_static_stylesheet(settings, tmp_path: Path) -> None:
    (tmp_path / "print").mkdir()
    (tmp_path / "print" / "print.css").write_text('p::before { content: "Appliquée "; }', encoding="utf-8")
    settings.STATICFILES_DIRS = [tmp_path]
    pdf = render_pdf(page("<p>Rapport</p>", f'<link rel="stylesheet" href="{settings.STATIC_URL}print/print.css">'))
    assert "Appliquée Rapport" in text_of(pdf)


def test_render_pdf_keeps_french_accents() -> None:
    pdf = render_pdf(page("<h1>Priorité stratégique, élargir l’espace civique</h1>"))
    assert "Priorité stratégique, élargir l’espace civique" in text_of(pdf)


def test_the_same_document_makes_the_same_bytes_a_day_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored report's ETag is its PDF's SHA-256: a PDF made again from the same HTML
    (after a change the report does not read) must be byte for byte the one the reader has,
    whatever the clock says (embedded fonts were stamped with it)."""
    document = page("<h1>Rapport trimestriel</h1><p>Réseau « mondial » : 12 initiatives.</p>")
    first = render_pdf(document)
    today = time.time()
    monkeypatch.setattr(time, "time", lambda: today + 86_400)
    assert render_pdf(document) == first


def test_render_pdf_a_very_long_paragraph() -> None:
    words = "élargir l’espace civique " * 8000
    pdf = render_pdf(page(f"<p>{words[:200_000]}</p>"))
    assert len(read(pdf).pages) > 10
    assert "espace civique" in read(pdf).pages[-1].extract_text()


# --- The organisation's logo: the one address served from the database --------------------


def png_logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 12), (29, 78, 216)).save(buffer, format="PNG")
    return buffer.getvalue()


SVG_LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" width="30" height="12"><rect width="30" height="12"/></svg>'


@pytest.fixture
def organisation(db) -> Organisation:
    return Organisation.objects.create(name="CIVICUS", logo=png_logo(), logo_type="image/png")


def test_the_logo_url_is_under_the_pseudo_origin() -> None:
    assert LOGO_URL == PDF_BASE_URL + "organisation/logo"


def test_the_fetcher_serves_the_organisation_logo_from_the_database(organisation: Organisation) -> None:
    response = StaticOnlyFetcher().fetch(LOGO_URL)
    assert response.read() == png_logo()
    assert response.content_type == "image/png"


def test_the_fetcher_serves_an_svg_logo_as_svg(organisation: Organisation) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(logo=SVG_LOGO, logo_type="image/svg+xml")
    response = StaticOnlyFetcher().fetch(LOGO_URL)
    assert (response.read(), response.content_type) == (SVG_LOGO, "image/svg+xml")


@pytest.mark.parametrize("state", ["no organisation", "no logo"])
def test_without_a_logo_the_logo_url_is_refused(db, state: str, caplog: pytest.LogCaptureFixture) -> None:
    if state == "no logo":
        Organisation.objects.create(name="CIVICUS")
    with caplog.at_level(logging.WARNING, logger="reporting.pdf"), pytest.raises(Exception) as refused:
        StaticOnlyFetcher().fetch(LOGO_URL)
    assert not isinstance(refused.value, FatalURLFetchingError)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


# What an admin's checks refuse, written by another path (a restore, a shell): read again
# when it is served, and refused.
UNSAFE_LOGOS = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "external image": b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>',
    "not an image": b"root:x:0:0:root:/root:/bin/bash",
}


@pytest.mark.parametrize("logo", UNSAFE_LOGOS.values(), ids=UNSAFE_LOGOS)
def test_a_logo_written_past_the_checks_is_refused(organisation: Organisation, logo: bytes) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(logo=logo, logo_type="image/svg+xml")
    with pytest.raises(RefusedURLError):
        StaticOnlyFetcher().fetch(LOGO_URL)


# Near misses of LOGO_URL: only the exact address is the logo; the rest are what they were
# before it existed (not static files: refused).
NEAR_LOGO_URLS = [
    LOGO_URL + "/",
    LOGO_URL + ".png",
    LOGO_URL + "?size=2",
    LOGO_URL + "#top",
    LOGO_URL + "%00",
    LOGO_URL.upper(),
    PDF_BASE_URL + "organisation/Logo",
    PDF_BASE_URL + "organisation/",
    PDF_BASE_URL + "organisation",
    PDF_BASE_URL + "organisation/logo/../logo",
    PDF_BASE_URL + "static/../organisation/logo",
    PDF_BASE_URL + "organisation/name",
    "http://civicplan.invalid/organisation/logo",
    "https://civicplan.invalid:443/organisation/logo",
    "https://evil.example/organisation/logo",
    "file:///organisation/logo",
    "organisation/logo",
    "/organisation/logo",
]


@pytest.mark.parametrize("url", NEAR_LOGO_URLS)
def test_nothing_else_is_served_from_the_database(organisation: Organisation, url: str) -> None:
    with pytest.raises(RefusedURLError):
        StaticOnlyFetcher().fetch(url)


def test_render_pdf_draws_the_logo_from_the_database(organisation: Organisation) -> None:
    pdf = render_pdf(page(f'<p>Rapport</p><img src="{LOGO_URL}" alt="Logo de CIVICUS">'))
    assert len(read(pdf).pages[0].images) == 1
    assert "Rapport" in text_of(pdf)


def test_render_pdf_without_a_logo_draws_none_and_still_renders(db) -> None:
    pdf = render_pdf(page(f'<p>Rapport</p><img src="{LOGO_URL}" alt="">'))
    assert len(read(pdf).pages[0].images) == 0
    assert "Rapport" in text_of(pdf)
