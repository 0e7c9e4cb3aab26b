import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
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
