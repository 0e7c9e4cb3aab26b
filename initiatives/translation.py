"""The initiatives' and indicators' text in each of settings.LANGUAGES (see
priorities/translation.py)."""

from priorities.translation import PlanTextOptions, register_with_history, required_in_default_language

from .models import Indicator, Initiative


class InitiativeTranslation(PlanTextOptions):
    fields = ("title", "description")
    required_languages = required_in_default_language("title")


register_with_history(Initiative, InitiativeTranslation)


class IndicatorTranslation(PlanTextOptions):
    fields = ("name", "unit", "description")
    required_languages = required_in_default_language("name")


register_with_history(Indicator, IndicatorTranslation)
