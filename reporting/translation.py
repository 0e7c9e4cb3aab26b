"""What editors write for the board in each of settings.LANGUAGES (see
priorities/translation.py): a board update's message and highlights, the annual report's
lessons learned, the default language's required, the others optional."""

from priorities.translation import PlanTextOptions, register_with_history, required_in_default_language

from .models import AnnualReview, BoardUpdate


class BoardUpdateTranslation(PlanTextOptions):
    fields = ("message", "highlights")
    required_languages = required_in_default_language("message")


register_with_history(BoardUpdate, BoardUpdateTranslation)


class AnnualReviewTranslation(PlanTextOptions):
    fields = ("lessons",)
    required_languages = required_in_default_language("lessons")


register_with_history(AnnualReview, AnnualReviewTranslation)
