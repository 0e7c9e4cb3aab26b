"""Validators for the free text people type in the browser.

civicplan's rule is plain text everywhere, escaped on output: a ``<script>`` typed in a
narrative is shown as those characters, never run. These validators refuse, with a
reason a person can act on, what is never meant as plain text:

- ``no_bidi_controls``: the invisible characters that reorder text on screen ("Trojan
  source"): a board member would read something other than what is stored;
- ``no_markup``: HTML tags, which would show as tags in the reports, the PDF and the
  spreadsheets; a "<" in ordinary text ("< 5 %", "a < b") stays allowed.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

# U+202A-U+202E (embeddings, overrides, pop) and U+2066-U+2069 (isolates).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# What an HTML parser reads as the start of a tag, a comment or a declaration: "<"
# directly followed by a letter, "/", "!" or "?". A "<" followed by a space, a digit or
# a sign is text to every browser ("< 5 %", "a < b", "<3"), so it is not refused.
MARKUP = re.compile(r"<[a-zA-Z!/?]")
TAG_NAME = re.compile(r"<[!/?]?[\w-]{0,30}")


def no_bidi_controls(value: str) -> None:
    found = sorted({char for char in value if char in BIDI_CONTROLS})
    if found:
        raise ValidationError(
            _(
                "The text contains invisible direction-control characters (%(codes)s), which can make it read "
                "differently from what is stored; remove them."
            ),
            params={"codes": ", ".join(f"U+{ord(char):04X}" for char in found)},
            code="bidi_control",
        )


def no_markup(value: str) -> None:
    match = MARKUP.search(value)
    if match:
        tag = TAG_NAME.match(value, match.start()).group()
        raise ValidationError(
            _(
                "Write plain text: the text contains an HTML tag («%(tag)s…»), and tags are not allowed. "
                "A “<” followed by a space or a number is fine."
            ),
            params={"tag": tag},
            code="markup",
        )


TEXT_MAX = 10_000


def no_hidden_controls(value: str) -> None:
    """No invisible characters: direction controls (with their own message) and control
    characters other than line breaks and tabs. NUL is left to Django's CharField, which
    refuses it with its own message."""
    no_bidi_controls(value)
    for char in value:
        if unicodedata.category(char) == "Cc" and char not in "\n\r\t\x00":
            raise ValidationError(
                _("The text holds an invisible control character (U+%(code)04X); remove it."),
                params={"code": ord(char)},
                code="control_character",
            )


def plain_text() -> list:
    """The rules of a text people write (a model's field, so that every path keeps them:
    the site, the admin, an import): plain text, no invisible controls, at most TEXT_MAX."""
    return [no_hidden_controls, no_markup, MaxLengthValidator(TEXT_MAX)]


def plain_title() -> list:
    """The rules of a title or a name (a model's field, as plain_text): plain text, no
    invisible controls; its length is the field's own ``max_length``."""
    return [no_hidden_controls, no_markup]
