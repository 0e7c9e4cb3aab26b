"""Spreadsheet columns for initiatives and their quarterly tracking, and for the quarterly
updates of the organisational priorities.

Rows name their parents as people do: ``plan`` 2022-23, ``priority`` 2, ``initiative``
3 (the third initiative of priority 2), ``quarter`` 1; an indicator by ``priority``,
``result`` and ``indicator`` numbers; an organisational priority by its ``area``
(``people``).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from civicplan.spreadsheets import PlanResource
from civicplan.translations import in_default_language
from priorities.models import ExpectedResult
from priorities.resources import (
    RESULT,
    AreaWidget,
    ChoiceWidget,
    DecimalNumberWidget,
    NumberWidget,
    PlanColumnMixin,
    QuarterWidget,
    WholeNumberWidget,
    blank,
    find_numbered,
    find_priority,
    find_result,
    initiative_widget,
    plan_table,
    priority_widget,
    result_widget,
    whole_number,
)

from .models import Indicator, IndicatorValue, Initiative, OrganisationalUpdate, Status, StatusUpdate

INDICATOR = gettext_lazy("indicator")


def find_indicator(row, value) -> Indicator:
    result = find_result(row, row.get("result"))
    number = whole_number(value, INDICATOR)
    return find_numbered(
        Indicator,
        "expected_result",
        result,
        number,
        "expected_result__priority__annual_plan",
        lambda: (
            _("Expected result %(result)s has no indicator %(number)s.") % {"result": result.code, "number": number}
        ),
    )


def indicator_widget() -> NumberWidget:
    return NumberWidget(
        find_indicator, gettext_lazy("The indicator number is missing."), columns=("plan", "priority", "result")
    )


class ResultNumbersWidget(widgets.ManyToManyWidget):
    """The expected results an initiative serves, as their numbers in its priority: "1, 2"."""

    def __init__(self, **kwargs):
        super().__init__(ExpectedResult, separator=",", field="number", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return ExpectedResult.objects.none()
        priority = find_priority(row, row.get("priority"))
        parts = [p for p in str(value).replace(";", ",").split(",") if p.strip()]
        numbers = {whole_number(p, RESULT) for p in parts}
        # The plan's expected results, read once per import (priorities.resources.plan_table).
        table = plan_table(
            ExpectedResult,
            "priority__annual_plan",
            priority.annual_plan,
            lambda r: (r.priority_id, r.number),
            "priority__annual_plan",
        )
        results = [table[priority.pk, n] for n in sorted(numbers) if (priority.pk, n) in table]
        unknown = numbers - {r.number for r in results}
        if unknown:
            raise ValueError(
                _("Priority %(priority)s has no expected result %(numbers)s.")
                % {"priority": priority.number, "numbers": ", ".join(str(n) for n in sorted(unknown))}
            )
        return results

    def render(self, value, obj=None, **kwargs):
        return ", ".join(str(r.number) for r in value.all()) if value is not None else ""


class QuarterRecordResource(PlanResource):
    """A resource of things written per quarter (a locked quarter takes no change: the
    models' clean() says so, as on every path)."""

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None and instance.author_id is None:
            user = kwargs.get("user")
            instance.author = user if user is not None and user.is_authenticated else None


class ReviewedUpdateResource(QuarterRecordResource):
    """A resource of quarterly updates that an editor reviews (an initiative's, an
    organisational priority's). A change to an approved update is a revision, as on the
    site: the model's save() keeps the approved text aside."""

    plan = fields.Field(column_name="plan", readonly=True)
    quarter = fields.Field(attribute="quarter", column_name="quarter", widget=QuarterWidget())
    status = fields.Field(attribute="status", column_name="status", widget=ChoiceWidget(Status, gettext_lazy("Status")))
    narrative = fields.Field(attribute="narrative", column_name="narrative")
    risks = fields.Field(attribute="risks", column_name="risks")
    next_steps = fields.Field(attribute="next_steps", column_name="next_steps")

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.pk is not None:
            # A changed row is a new version: an edit open in a browser meanwhile will
            # see the conflict instead of overwriting this import.
            instance.version += 1
        if self._meta.use_bulk:
            # What the model's save() does before it writes (the revision rule), which a
            # bulk write does not call. Nor does it send post_save, which nothing here
            # misses: the history is written with the rows, the data version is moved by
            # PlanResource, and an import never leaves an update approved that was not
            # (a changed approved update waits, submitted; an unchanged row is skipped).
            instance._keep_approved_text()


class InitiativeResource(PlanColumnMixin, PlanResource):
    plan_path = "priority__annual_plan"
    key_columns = ("plan", "priority", "number")
    required_columns = ("plan", "priority", "number", "title")

    plan = fields.Field(column_name="plan", readonly=True)
    priority = fields.Field(attribute="priority", column_name="priority", widget=priority_widget())
    number = fields.Field(attribute="number", column_name="number", widget=WholeNumberWidget(gettext_lazy("number")))
    title = fields.Field(attribute="title", column_name="title")
    description = fields.Field(attribute="description", column_name="description")
    expected_results = fields.Field(
        attribute="expected_results", column_name="expected_results", widget=ResultNumbersWidget()
    )

    class Meta(PlanResource.Meta):
        model = Initiative
        import_id_fields = ("priority", "number")
        fields = ("plan", "priority", "number", "title", "description", "expected_results")

    def get_queryset(self):
        return (
            Initiative.objects.select_related("priority__annual_plan")
            .prefetch_related("expected_results")
            .order_by("priority__annual_plan__start_date", "priority__number", "number")
        )


class IndicatorResource(PlanColumnMixin, PlanResource):
    plan_path = "expected_result__priority__annual_plan"
    key_columns = ("plan", "priority", "result", "number")
    required_columns = ("plan", "priority", "result", "number", "name", "baseline", "target")

    plan = fields.Field(column_name="plan", readonly=True)
    priority = fields.Field(column_name="priority", readonly=True)
    result = fields.Field(attribute="expected_result", column_name="result", widget=result_widget())
    number = fields.Field(attribute="number", column_name="number", widget=WholeNumberWidget(gettext_lazy("number")))
    name = fields.Field(attribute="name", column_name="name")
    unit = fields.Field(attribute="unit", column_name="unit")
    baseline = fields.Field(attribute="baseline", column_name="baseline", widget=DecimalNumberWidget())
    # The column is required, its cell is not: an empty cell is a target not set yet (a plan
    # rolled over leaves them so), which the pages flag; a cell that is not a number is refused.
    target = fields.Field(attribute="target", column_name="target", widget=DecimalNumberWidget())
    direction = fields.Field(
        attribute="direction",
        column_name="direction",
        widget=ChoiceWidget(Indicator.Direction, gettext_lazy("Direction")),
    )
    description = fields.Field(attribute="description", column_name="description")

    class Meta(PlanResource.Meta):
        model = Indicator
        import_id_fields = ("result", "number")
        fields = (
            "plan",
            "priority",
            "result",
            "number",
            "name",
            "unit",
            "baseline",
            "target",
            "direction",
            "description",
        )

    def dehydrate_priority(self, obj):
        return obj.expected_result.priority.number

    def get_queryset(self):
        return Indicator.objects.select_related("expected_result__priority__annual_plan").order_by(
            "expected_result__priority__annual_plan__start_date",
            "expected_result__priority__number",
            "expected_result__number",
            "number",
        )


class IndicatorValueResource(PlanColumnMixin, QuarterRecordResource):
    plan_path = "quarter__annual_plan"
    key_columns = ("plan", "priority", "result", "indicator", "quarter")
    required_columns = ("plan", "priority", "result", "indicator", "quarter", "value")

    plan = fields.Field(column_name="plan", readonly=True)
    priority = fields.Field(column_name="priority", readonly=True)
    result = fields.Field(column_name="result", readonly=True)
    indicator = fields.Field(
        attribute="indicator",
        column_name="indicator",
        widget=indicator_widget(),
    )
    indicator_name = fields.Field(column_name="indicator_name", readonly=True)
    quarter = fields.Field(attribute="quarter", column_name="quarter", widget=QuarterWidget())
    value = fields.Field(attribute="value", column_name="value", widget=DecimalNumberWidget())
    note = fields.Field(attribute="note", column_name="note")

    class Meta(PlanResource.Meta):
        model = IndicatorValue
        use_bulk = True  # thousands of rows a year: written batch_size at a time (PlanResource)
        import_id_fields = ("indicator", "quarter")
        fields = ("plan", "priority", "result", "indicator", "indicator_name", "quarter", "value", "note")

    def dehydrate_priority(self, obj):
        return obj.indicator.expected_result.priority.number

    def dehydrate_result(self, obj):
        return obj.indicator.expected_result.number

    def dehydrate_indicator_name(self, obj):
        return in_default_language(obj.indicator, "name")

    def get_queryset(self):
        return IndicatorValue.objects.select_related(
            "indicator__expected_result__priority__annual_plan", "quarter__annual_plan"
        ).order_by(
            "quarter__annual_plan__start_date",
            "indicator__expected_result__priority__number",
            "indicator__expected_result__number",
            "indicator__number",
            "quarter__number",
        )


class StatusUpdateResource(PlanColumnMixin, ReviewedUpdateResource):
    plan_path = "quarter__annual_plan"
    key_columns = ("plan", "priority", "initiative", "quarter")
    required_columns = ("plan", "priority", "initiative", "quarter", "status")

    priority = fields.Field(column_name="priority", readonly=True)
    initiative = fields.Field(attribute="initiative", column_name="initiative", widget=initiative_widget())
    initiative_title = fields.Field(column_name="initiative_title", readonly=True)

    class Meta(PlanResource.Meta):
        model = StatusUpdate
        use_bulk = True  # thousands of rows a year: written batch_size at a time (PlanResource)
        import_id_fields = ("initiative", "quarter")
        fields = (
            "plan",
            "priority",
            "initiative",
            "initiative_title",
            "quarter",
            "status",
            "narrative",
            "risks",
            "next_steps",
        )

    def dehydrate_priority(self, obj):
        return obj.initiative.priority.number

    def dehydrate_initiative_title(self, obj):
        return in_default_language(obj.initiative, "title")

    def get_queryset(self):
        return StatusUpdate.objects.select_related(
            "initiative__priority__annual_plan", "quarter__annual_plan"
        ).order_by(
            "quarter__annual_plan__start_date", "initiative__priority__number", "initiative__number", "quarter__number"
        )


class OrganisationalUpdateResource(PlanColumnMixin, ReviewedUpdateResource):
    plan_path = "quarter__annual_plan"
    key_columns = ("plan", "area", "quarter")
    required_columns = ("plan", "area", "quarter", "status")

    area = fields.Field(attribute="organisational_priority", column_name="area", widget=AreaWidget())
    title = fields.Field(column_name="title", readonly=True)

    class Meta(PlanResource.Meta):
        model = OrganisationalUpdate
        use_bulk = True  # written batch_size at a time, as the initiatives' updates (PlanResource)
        import_id_fields = ("area", "quarter")
        fields = ("plan", "area", "title", "quarter", "status", "narrative", "risks", "next_steps")

    def dehydrate_title(self, obj):
        return in_default_language(obj.organisational_priority, "title")

    def get_queryset(self):
        return OrganisationalUpdate.objects.select_related(
            "organisational_priority__annual_plan", "quarter__annual_plan"
        ).order_by("quarter__annual_plan__start_date", "organisational_priority__number", "quarter__number")
