from django.contrib import admin
from django.core.exceptions import PermissionDenied

from civicplan.admin import HistoryAdmin

from .models import BoardUpdate


@admin.register(BoardUpdate)
class BoardUpdateAdmin(HistoryAdmin):
    """Board updates are written and published in the site (Reports); the admin reads them
    and may correct a draft. A published update is frozen here too."""

    list_display = ["annual_plan", "quarter", "state", "published_at", "published_by", "fingerprint"]
    list_filter = ["annual_plan", "state"]
    # What publishing sets, shown but never typed here.
    readonly_fields = [
        "state",
        "author",
        "published_at",
        "published_by",
        "since_quarter",
        "language",
        "fingerprint",
        "html_sha256",
        "pdf_sha256",
    ]
    fields = ["annual_plan", "quarter", "message", "highlights", *readonly_fields]

    def has_change_permission(self, request, obj=None):
        # A published update is read, never changed: the admin shows it read-only and
        # refuses a POST (403), so not even its timestamps move.
        if obj is not None and obj.published:
            return False
        return super().has_change_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The history page's "revert" form saves an old version: for a published update
        # that would un-publish it (every earlier version is a draft).
        update = self.get_object(request, object_id)
        if request.method == "POST" and (update is None or update.published):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.published

    def has_add_permission(self, request):
        return False
