import hashlib
import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.i18n import set_language

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_safe
# Outside ATOMIC_REQUESTS: opening the request's transaction would fail first, with a 500.
@transaction.non_atomic_requests
def healthz(request):
    """Up, and the database answers (200, or 503): for load balancers and monitors, no sign-in."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


# The language switch works on the sign-in page too.
login_not_required_set_language = login_not_required(set_language)


def _over_the_limit(key: str, limit: int) -> bool:
    """Count one more for ``key`` this hour (in the shared cache); whether that is too many."""
    cache.add(key, 0, timeout=60 * 60)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add() and incr(): this is the first of a new hour
        cache.set(key, 1, timeout=60 * 60)
        return limit < 1


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with a limit: at most PASSWORD_RESET_PER_ADDRESS e-mails an hour to one
    address, and PASSWORD_RESET_PER_CLIENT requests an hour from one client, so that
    nobody floods a person's inbox through the form. Beyond it, the answer is the same
    page as ever (it tells no one whether an e-mail went), and nothing is sent."""

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().lower()
        client = get_client_ip_address(self.request) or "unknown"
        per_address = _over_the_limit(
            f"password-reset:address:{hashlib.sha256(address.encode()).hexdigest()}",
            settings.PASSWORD_RESET_PER_ADDRESS,
        )
        per_client = _over_the_limit(f"password-reset:client:{client}", settings.PASSWORD_RESET_PER_CLIENT)
        if per_address or per_client:
            logger.warning(
                "Password reset not sent: over the hourly limit (%s)", "address" if per_address else "client"
            )
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
