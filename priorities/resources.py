"""Spreadsheet columns for the plan's structure, and the widgets every civicplan
spreadsheet uses to name things by their natural keys.

A row names its parents by plan slug and numbers (``plan``, ``priority``, ``quarter``,
``initiative``, ``result``, ``indicator``), an organisational priority by its ``area``,
never by database ids; each widget turns those into the object, or says in words what is
wrong.
"""

import datetime
import decimal

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from civicplan.spreadsheets import PlanResource, cached_lookup

from .models import AnnualPlan, Event, ExpectedResult, OrganisationalPriority, Quarter, StrategicPriority
from .services import event_slug


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def whole_number(value, what: str) -> int:
    """A whole number from a cell: 3, 3.0 or "3"."""
    if isinstance(value, bool):
        raise ValueError(_("%(what)s: «%(value)s» is not a whole number.") % {"what": what, "value": value})
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if text.isascii() and text.isdigit():  # "²" is a digit to Python, not a number
        return int(text)
    raise ValueError(_("%(what)s: «%(value)s» is not a whole number.") % {"what": what, "value": value})


def plan_slug(row) -> str:
    """The row's plan, which must exist."""
    slug = row.get("plan")
    if blank(slug):
        raise ValueError(_("The plan column is empty."))
    slug = str(slug).strip()
    if not cached_lookup(("plan", slug), lambda: AnnualPlan.objects.filter(slug=slug).exists()):
        raise ValueError(_("There is no annual plan «%(slug)s».") % {"slug": slug})
    return slug


class WholeNumberWidget(widgets.Widget):
    def __init__(self, what: str, **kwargs):
        self.what = what
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            raise ValueError(_("%(what)s is missing.") % {"what": self.what})
        number = whole_number(value, self.what)
        if number < 1:
            raise ValueError(_("%(what)s must be 1 or more.") % {"what": self.what})
        return number

    def render(self, value, obj=None, **kwargs):
        return value


class DecimalNumberWidget(widgets.Widget):
    """A number, written 12.5 or 12,5; a cell that is not a number is named as such."""

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return None
        if isinstance(value, bool):
            raise ValueError(_("«%(value)s» is not a number.") % {"value": value})
        if isinstance(value, int | float | decimal.Decimal):
            return decimal.Decimal(str(value))
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise ValueError(_("«%(value)s» is not a number.") % {"value": value}) from None
        if not number.is_finite():
            raise ValueError(_("«%(value)s» is not a number.") % {"value": value})
        return number

    def render(self, value, obj=None, **kwargs):
        return value


class SlugWidget(widgets.Widget):
    """An event's identifier: lowercase, as civicplan makes it. "Q1-Audit" and "q1-audit"
    would be two events to the database but one to a reader, so capitals are refused."""

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return ""
        value = str(value).strip()
        if value != value.lower():
            raise ValueError(
                _("«%(value)s»: an identifier is written in lowercase, like «%(lower)s».")
                % {"value": value, "lower": value.lower()}
            )
        return value


