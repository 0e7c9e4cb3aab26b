from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BoardUpdate


@admin.register(BoardUpdate)
class BoardUpdateAdmin(SimpleHistoryAdmin):
    """Board updates are written and published in the site (Reports); the admin reads them
    and may correct a draft. A published update is frozen here too."""

    list_display = ["annual_plan", "quarter", "state", "published_at", "published_by", "fingerprint"]
    list_filter = ["annual_plan", "state"]
    fields = [
        "annual_plan",
        "quarter",
        "message",
        "highlights",
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

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.published:
            return self.fields
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.published

    def has_add_permission(self, request):
        return False
