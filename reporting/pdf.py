"""HTML to PDF, through WeasyPrint; the only module of the project that imports it.

WeasyPrint's default URL fetcher opens any URL a document names: ``file://`` reads the
server's disk and ``http(s)://`` reaches the network (including internal addresses).
Report HTML carries user-entered text: with that fetcher, a ``<link rel="attachment"
href="file:///etc/passwd">`` in a page embedded the server's file in the PDF. Pages are therefore rendered
against a pseudo-origin that does not exist, and the only URLs served are that origin's
static files, read from the static files on disk, and one address that is not a file at
all, ``LOGO_URL``: the organisation's logo, read from the database (a report's cover shows
it). Every other URL fails to load and is skipped, and nothing ever touches the network.
"""

import logging
import mimetypes
import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.utils._os import safe_join
from weasyprint.urls import URLFetcher, URLFetcherResponse

from civicplan.models import Organisation, logo_content_type

logger = logging.getLogger(__name__)

PDF_BASE_URL = "https://civicplan.invalid/"
# The organisation's logo, from the database: the one URL served that is not a static file.
LOGO_URL = PDF_BASE_URL + "organisation/logo"

# Encoded ".", "/", "\", "%" or NUL: only ever useful to smuggle a traversal past the checks.
_ENCODED_SEPARATOR = re.compile(r"%(2e|2f|5c|25|00)", re.IGNORECASE)


class RefusedURLError(ValueError):
    """A URL the PDF renderer does not fetch.

    A plain Exception, never weasyprint's FatalURLFetchingError: WeasyPrint then logs the
    failure and skips the resource instead of aborting the whole render.
    """


class StaticOnlyFetcher(URLFetcher):
    """Serves the project's static files under PDF_BASE_URL + STATIC_URL and the
    organisation's logo at LOGO_URL, and nothing else."""

    def __init__(self, logo: tuple[bytes, str] | RefusedURLError | None = None) -> None:
        # fail_on_errors=False is what makes WeasyPrint skip a refused resource.
        super().__init__(fail_on_errors=False)
        # The logo as render_pdf read it (its bytes and type, or why it is refused); None:
        # read from the database when the document asks for it.
        self.logo = logo

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        try:
            if url == LOGO_URL:
                logo = self.logo if self.logo is not None else _logo_or_refusal()
                if isinstance(logo, RefusedURLError):
                    raise logo
                body, content_type = logo
            else:
                path = _static_file(url)
                body = path.read_bytes()
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        except RefusedURLError as error:
            # Truncated: a data: URL may carry a whole document.
            logger.warning("PDF rendering refused to fetch %.200s: %s", url, error)
            raise
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})


def _logo() -> tuple[bytes, str]:
    """The organisation's logo and its content type, or RefusedURLError. Its type is read
    again from its bytes, whatever wrote them (an admin checks them; a restore does not)."""
    row = Organisation.objects.filter(pk=Organisation.ONE).values_list("logo", flat=True).first()
    logo = bytes(row or b"")
    if not logo:
        raise RefusedURLError("no organisation logo")
    try:
        return logo, logo_content_type(logo)
    except ValidationError as error:
        raise RefusedURLError("the organisation logo is not an image civicplan accepts") from error


def _logo_or_refusal() -> tuple[bytes, str] | RefusedURLError:
    try:
        return _logo()
    except RefusedURLError as refusal:
        return refusal


def _static_file(url: str) -> Path:
    """The static file a URL names, or RefusedURLError."""
    static = urlsplit(urljoin(PDF_BASE_URL, settings.STATIC_URL))
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise RefusedURLError("malformed URL") from error
    if (parts.scheme, parts.netloc) != (static.scheme, static.netloc) or not parts.path.startswith(static.path):
        raise RefusedURLError("not a static file URL")
    raw = parts.path.removeprefix(static.path)
    relative = unquote(raw)
    if (
        _ENCODED_SEPARATOR.search(raw)
        or "\\" in relative
        or "\0" in relative
        or relative.startswith("/")
        or posixpath.normpath(relative) != relative
        or ".." in relative.split("/")
    ):
        raise RefusedURLError("unsafe static path")
    try:
        found = finders.find(relative)
        if not found and settings.STATIC_ROOT:
            # Deployments that serve collectstatic's output may have no finder for it.
            found = safe_join(settings.STATIC_ROOT, relative)
    except SuspiciousFileOperation as error:
        raise RefusedURLError("unsafe static path") from error
    if not found or not Path(found).is_file():
        raise RefusedURLError("no such static file")
    return Path(found)


# PDF/UA-1: a tagged PDF (a structure tree of headings, tables, lists and paragraphs, the
# document's language and title) that a screen reader can read.
PDF_VARIANT = "pdf/ua-1"

# The same HTML makes the same bytes (a stored report's ETag is its SHA-256). WeasyPrint
# embeds font subsets made by fontTools, which stamps each with the clock unless the
# reproducible-builds variable names the time to write instead.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")


def render_pdf(html: str) -> bytes:
    """HTML (a full document rendered by a Django template) -> PDF bytes, tagged. The logo
    is read first, if the document names it: what WeasyPrint then does depends on the two
    arguments of ``write_pdf`` alone."""
    return write_pdf(html, _logo_or_refusal() if LOGO_URL in html else None)


def write_pdf(html: str, logo: tuple[bytes, str] | RefusedURLError | None) -> bytes:
    document = weasyprint.HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher(logo))
    return document.write_pdf(pdf_variant=PDF_VARIANT)