class IsoDateWidget(widgets.DateWidget):
    """A date written YYYY-MM-DD (or a date cell); 2023-02-30 is refused by name."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(
                _("«%(value)s» is not a date: write it as YYYY-MM-DD, for example 2023-03-08.") % {"value": value}
            ) from None

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value  # a date cell in a workbook
        return value.isoformat() if value else ""


class ChoiceWidget(widgets.Widget):
    """One of a set of choices, by its code (``on_track``) or its label in either language."""

    def __init__(self, choices: type[TextChoices], what: str, **kwargs):
        self.choices = choices
        self.what = what
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return None
        text = str(value).strip()
        for choice in self.choices:
            if text.lower() in {choice.value.lower(), str(choice.label).lower()}:
                return choice.value
        raise ValueError(
            _("%(what)s «%(value)s» is unknown: use one of %(codes)s.")
            % {"what": self.what, "value": text, "codes": ", ".join(self.choices.values)}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class PlanWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        slug = plan_slug({"plan": value})
        try:
            return AnnualPlan.objects.get(slug=slug)
        except AnnualPlan.DoesNotExist:
            raise ValueError(_("There is no annual plan «%(slug)s».") % {"slug": slug}) from None

    def render(self, value, obj=None, **kwargs):
        return value.slug if value else ""


class NumberWidget(widgets.Widget):
    """A row's reference to a numbered part of the plan (a priority, an expected result, an
    initiative, an indicator): ``find(row, value)`` finds it from the cell (and the row's
    other columns), ``missing`` says a required one is empty; it is written as its number."""

    def __init__(self, find, missing, required=True, **kwargs):
        self.find, self.missing, self.required = find, missing, required
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            if self.required:
                raise ValueError(str(self.missing))
            return None
        return self.find(row, value)

    def render(self, value, obj=None, **kwargs):
        return value.number if value else ""


def find_priority(row, value) -> StrategicPriority:
    slug = plan_slug(row)
    number = whole_number(value, _("priority"))
    try:
        return cached_lookup(
            ("priority", slug, number),
            lambda: StrategicPriority.objects.select_related("annual_plan").get(annual_plan__slug=slug, number=number),
        )
    except StrategicPriority.DoesNotExist:
        raise ValueError(
            _("There is no priority %(number)s in plan «%(plan)s».") % {"number": number, "plan": slug}
        ) from None


class QuarterWidget(widgets.Widget):
    """A quarter by its number (1-4, or Q1-Q4, T1-T4 for trimestre) within the row's plan."""

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            raise ValueError(_("The quarter is missing."))
        text = str(value).strip()
        digits = text[1:] if text[:1] in "QqTt" else text
        try:
            number = whole_number(digits, _("quarter"))
        except ValueError:
            raise ValueError(
                _("Quarter «%(value)s» is not a quarter: write 1 to 4 (or Q1 to Q4).") % {"value": value}
            ) from None
        if not 1 <= number <= 4:
            raise ValueError(
                _("Quarter %(number)s does not exist: a plan year has quarters 1 to 4.") % {"number": number}
            )
        slug = plan_slug(row)
        try:
            return cached_lookup(
                ("quarter", slug, number),
                lambda: Quarter.objects.select_related("annual_plan", "lock").get(
                    annual_plan__slug=slug, number=number
                ),
            )
        except Quarter.DoesNotExist:
            raise ValueError(
                _("Plan «%(plan)s» has no quarter %(number)s.") % {"plan": slug, "number": number}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value.number if value else ""


def find_numbered(model, parent_field: str, parent, number: int, related: str, missing: str):
    """The ``model`` row numbered ``number`` under ``parent``, found once per import;
    ``missing`` is the message when there is none."""
    try:
        return cached_lookup(
            (model._meta.label, parent.pk, number),
            lambda: model.objects.select_related(related).get(**{parent_field: parent, "number": number}),
        )
    except model.DoesNotExist:
        raise ValueError(missing) from None


def find_result(row, value) -> ExpectedResult:
    priority = find_priority(row, row.get("priority"))
    number = whole_number(value, _("expected result"))
    return find_numbered(
        ExpectedResult,
        "priority",
        priority,
        number,
        "priority__annual_plan",
        _("Priority %(priority)s has no expected result %(number)s.") % {"priority": priority.number, "number": number},
    )


def find_initiative(row, value):
    priority = find_priority(row, row.get("priority"))
    number = whole_number(value, _("initiative"))
    return find_numbered(
        # The initiatives are the work's (initiatives app): named by the link events have.
        Event._meta.get_field("initiative").related_model,
        "priority",
        priority,
        number,
        "priority__annual_plan",
        _("Priority %(priority)s has no initiative %(number)s.") % {"priority": priority.number, "number": number},
    )


def find_organisational_priority(row, value) -> OrganisationalPriority:
    slug = plan_slug(row)
    area = ChoiceWidget(OrganisationalPriority.Area, _("Area")).clean(value)
    try:
        return cached_lookup(
            ("organisational priority", slug, area),
            lambda: OrganisationalPriority.objects.select_related("annual_plan").get(annual_plan__slug=slug, area=area),
        )
    except OrganisationalPriority.DoesNotExist:
        raise ValueError(
            _("Plan «%(plan)s» has no organisational priority in the area %(area)s.") % {"plan": slug, "area": area}
        ) from None


class AreaWidget(widgets.Widget):
    """An organisational priority, by its area (``people``, or its label) within the row's
    plan: a plan has one per area. Written as the area's code."""

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            raise ValueError(_("The area is missing."))
        return find_organisational_priority(row, value)

    def render(self, value, obj=None, **kwargs):
        return value.area if value else ""


def priority_widget(required=True) -> NumberWidget:
    return NumberWidget(find_priority, gettext_lazy("The priority number is missing."), required=required)


def result_widget() -> NumberWidget:
    return NumberWidget(find_result, gettext_lazy("The expected result number is missing."))


def initiative_widget(required=True) -> NumberWidget:
    return NumberWidget(find_initiative, gettext_lazy("The initiative number is missing."), required=required)


class PlanColumnMixin:
    """A read-only ``plan`` column: the slug of the annual plan the row belongs to."""

    plan_path: str = ""

    def dehydrate_plan(self, obj):
        value = obj
        for attr in self.plan_path.split("__"):
            value = getattr(value, attr)
        return value.slug


class ExpectedResultResource(PlanColumnMixin, PlanResource):
    plan_path = "priority__annual_plan"
    key_columns = ("plan", "priority", "number")
    required_columns = ("plan", "priority", "number", "text")

    plan = fields.Field(column_name="plan", readonly=True)
    priority = fields.Field(attribute="priority", column_name="priority", widget=priority_widget())
    number = fields.Field(attribute="number", column_name="number", widget=WholeNumberWidget(gettext_lazy("number")))
    text = fields.Field(attribute="text", column_name="text")

    class Meta(PlanResource.Meta):
        model = ExpectedResult
        import_id_fields = ("priority", "number")
        fields = ("plan", "priority", "number", "text")

    def get_queryset(self):
        return ExpectedResult.objects.select_related("priority__annual_plan").order_by(
            "priority__annual_plan__start_date", "priority__number", "number"
        )


class EventResource(PlanResource):
    key_columns = ("plan", "slug")
    required_columns = ("plan", "quarter", "title")

    plan = fields.Field(attribute="annual_plan", column_name="plan", widget=PlanWidget())
    slug = fields.Field(attribute="slug", column_name="slug", widget=SlugWidget())
    quarter = fields.Field(attribute="quarter", column_name="quarter", widget=QuarterWidget())
    title = fields.Field(attribute="title", column_name="title")
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoiceWidget(Event.Kind, gettext_lazy("Kind")))
    start_date = fields.Field(attribute="start_date", column_name="start_date", widget=IsoDateWidget())
    end_date = fields.Field(attribute="end_date", column_name="end_date", widget=IsoDateWidget())
    priority = fields.Field(attribute="priority", column_name="priority", widget=priority_widget(required=False))
    initiative = fields.Field(column_name="initiative", attribute="initiative", widget=widgets.Widget())
    description = fields.Field(attribute="description", column_name="description")

    class Meta(PlanResource.Meta):
        model = Event
        import_id_fields = ("plan", "slug")
        fields = (
            "plan",
            "slug",
            "quarter",
            "title",
            "kind",
            "start_date",
            "end_date",
            "priority",
            "initiative",
            "description",
        )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["initiative"].widget = initiative_widget(required=False)

    def get_queryset(self):
        return Event.objects.select_related("annual_plan", "quarter", "priority", "initiative__priority").order_by(
            "annual_plan__start_date", "quarter__number", "start_date", "slug"
        )

    def before_import_row(self, row, **kwargs):
        if blank(row.get("slug")) and not blank(row.get("title")):
            row["slug"] = self.new_slug(row)
        if blank(row.get("kind")):
            row["kind"] = Event.Kind.OTHER
        super().before_import_row(row, **kwargs)

    def new_slug(self, row) -> str:
        """An identifier for a new event, made as the calendar page makes it."""
        try:
            quarter = QuarterWidget().clean(row.get("quarter"), row)
        except ValueError:
            return ""  # the row is refused for its quarter, with that reason
        return event_slug(plan=quarter.annual_plan, quarter=quarter, title=str(row["title"]))
