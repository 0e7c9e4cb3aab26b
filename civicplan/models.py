"""What the models of every app share, and the site-wide organisation whose plan this is."""

import base64
import io
import math
import re

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as defused_et
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image

from .validators import plain_text


class NaturalKeyManager(models.Manager):
    """Finds a row by its natural key (fixtures, backups, spreadsheets): the values of
    ``lookups``, in the order the model's ``natural_key()`` gives them."""

    def __init__(self, *lookups: str) -> None:
        super().__init__()
        self.lookups = lookups

    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.lookups, key, strict=True)))


# --- The organisation whose plan this is --------------------------------------------------

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 4096 * 4096
LOGO_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/svg+xml": "SVG"}
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# What in an SVG runs code, embeds another document or image, or changes a link once drawn.
SVG_REFUSED_ELEMENTS = frozenset(
    {"script", "foreignObject", "iframe", "embed", "object", "audio", "video", "handler", "listener", "image"}
    | {"animate", "set"}
)
# A reference to an element of the same SVG ("#gradient") is fine; anything else points outside it.
_OUTSIDE_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


class Organisation(models.Model):
    """The organisation whose plan civicplan holds: its name and logo on the cover of every
    report. One row at most (its id is always ``ONE``), which an admin sets once; without
    it the covers carry neither.

    The logo is kept in the database, as the rest of what people upload: several app servers
    share no disk. It is checked by its content, never its file name: a PNG, a JPEG, or an
    SVG without scripts, event handlers, embedded documents or references outside itself.
    """

    ONE = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ONE, editable=False)
    name = models.CharField(_("name"), max_length=200, validators=plain_text())
    logo = models.BinaryField(_("logo"), blank=True, default=b"", editable=False)
    logo_type = models.CharField(
        _("logo's type"), max_length=20, blank=True, default="", editable=False, choices=[(t, t) for t in LOGO_TYPES]
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisation")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="organisation_is_one_row"),
            models.CheckConstraint(
                condition=models.Q(logo_type__in=["", *LOGO_TYPES]), name="organisation_logo_type_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        logo = bytes(self.logo or b"")
        if not logo:
            if self.logo_type:
                raise ValidationError({"logo_type": _("There is no logo to have a type.")})
            return
        if logo_content_type(logo) != self.logo_type:
            raise ValidationError({"logo_type": _("The logo's type is not what its content is.")})

    @classmethod
    def load(cls) -> "Organisation | None":
        """The organisation, or None when no admin has set it yet. One query."""
        return cls.objects.filter(pk=cls.ONE).first()

    @property
    def logo_data_uri(self) -> str:
        """The logo inline (``data:``): what a page or a stored document shows without
        asking the server again, and keeps whatever becomes of the logo later."""
        if not self.logo:
            return ""
        return f"data:{self.logo_type};base64,{base64.b64encode(bytes(self.logo)).decode('ascii')}"


def logo_content_type(data: bytes) -> str:
    """The content type of a logo, read from its bytes; ValidationError with the reason a
    person can act on when it is not one civicplan accepts (nothing is saved then)."""
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is %(size)s KB; it may be %(limit)s KB at most."),
            params={"size": math.ceil(len(data) / 1024), "limit": LOGO_MAX_BYTES // 1024},
            code="logo_too_large",
        )
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"):
        return _raster_type(data)
    if _looks_like_svg(data):
        _check_svg(data)
        return "image/svg+xml"
    raise ValidationError(
        _("The logo must be a PNG, JPEG or SVG image; this file is none of them (whatever its name says)."),
        code="logo_type",
    )


def _raster_type(data: bytes) -> str:
    unreadable = ValidationError(_("The logo cannot be read as an image: the file is damaged."), code="logo_damaged")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise unreadable from None
    if width * height > LOGO_MAX_PIXELS:
        raise ValidationError(
            _("The logo is %(width)d × %(height)d pixels; a logo of at most %(side)d × %(side)d is plenty."),
            params={"width": width, "height": height, "side": math.isqrt(LOGO_MAX_PIXELS)},
            code="logo_too_large",
        )
    for content_type, name in LOGO_TYPES.items():
        if name == kind:
            return content_type
    raise unreadable


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg"))


def _check_svg(data: bytes) -> None:
    def refused(reason: str) -> ValidationError:
        return ValidationError(
            _("The SVG logo is refused: %(reason)s. Export it as plain shapes and text, or upload a PNG."),
            params={"reason": reason},
            code="logo_svg_refused",
        )

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise refused(_("it is not UTF-8 text")) from None
    if re.search(r"<\?xml-stylesheet", text, re.IGNORECASE):
        raise refused(_("it links a stylesheet"))
    try:
        root = defused_et.fromstring(data)
    except (defused_et.ParseError, DefusedXmlException):
        # DefusedXmlException: a DTD or entities, which can read files or grow without end.
        raise refused(_("it is not well-formed XML without a DTD")) from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise refused(_("it is not an SVG image"))
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if name in SVG_REFUSED_ELEMENTS:
            raise refused(_("it holds a <%(element)s> element") % {"element": name})
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1]
            if local.lower().startswith("on"):
                raise refused(_("it holds a script (%(attribute)s)") % {"attribute": local})
            if (attribute == XLINK_HREF or local == "href") and not value.strip().startswith("#"):
                raise refused(_("it refers to something outside itself"))
            if _OUTSIDE_URL.search(value):
                raise refused(_("it refers to something outside itself"))
        if name == "style" and element.text and (_OUTSIDE_URL.search(element.text) or "@import" in element.text):
            raise refused(_("its stylesheet refers to something outside itself"))


# --- The version of the data reports read ---------------------------------------------------


class DataVersion(models.Model):
    """One row: a token that changes whenever anything a report reads changes
    (civicplan.versions). Reports are stored under it (reporting.stored): a new token, and
    every reader's next report is made again; the same token, and the stored one is served.

    A random token, not a counter: a counter could come back to a value it had (a restored
    database starts again from its backup's), and a document stored under that value would
    then be served for other data."""

    ONE = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ONE, editable=False)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("data version")

    def __str__(self) -> str:
        return self.token
