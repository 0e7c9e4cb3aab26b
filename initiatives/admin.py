from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationInlineModelAdmin

from civicplan.admin import HistoryAdmin, SafeAutocomplete, SpreadsheetAdmin
from civicplan.admin_controls import NamedControlsAdmin, NamedRowsFormSet, NamedStackedInline, NamedTabularInline
from civicplan.translations import lookups_in_each_language
from priorities.admin import StrategicPriorityAdmin
from priorities.models import StrategicPriority

from .models import (
    Indicator,
    IndicatorValue,
    Initiative,
    LearningReflection,
    Membership,
    OrganisationalLead,
    OrganisationalUpdate,
    StatusUpdate,
)
from .resources import (
    IndicatorResource,
    IndicatorValueResource,
    InitiativeResource,
    OrganisationalUpdateResource,
    StatusUpdateResource,
)


class LockedQuarterReadOnly:
    """A record of a locked quarter is read in the admin, never changed or deleted: the
    board has it as it was sent. An editor unlocks the quarter on the site, with a reason.
    (A change that gets past this, in an inline, is refused by the model's clean().)"""

    def _locked(self, obj) -> bool:
        return obj is not None and obj.quarter.locked

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)


class LockedQuarterFormSet(NamedRowsFormSet):
    """An inline's rows: deleting one of a locked quarter is refused, like changing it."""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            record = form.instance
            if record.pk is not None and record.quarter.locked:
                raise ValidationError(
                    _("%(quarter)s is locked: it takes no change.") % {"quarter": record.quarter.code}
                )


