"""The plan's own text in each of settings.LANGUAGES (django-modeltranslation): a column per
language next to the original (``title_fr``, ``title_en``), the default language's required
where the original is, the others optional (a missing one falls back to the default)."""

from django.db.models import CheckConstraint
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from modeltranslation.settings import AVAILABLE_LANGUAGES, DEFAULT_LANGUAGE
from modeltranslation.translator import TranslationOptions, translator
from modeltranslation.utils import build_localized_fieldname

from .models import (
    AnnualPlan,
    Event,
    ExpectedResult,
    KeyChange,
    LearningQuestion,
    OrganisationalPriority,
    StrategicPlan,
    StrategicPriority,
    max_length_check,
)


class PlanTextOptions(TranslationOptions):
    """The plan's text: see required_in_default_language."""


def register_with_history(model, options: type[TranslationOptions]) -> None:
    """Registers ``model``'s history too: django-simple-history records every column of the
    model, each language's among them, so its historical model needs them as well. Each
    language's column keeps the database's length check of the original (SQLite ignores
    ``max_length``)."""
    translator.register(model, options)
    translator.register(model.history.model, options)
    model._meta.constraints = [*model._meta.constraints, *_length_checks_in_each_language(model, options.fields)]


def _length_checks_in_each_language(model, fields):
    for constraint in model._meta.constraints:
        condition = getattr(constraint, "condition", None)
        if not (isinstance(constraint, CheckConstraint) and isinstance(condition, LessThanOrEqual)):
            continue
        if not isinstance(condition.lhs, Length):
            continue
        field = condition.lhs.source_expressions[0].name
        if field in fields:
            for language in AVAILABLE_LANGUAGES:
                name = f"{constraint.name}_{language}"
                yield max_length_check(build_localized_fieldname(field, language), condition.rhs, name)


def required_in_default_language(*fields: str) -> dict:
    """The default language's column is required where the original field is (a field
    listed here keeps the original's ``blank``); every other language's is optional."""
    return {DEFAULT_LANGUAGE: fields, "default": ()}


class StrategicPlanTranslation(PlanTextOptions):
    fields = ("title", "overall_goal", "goal_description", "closing_statement")
    required_languages = required_in_default_language("title", "overall_goal")


register_with_history(StrategicPlan, StrategicPlanTranslation)


class KeyChangeTranslation(PlanTextOptions):
    fields = ("title", "description")
    required_languages = required_in_default_language("title", "description")


register_with_history(KeyChange, KeyChangeTranslation)


class AnnualPlanTranslation(PlanTextOptions):
    fields = ("title", "context", "monitoring", "calendar_note")
    required_languages = required_in_default_language("title")


register_with_history(AnnualPlan, AnnualPlanTranslation)


class StrategicPriorityTranslation(PlanTextOptions):
    fields = ("title", "short_title", "statement")
    required_languages = required_in_default_language("title", "short_title", "statement")


register_with_history(StrategicPriority, StrategicPriorityTranslation)


class PriorityItemTranslation(PlanTextOptions):
    fields = ("text",)
    required_languages = required_in_default_language("text")


# PriorityItem is abstract: its text is registered on each concrete model.
for item in (ExpectedResult, LearningQuestion):
    register_with_history(item, PriorityItemTranslation)


class OrganisationalPriorityTranslation(PlanTextOptions):
    fields = ("title", "description")
    required_languages = required_in_default_language("title", "description")


register_with_history(OrganisationalPriority, OrganisationalPriorityTranslation)


class EventTranslation(PlanTextOptions):
    fields = ("title", "description")
    required_languages = required_in_default_language("title")


register_with_history(Event, EventTranslation)
