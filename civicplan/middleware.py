"""Project middleware."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers


class NoStoreForSignedInMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in user.

    Pages, reports and downloads carry notes on people that must not outlive the session in
    the browser's cache, on a shared computer or in a proxy. Only the header changes, so
    downloads (PDF, XLSX, iCalendar) are delivered as before; the header is added to, never
    replaced (a view's own ``no-cache`` stays).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True)
        return response


class SiteLanguageMiddleware:
    """The interface language: the one the reader chose with the language switch (the cookie
    Django's ``set_language`` sets), else the site's ``LANGUAGE_CODE``.

    Django's ``LocaleMiddleware`` would fall back on the browser's ``Accept-Language`` first:
    an alliance whose site speaks French would greet a board member whose laptop is set to
    English in English, against the site's setting. A browser's language is not a choice the
    reader made here; the switch in the header is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def chosen_language(request) -> str | None:
    """The supported language the reader's language cookie names, or None."""
    value = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if not value:
        return None
    try:
        return translation.get_supported_language_variant(value)
    except LookupError:
        return None
