"""The plan's own text in the reader's language (django-modeltranslation's columns, one per
language of settings.LANGUAGES), and which language a text shown actually is in: a missing
translation falls back to the default language, and the pages say so."""

import functools

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import get_language_info, override
from django.utils.translation import gettext as _
from modeltranslation.fields import TranslationField
from modeltranslation.settings import AVAILABLE_LANGUAGES, DEFAULT_LANGUAGE
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order


class Text(str):
    """A text of the plan, as read for a reader, with the language it is in."""

    language: str

    def __new__(cls, value: str, language: str):
        text = super().__new__(cls, value)
        text.language = language
        return text

    def __reduce__(self):
        return (Text, (str(self), self.language))

    def __repr__(self) -> str:
        # With its language: what is kept by the repr of what it is made of (a chart, a
        # report's section) is made again when a text's translation is written or removed.
        return f"Text({str(self)!r}, {self.language!r})"

    @property
    def is_fallback(self) -> bool:
        """Shown in another language than the reader's (its translation is missing)."""
        return bool(self) and self.language != get_language()


def translated(obj, field: str) -> Text:
    """``obj``'s ``field`` in the reader's language, else in its fallback (the default
    language), with the language it was found in. Reads the columns already loaded: no query."""
    reader = get_language()
    for language in resolution_order(reader):
        value = getattr(obj, build_localized_fieldname(field, language), None)
        if value:
            return Text(value, language)
    return Text("", reader)


def language_fields(field: str) -> list[str]:
    """The column of ``field`` in each language: ``title_fr``, ``title_en``."""
    return [build_localized_fieldname(field, language) for language in AVAILABLE_LANGUAGES]


def language_columns(name: str, column: str, field: str) -> list[tuple[str, str, str]]:
    """A spreadsheet's text ``name`` (its ``column``, for the model's ``field``), one per
    language: (``title_fr``, the column ``title_fr``, the model's ``title_fr``)..."""
    return [
        (build_localized_fieldname(name, language), build_localized_fieldname(column, language), localized)
        for language, localized in zip(AVAILABLE_LANGUAGES, language_fields(field), strict=True)
    ]


def language_name(language: str) -> str:
    """A language's name in that language ("français", "English")."""
    return get_language_info(language)["name_local"]


@functools.cache  # the same words for every text of that language: a page may show thousands
def fallback_marker(language: str) -> str:
    """What follows a text shown in ``language`` instead of the reader's: "(en français)",
    said in the text's own language."""
    with override(language):
        return "(%s)" % (_("in %(language)s") % {"language": language_name(language)})


def in_each_language(*fields: str) -> tuple[str, ...]:
    """The columns of translated ``fields``, each field's languages together, in the order
    of settings.LANGUAGES: what an edit form, a service or a spreadsheet writes, so that a
    text is only ever written into the language it is in."""
    return tuple(name for field in fields for name in language_fields(field))


def each_language(options: dict) -> dict:
    """Form options (widgets, help texts) given by field, repeated for each language's column."""
    return {name: value for field, value in options.items() for name in language_fields(field)}


def in_default_language(obj, field: str) -> str:
    """``obj``'s ``field`` as written (the default language's column, which is required)."""
    return getattr(obj, default_language_field(field)) or ""


def translation_of(model, name: str) -> tuple[str, str] | None:
    """(field, language) when ``name`` is a language's column of ``model``'s translated field."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if isinstance(field, TranslationField):
        return field.translated_field.name, field.language
    return None


def texts_of(obj, *fields: str) -> dict:
    """Every language's column of ``obj``'s ``fields``: what a copy of ``obj`` takes, so
    that each language is copied as it is (a missing translation stays missing)."""
    return {name: getattr(obj, name) for name in in_each_language(*fields)}


def default_language_field(field: str) -> str:
    """The default language's column of ``field`` (``title_fr`` on a French site)."""
    return build_localized_fieldname(field, DEFAULT_LANGUAGE)


def lookups_in_each_language(*lookups: str) -> list[str]:
    """Lookups ending in a translated field (``initiative__title``), one per language's column:
    an admin's search finds a text in any language, not only in the admin's own."""
    found = []
    for lookup in lookups:
        head, _sep, field = lookup.rpartition("__")
        found += [f"{head}__{name}" if head else name for name in language_fields(field)]
    return found


def translated_fields(model) -> set[str]:
    """The names of ``model``'s translated fields (``title``...), none if it has none."""
    from modeltranslation.translator import NotRegistered, translator

    try:
        return set(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return set()
