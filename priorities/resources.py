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
from civicplan.translations import default_language_field

from .models import AnnualPlan, Event, ExpectedResult, OrganisationalPriority, Quarter, StrategicPriority
from .services import event_slug

# A new event's identifier is made from its title as written (its default language's).
TITLE_COLUMN = default_language_field("title")


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


def find_plan(row) -> AnnualPlan:
    """The row's plan, which must exist (read once per import)."""
    slug = row.get("plan")
    if blank(slug):
        raise ValueError(_("The plan column is empty."))
    slug = str(slug).strip()
    plan = cached_lookup(("plan", slug), lambda: AnnualPlan.objects.filter(slug=slug).first())
    if plan is None:
        raise ValueError(_("There is no annual plan «%(slug)s».") % {"slug": slug})
    return plan


def plan_slug(row) -> str:
    """The slug of the row's plan, which must exist."""
    return find_plan(row).slug


def plan_table(model, plan_path: str, plan: AnnualPlan, key, *related: str) -> dict:
    """Every ``model`` row of ``plan`` (reached by ``plan_path``), by ``key(row)``: one query
    per table and plan in an import, however many of its rows the file names."""

    def read():
        rows = model.objects.filter(**{plan_path: plan})
        if related:
            rows = rows.select_related(*related)
        return {key(row): row for row in rows}

    return cached_lookup((model._meta.label, "of plan", plan.pk), read)


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
        # Codes and labels (in the import's language), lowercase, read once per import.
        names = cached_lookup(("choices", self.choices), self._names)
        if text.lower() in names:
            return names[text.lower()]
        raise ValueError(
            _("%(what)s «%(value)s» is unknown: use one of %(codes)s.")
            % {"what": self.what, "value": text, "codes": ", ".join(self.choices.values)}
        )

    def _names(self) -> dict[str, str]:
        names = {}
        for choice in self.choices:  # the first choice that has a name wins, as it always did
            names.setdefault(choice.value.lower(), choice.value)
            names.setdefault(str(choice.label).lower(), choice.value)
        return names

    def render(self, value, obj=None, **kwargs):
        return value or ""


class PlanWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return find_plan({"plan": value})

    def render(self, value, obj=None, **kwargs):
        return value.slug if value else ""


def row_lookup(kind: str, row, columns: tuple[str, ...], value, find):
    """``find()``, once per import for the same cell and the same ``columns`` of the row (the
    ones ``find`` reads): a file names the same initiative on four rows, and each row is
    read more than once (its key, then its columns). A refusal is not kept: it is said on
    every row it concerns."""
    try:
        key = (kind, value, *(row.get(column) for column in columns))
        hash(key)
    except TypeError:
        return find()
    return cached_lookup(key, find)


class NumberWidget(widgets.Widget):
    """A row's reference to a numbered part of the plan (a priority, an expected result, an
    initiative, an indicator): ``find(row, value)`` finds it from the cell and the row's
    other ``columns``, ``missing`` says a required one is empty; it is written as its number."""

    def __init__(self, find, missing, required=True, columns=("plan",), **kwargs):
        self.find, self.missing, self.required, self.columns = find, missing, required, columns
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            if self.required:
                raise ValueError(str(self.missing))
            return None
        return row_lookup(self.find.__name__, row, self.columns, value, lambda: self.find(row, value))

    def render(self, value, obj=None, **kwargs):
        return value.number if value else ""


# What whole_number() names in a refusal (translated then only).
PRIORITY, QUARTER = gettext_lazy("priority"), gettext_lazy("quarter")
RESULT, INITIATIVE = gettext_lazy("expected result"), gettext_lazy("initiative")


def find_priority(row, value) -> StrategicPriority:
    plan = find_plan(row)
    number = whole_number(value, PRIORITY)
    priority = plan_table(StrategicPriority, "annual_plan", plan, lambda p: p.number, "annual_plan").get(number)
    if priority is None:
        raise ValueError(
            _("There is no priority %(number)s in plan «%(plan)s».") % {"number": number, "plan": plan.slug}
        )
    return priority


