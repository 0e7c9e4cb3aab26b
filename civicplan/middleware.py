"""Project middleware."""

from django.utils.cache import patch_cache_control


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
