from django.contrib import admin
from django.core.exceptions import PermissionDenied
from modeltranslation.admin import TranslationAdmin

from civicplan.admin import HistoryAdmin

from .meetings import agenda_renumber
from .models import AGENDA_MAX, AgendaItem, AnnualReview, BoardMeeting, BoardUpdate

# What publishing sets, shown but never typed here.
PUBLICATION_FIELDS = [
    "state",
    "author",
    "published_at",
    "published_by",
    "language",
    "fingerprint",
    "html_sha256",
    "pdf_sha256",
]


class PublishedAdmin(TranslationAdmin, HistoryAdmin):
    """What editors publish is written and published in the site (Reports); the admin reads
    it and may correct a draft, its texts in each language. A published record is frozen
    here too."""

    list_filter = ["annual_plan", "state"]

    def has_change_permission(self, request, obj=None):
        # A published record is read, never changed: the admin shows it read-only and
        # refuses a POST (403), so not even its timestamps move.
        if obj is not None and obj.published:
            return False
        return super().has_change_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The history page's "revert" form saves an old version: for a published record
        # that would un-publish it (every earlier version is a draft).
        record = self.get_object(request, object_id)
        if request.method == "POST" and (record is None or record.published):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.published

    def has_add_permission(self, request):
        return False


@admin.register(BoardUpdate)
class BoardUpdateAdmin(PublishedAdmin):
    list_display = ["annual_plan", "quarter", "state", "published_at", "published_by", "fingerprint"]
    readonly_fields = [*PUBLICATION_FIELDS, "since_quarter"]
    fields = ["annual_plan", "quarter", "message", "highlights", *readonly_fields]


@admin.register(AnnualReview)
class AnnualReviewAdmin(PublishedAdmin):
    list_display = ["annual_plan", "state", "published_at", "published_by", "fingerprint"]
    readonly_fields = PUBLICATION_FIELDS
    fields = ["annual_plan", "lessons", *readonly_fields]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ["order", "title", "presenter", "notes"]
    extra = 1
    max_num = AGENDA_MAX


@admin.register(BoardMeeting)
class BoardMeetingAdmin(HistoryAdmin):
    """The board's meetings, with their agenda inline. The model's rules hold here as on the
    site (the quarter and the priority are the meeting's plan's, plain text, lengths); the
    items are numbered 1, 2, 3... in the order typed once saved, as the site numbers them."""

    list_display = ["date", "title", "annual_plan", "quarter", "priority"]
    list_filter = ["annual_plan"]
    search_fields = ["title", "place", "agenda_items__title"]
    date_hierarchy = "date"
    fields = ["annual_plan", "date", "title", "place", "quarter", "priority", "version"]
    readonly_fields = ["version"]
    list_select_related = ["annual_plan", "quarter__annual_plan", "priority"]
    inlines = [AgendaItemInline]

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1  # as the site's service does: a form open elsewhere is now stale
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        agenda_renumber(form.instance)
