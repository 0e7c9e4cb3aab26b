from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationInlineModelAdmin

from civicplan.admin import HistoryAdmin, SpreadsheetAdmin
from civicplan.admin_controls import NamedControlsAdmin, NamedStackedInline, NamedTabularInline
from civicplan.translations import lookups_in_each_language

from .models import (
    AnnualPlan,
    CalendarToken,
    Event,
    ExpectedResult,
    KeyChange,
    LearningQuestion,
    OrganisationalPriority,
    Quarter,
    QuarterLock,
    QuarterLockChange,
    ReportingRound,
    StrategicPlan,
    StrategicPriority,
)
from .resources import EventResource, ExpectedResultResource


class KeyChangeInline(TranslationInlineModelAdmin, NamedStackedInline):
    model = KeyChange
    extra = 0


@admin.register(StrategicPlan)
class StrategicPlanAdmin(TranslationAdmin, HistoryAdmin):
    list_display = ["title", "slug", "start_year", "end_year"]
    search_fields = lookups_in_each_language("title", "overall_goal")
    prepopulated_fields = {"slug": ["title"]}
    inlines = [KeyChangeInline]


class QuarterInline(NamedTabularInline):
    model = Quarter
    extra = 0
    max_num = 4
    fields = ["number", "start_date", "end_date"]


class OrganisationalPriorityInline(TranslationInlineModelAdmin, NamedStackedInline):
    model = OrganisationalPriority
    extra = 0


@admin.register(AnnualPlan)
class AnnualPlanAdmin(TranslationAdmin, HistoryAdmin):
    list_display = ["title", "slug", "strategic_plan", "start_date", "language"]
    list_filter = ["strategic_plan"]
    search_fields = [*lookups_in_each_language("title", "context"), "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuarterInline, OrganisationalPriorityInline]


class QuarterLockInline(NamedStackedInline):
    """Read only: a quarter is locked and unlocked on the site (the plan page), where the
    service asks for a reason and records who did it and when."""

    model = QuarterLock
    extra = 0
    max_num = 1
    fields = ["reason", "locked_by", "locked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Quarter)
class QuarterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "annual_plan", "number", "start_date", "end_date", "is_locked"]
    list_filter = ["annual_plan", ("lock", admin.EmptyFieldListFilter)]
    list_select_related = ["annual_plan", "lock"]
    inlines = [QuarterLockInline]

    @admin.display(description=_("locked"), boolean=True)
    def is_locked(self, obj):
        return obj.locked

    ordering = ["annual_plan__start_date", "number"]


class ExpectedResultInline(TranslationInlineModelAdmin, NamedStackedInline):
    model = ExpectedResult
    extra = 0
    ordering = ["number"]


class LearningQuestionInline(TranslationInlineModelAdmin, NamedStackedInline):
    model = LearningQuestion
    extra = 0
    ordering = ["number"]


@admin.register(StrategicPriority)
class StrategicPriorityAdmin(TranslationAdmin, HistoryAdmin):
    list_display = ["number", "short_title", "annual_plan"]
    list_display_links = ["number", "short_title"]
    list_filter = ["annual_plan"]
    list_select_related = ["annual_plan"]
    search_fields = lookups_in_each_language("title", "short_title", "statement")
    ordering = ["annual_plan__start_date", "number"]
    # initiatives/admin.py adds the priority's initiatives.
    inlines = [ExpectedResultInline, LearningQuestionInline]


class PriorityItemAdmin:
    """What the admins of numbered items of a priority share."""

    list_display = ["code", "short_text", "priority"]
    list_filter = ["priority__annual_plan", "priority"]
    list_select_related = ["priority__annual_plan"]
    search_fields = lookups_in_each_language("text")
    ordering = ["priority__annual_plan__start_date", "priority__number", "number"]

    @admin.display(description=_("code"))
    def code(self, obj):
        return obj.code

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return obj.text[:120]


@admin.register(ExpectedResult)
class ExpectedResultAdmin(PriorityItemAdmin, TranslationAdmin, SpreadsheetAdmin):
    resource_classes = [ExpectedResultResource]


@admin.register(LearningQuestion)
class LearningQuestionAdmin(PriorityItemAdmin, TranslationAdmin, HistoryAdmin):
    pass


@admin.register(OrganisationalPriority)
class OrganisationalPriorityAdmin(TranslationAdmin, HistoryAdmin):
    list_display = ["number", "title", "area", "annual_plan"]
    list_display_links = ["number", "title"]
    list_filter = ["annual_plan", "area"]
    list_select_related = ["annual_plan"]
    search_fields = lookups_in_each_language("title", "description")
    ordering = ["annual_plan__start_date", "number"]


@admin.register(Event)
class EventAdmin(TranslationAdmin, NamedControlsAdmin, SpreadsheetAdmin):
    resource_classes = [EventResource]
    list_display = ["title", "quarter", "start_date", "end_date", "kind", "priority"]
    list_filter = ["annual_plan", "quarter__number", "kind", "priority"]
    list_select_related = ["annual_plan", "quarter__annual_plan", "priority"]
    search_fields = [*lookups_in_each_language("title", "description"), "slug"]
    ordering = ["annual_plan__start_date", "quarter__number", "start_date", "title"]
    autocomplete_fields = ["initiative"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(KeyChange)
class KeyChangeAdmin(TranslationAdmin, HistoryAdmin):
    list_display = ["number", "title", "strategic_plan"]
    list_display_links = ["number", "title"]
    list_filter = ["strategic_plan"]
    list_select_related = ["strategic_plan"]
    search_fields = lookups_in_each_language("title", "description")
    ordering = ["strategic_plan__start_year", "number"]


@admin.register(QuarterLock)
class QuarterLockAdmin(NamedControlsAdmin, admin.ModelAdmin):
    """Read only, as the quarter's inline: a quarter is locked and unlocked on the site
    (the plan page), where the service asks for a reason and records who did it."""

    list_display = ["quarter", "locked_by", "locked_at", "reason"]
    list_filter = ["quarter__annual_plan"]
    list_select_related = ["quarter__annual_plan", "locked_by"]
    search_fields = ["reason"]
    autocomplete_fields = ["locked_by"]
    ordering = ["quarter__annual_plan__start_date", "quarter__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportingRound)
class ReportingRoundAdmin(HistoryAdmin):
    """Read only: rounds are opened, re-dated and closed on their page in the site
    (/plans/<plan>/rounds/q<N>/), by editors; the History button says who did what."""

    list_display = ["quarter", "annual_plan", "due_date", "opened_by", "opened_at", "closed_by", "closed_at"]
    list_filter = ["annual_plan", ("closed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["quarter__annual_plan", "annual_plan", "opened_by", "closed_by"]
    ordering = ["annual_plan__start_date", "quarter__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuarterLockChange)
class QuarterLockChangeAdmin(admin.ModelAdmin):
    """The record of locks and unlocks: read only, it is what happened."""

    list_display = ["quarter", "locked", "changed_by", "changed_at", "reason"]
    list_filter = ["quarter__annual_plan", "locked"]
    list_select_related = ["quarter__annual_plan", "changed_by"]
    search_fields = ["reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    """Who has a calendar subscription address. An admin revokes one by deleting it (its
    owner can make a new one); the key itself is never shown."""

    list_display = ["user", "created_at"]
    search_fields = ["user__username"]
    fields = ["user", "created_at"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