class MembershipInline(SafeAutocomplete, NamedTabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class StatusUpdateInline(SafeAutocomplete, NamedStackedInline):
    model = StatusUpdate
    formset = LockedQuarterFormSet
    extra = 0
    fields = ["quarter", "status", "review_state", "narrative", "risks", "next_steps", "author", "version"]
    readonly_fields = ["version"]
    ordering = ["quarter__number"]
    autocomplete_fields = ["author"]


@admin.register(Initiative)
class InitiativeAdmin(TranslationAdmin, NamedControlsAdmin, SpreadsheetAdmin):
    resource_classes = [InitiativeResource]
    list_display = ["code", "title", "priority"]
    list_display_links = ["code", "title"]
    list_filter = ["priority__annual_plan", "priority"]
    list_select_related = ["priority__annual_plan"]
    search_fields = lookups_in_each_language("title", "description")
    ordering = ["priority__annual_plan__start_date", "priority__number", "number"]
    filter_horizontal = ["expected_results"]
    inlines = [MembershipInline, StatusUpdateInline]

    @admin.display(description=_("code"), ordering="priority__number")
    def code(self, obj):
        return obj.code


# The approved text kept aside while a revision waits is the model's to write: a change
# here to an approved update is a revision too (initiatives/models/tracking.py).
REVIEWED_UPDATE_READONLY = [
    "version",
    "created_at",
    "updated_at",
    "approved_status",
    "approved_narrative",
    "approved_risks",
    "approved_next_steps",
    "approved_at",
]


@admin.register(StatusUpdate)
class StatusUpdateAdmin(LockedQuarterReadOnly, NamedControlsAdmin, SpreadsheetAdmin):
    resource_classes = [StatusUpdateResource]
    list_display = ["initiative", "quarter", "status", "review_state", "author", "updated_at"]
    list_filter = ["quarter__annual_plan", "quarter__number", "status", "review_state", "initiative__priority"]
    list_select_related = ["initiative__priority__annual_plan", "quarter__annual_plan", "author"]
    search_fields = [*lookups_in_each_language("initiative__title"), "narrative", "risks", "next_steps"]
    ordering = ["initiative__priority__number", "initiative__number", "quarter__number"]
    readonly_fields = REVIEWED_UPDATE_READONLY
    autocomplete_fields = ["author"]


@admin.register(OrganisationalUpdate)
class OrganisationalUpdateAdmin(LockedQuarterReadOnly, NamedControlsAdmin, SpreadsheetAdmin):
    resource_classes = [OrganisationalUpdateResource]
    list_display = ["organisational_priority", "quarter", "status", "review_state", "author", "updated_at"]
    list_filter = [
        "quarter__annual_plan",
        "quarter__number",
        "status",
        "review_state",
        "organisational_priority__area",
    ]
    list_select_related = ["organisational_priority__annual_plan", "quarter__annual_plan", "author"]
    search_fields = [*lookups_in_each_language("organisational_priority__title"), "narrative", "risks", "next_steps"]
    ordering = ["quarter__annual_plan__start_date", "organisational_priority__number", "quarter__number"]
    readonly_fields = REVIEWED_UPDATE_READONLY
    autocomplete_fields = ["author"]


class IndicatorValueInline(NamedTabularInline):
    model = IndicatorValue
    formset = LockedQuarterFormSet
    extra = 0
    fields = ["quarter", "value", "note", "author"]
    ordering = ["quarter__number"]
    autocomplete_fields = ["author"]


@admin.register(Indicator)
class IndicatorAdmin(TranslationAdmin, NamedControlsAdmin, SpreadsheetAdmin):
    resource_classes = [IndicatorResource]
    list_display = ["code", "name", "unit", "baseline", "target", "direction"]
    list_display_links = ["code", "name"]
    list_filter = ["expected_result__priority__annual_plan", "expected_result__priority", "direction"]
    list_select_related = ["expected_result__priority__annual_plan"]
    search_fields = lookups_in_each_language("name", "description")
    ordering = ["expected_result__priority__number", "expected_result__number", "number"]
    inlines = [IndicatorValueInline]

    @admin.display(description=_("code"))
    def code(self, obj):
        return obj.code


@admin.register(IndicatorValue)
class IndicatorValueAdmin(LockedQuarterReadOnly, NamedControlsAdmin, SpreadsheetAdmin):
    resource_classes = [IndicatorValueResource]
    list_display = ["indicator", "quarter", "value", "author", "updated_at"]
    list_filter = ["quarter__annual_plan", "quarter__number"]
    list_select_related = ["indicator__expected_result__priority", "quarter__annual_plan", "author"]
    search_fields = [*lookups_in_each_language("indicator__name"), "note"]
    ordering = ["indicator__expected_result__priority__number", "indicator__number", "quarter__number"]
    autocomplete_fields = ["author"]


@admin.register(LearningReflection)
class LearningReflectionAdmin(LockedQuarterReadOnly, NamedControlsAdmin, HistoryAdmin):
    list_display = ["learning_question", "quarter", "author", "updated_at"]
    list_filter = ["quarter__annual_plan", "quarter__number"]
    list_select_related = ["learning_question__priority", "quarter__annual_plan", "author"]
    search_fields = ["text"]
    ordering = ["learning_question__priority__number", "quarter__number"]
    autocomplete_fields = ["author"]


@admin.register(Membership)
class MembershipAdmin(SafeAutocomplete, NamedControlsAdmin, admin.ModelAdmin):
    list_display = ["user", "initiative", "role"]
    list_filter = ["role", "initiative__priority"]
    list_select_related = ["user", "initiative__priority"]
    search_fields = ["user__username", *lookups_in_each_language("initiative__title")]
    autocomplete_fields = ["user", "initiative"]


@admin.register(OrganisationalLead)
class OrganisationalLeadAdmin(SafeAutocomplete, NamedControlsAdmin, admin.ModelAdmin):
    list_display = ["organisational_priority", "user"]
    list_filter = ["organisational_priority__annual_plan", "organisational_priority__area"]
    list_select_related = ["user", "organisational_priority__annual_plan"]
    search_fields = ["user__username", *lookups_in_each_language("organisational_priority__title")]
    ordering = ["organisational_priority__annual_plan__start_date", "organisational_priority__number"]
    autocomplete_fields = ["user", "organisational_priority"]


class InitiativeInline(TranslationInlineModelAdmin, NamedTabularInline):
    model = Initiative
    extra = 0
    fields = ["number", "title"]
    ordering = ["number"]
    show_change_link = True


# A priority's admin page lists its initiatives too: priorities/admin.py registers the
# priority without them (the plan's structure knows nothing of the work), this adds them.
admin.site.unregister(StrategicPriority)


@admin.register(StrategicPriority)
class StrategicPriorityWithInitiativesAdmin(StrategicPriorityAdmin):
    inlines = [*StrategicPriorityAdmin.inlines, InitiativeInline]