class QuarterWidget(widgets.Widget):
    """A quarter by its number (1-4, or Q1-Q4, T1-T4 for trimestre) within the row's plan."""

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            raise ValueError(_("The quarter is missing."))
        return row_lookup("quarter", row, ("plan",), value, lambda: self.find(row, value))

    def find(self, row, value) -> Quarter:
        text = str(value).strip()
        digits = text[1:] if text[:1] in "QqTt" else text
        try:
            number = whole_number(digits, QUARTER)
        except ValueError:
            raise ValueError(
                _("Quarter «%(value)s» is not a quarter: write 1 to 4 (or Q1 to Q4).") % {"value": value}
            ) from None
        if not 1 <= number <= 4:
            raise ValueError(
                _("Quarter %(number)s does not exist: a plan year has quarters 1 to 4.") % {"number": number}
            )
        plan = find_plan(row)
        # With its lock, which the models' clean() reads (a locked quarter takes no change).
        quarter = plan_table(Quarter, "annual_plan", plan, lambda q: q.number, "annual_plan", "lock").get(number)
        if quarter is None:
            raise ValueError(_("Plan «%(plan)s» has no quarter %(number)s.") % {"plan": plan.slug, "number": number})
        return quarter

    def render(self, value, obj=None, **kwargs):
        return value.number if value else ""


def find_numbered(model, parent_field: str, parent, number: int, related: str, missing):
    """The ``model`` row numbered ``number`` under ``parent``; ``missing()`` is the message
    when there is none. ``related`` is the path from ``model`` to its annual plan, through
    ``parent_field``: every ``model`` row of that plan is read at the first, in one query."""
    plan = parent
    for step in related.split("__")[1:]:  # the parent's own path to its plan
        plan = getattr(plan, step)
    parent_id = model._meta.get_field(parent_field).attname
    table = plan_table(model, related, plan, lambda row: (getattr(row, parent_id), row.number), related)
    found = table.get((parent.pk, number))
    if found is None:
        raise ValueError(missing() if callable(missing) else missing)
    return found


def find_result(row, value) -> ExpectedResult:
    priority = find_priority(row, row.get("priority"))
    number = whole_number(value, RESULT)
    return find_numbered(
        ExpectedResult,
        "priority",
        priority,
        number,
        "priority__annual_plan",
        lambda: (
            _("Priority %(priority)s has no expected result %(number)s.")
            % {"priority": priority.number, "number": number}
        ),
    )


def find_initiative(row, value):
    priority = find_priority(row, row.get("priority"))
    number = whole_number(value, INITIATIVE)
    return find_numbered(
        # The initiatives are the work's (initiatives app): named by the link events have.
        Event._meta.get_field("initiative").related_model,
        "priority",
        priority,
        number,
        "priority__annual_plan",
        lambda: (
            _("Priority %(priority)s has no initiative %(number)s.") % {"priority": priority.number, "number": number}
        ),
    )


def find_organisational_priority(row, value) -> OrganisationalPriority:
    plan = find_plan(row)
    area = ChoiceWidget(OrganisationalPriority.Area, _("Area")).clean(value)
    found = plan_table(OrganisationalPriority, "annual_plan", plan, lambda p: p.area, "annual_plan").get(area)
    if found is None:
        raise ValueError(
            _("Plan «%(plan)s» has no organisational priority in the area %(area)s.")
            % {"plan": plan.slug, "area": area}
        )
    return found


class AreaWidget(widgets.Widget):
    """An organisational priority, by its area (``people``, or its label) within the row's
    plan: a plan has one per area. Written as the area's code."""

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            raise ValueError(_("The area is missing."))
        return row_lookup("area", row, ("plan",), value, lambda: find_organisational_priority(row, value))

    def render(self, value, obj=None, **kwargs):
        return value.area if value else ""


def priority_widget(required=True) -> NumberWidget:
    return NumberWidget(find_priority, gettext_lazy("The priority number is missing."), required=required)


def result_widget() -> NumberWidget:
    return NumberWidget(
        find_result, gettext_lazy("The expected result number is missing."), columns=("plan", "priority")
    )


def initiative_widget(required=True) -> NumberWidget:
    return NumberWidget(
        find_initiative,
        gettext_lazy("The initiative number is missing."),
        required=required,
        columns=("plan", "priority"),
    )


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
        if blank(row.get("slug")) and not blank(row.get(TITLE_COLUMN)):
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
        return event_slug(plan=quarter.annual_plan, quarter=quarter, title=str(row[TITLE_COLUMN]))
