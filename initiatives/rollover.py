"""Rolling an annual plan over into its next year, under the same strategic plan.

What is made: the next plan (July to June of the next year) and its four quarters; its
strategic priorities, expected results, learning questions and organisational priorities
(with their leads) copied; each indicator copied with the year's last value as its new
baseline and no target (an editor sets it; the pages flag it meanwhile). What is carried:
every initiative not completed in the year (completed in an approved update of any
quarter, as the annual report counts it), with its results, lead and team, linked to last
year's (``Initiative.previous``). What stays behind: the completed initiatives, the
events, the updates, values and reflections of the year, its rounds and locks.

:func:`rollover_preview` says all of it without writing; :func:`rollover_plan` writes it
all or nothing, refused with a message (nothing written) when the target plan exists, when
the next year has a plan already, when the source has no quarters or when the strategic
plan has no next year.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from civicplan.editing import require_editor
from civicplan.translations import default_language_field, in_default_language, texts_of
from priorities.models import (
    AnnualPlan,
    ExpectedResult,
    LearningQuestion,
    OrganisationalPriority,
    Quarter,
    StrategicPriority,
    quarter_bounds,
)

from .models import (
    Indicator,
    IndicatorValue,
    Initiative,
    Membership,
    OrganisationalLead,
    Status,
    StatusUpdate,
    organisational_lead,
)


@dataclass(frozen=True)
class CarriedIndicator:
    indicator: Indicator
    baseline: object  # the new baseline: the year's last value, else the old baseline
    measured_in: int | None  # the quarter of that last value; None when nothing was measured


@dataclass(frozen=True)
class InitiativeAtYearEnd:
    initiative: Initiative
    status: str | None  # its last approved status of the year; None when nothing was approved


@dataclass(frozen=True)
class Rollover:
    """What rolling ``source`` over into ``slug`` makes, carries and leaves."""

    source: AnnualPlan
    slug: str
    title: str
    start_date: datetime.date
    quarters: tuple[tuple[int, datetime.date, datetime.date], ...]
    priorities: tuple[StrategicPriority, ...]
    results: int
    questions: int
    organisational: tuple[OrganisationalPriority, ...]
    indicators: tuple[CarriedIndicator, ...]
    carried: tuple[InitiativeAtYearEnd, ...]
    left: tuple[InitiativeAtYearEnd, ...]  # completed: they stay in their year
    events_left: int


def next_start(plan: AnnualPlan) -> datetime.date:
    return plan.start_date.replace(year=plan.start_date.year + 1)


def next_slug(plan: AnnualPlan) -> str:
    """The next year's usual address name: 2023-24 after 2022-23."""
    year = next_start(plan).year
    return f"{year}-{(year + 1) % 100:02d}"


def next_title(plan: AnnualPlan, title: str | None = None) -> str:
    """The plan's title (or ``title``, one language's) with its years moved on by one ("Plan
    annuel 2023-2024" after "Plan annuel 2022-2023", "… 2023-24" after "… 2022-23"); else the
    title and the next slug."""
    title = plan.title if title is None else title
    year = plan.start_date.year
    years = re.compile(rf"\b{year}(\s*[-–/]\s*)({year + 1}|{(year + 1) % 100:02d})\b")

    def move(match: re.Match) -> str:
        second = str(year + 2) if len(match.group(2)) == 4 else f"{(year + 2) % 100:02d}"
        return f"{year + 1}{match.group(1)}{second}"

    moved, found = years.subn(move, title)
    return moved if found else f"{title} ({next_slug(plan)})"


def next_titles(plan: AnnualPlan, title: str) -> dict:
    """The next year's title in each language the plan's title has (years moved on by one);
    ``title``, when the editor gave one, is the default language's."""
    titles = {name: next_title(plan, value) if value else value for name, value in texts_of(plan, "title").items()}
    if title.strip():
        titles[default_language_field("title")] = title.strip()
    return titles


def _source(slug: str) -> AnnualPlan:
    plan = AnnualPlan.objects.select_related("strategic_plan").filter(slug=slug).first()
    if plan is None:
        raise ValidationError(_("There is no plan «%(slug)s».") % {"slug": slug})
    return plan


def _check_target(source: AnnualPlan, slug: str) -> None:
    try:
        validate_slug(slug)
    except ValidationError:
        raise ValidationError(
            _("«%(slug)s» cannot name a plan: use letters, numbers and hyphens, for example %(example)s.")
            % {"slug": slug, "example": next_slug(source)}
        ) from None
    if len(slug) > AnnualPlan._meta.get_field("slug").max_length:
        raise ValidationError(_("«%(slug)s» is too long to name a plan.") % {"slug": slug})
    if AnnualPlan.objects.filter(slug=slug).exists():
        raise ValidationError(_("The plan «%(slug)s» exists already: nothing was made.") % {"slug": slug})
    if source.quarters.count() != 4:
        raise ValidationError(
            _("The plan «%(slug)s» has no quarters: it has no year to roll over.") % {"slug": source.slug}
        )
    start = next_start(source)
    taken = AnnualPlan.objects.filter(strategic_plan=source.strategic_plan, start_date=start).first()
    if taken is not None:
        raise ValidationError(
            _("The year after «%(source)s» has its plan already: «%(other)s». Nothing was made.")
            % {"source": source.slug, "other": taken.slug}
        )
    strategic = source.strategic_plan
    if start.year + 1 > strategic.end_year:
        raise ValidationError(
            _("The strategic plan «%(title)s» ends in %(year)s: «%(slug)s» is its last year.")
            % {"title": strategic.title, "year": strategic.end_year, "slug": source.slug}
        )


def _completed(source: AnnualPlan) -> set[int]:
    """The initiatives completed in an approved update of any quarter (the approved text
    while a revision waits), as the annual report counts them."""
    approved = StatusUpdate.objects.approved_only().filter(initiative__priority__annual_plan=source)
    return {u.initiative_id for u in approved if u.status == Status.COMPLETED}


def _year_end_status(source: AnnualPlan) -> dict[int, str]:
    """Each initiative's last approved status of the year."""
    approved = StatusUpdate.objects.approved_only().filter(initiative__priority__annual_plan=source)
    return {u.initiative_id: u.status for u in approved.order_by("quarter__number")}


def _last_values(source: AnnualPlan) -> dict[int, IndicatorValue]:
    values = IndicatorValue.objects.filter(quarter__annual_plan=source).select_related("quarter")
    return {v.indicator_id: v for v in values.order_by("quarter__number")}


def rollover_preview(*, source_slug: str, target_slug: str, title: str = "") -> Rollover:
    """What rolling the plan ``source_slug`` over into ``target_slug`` would make, carry
    and leave; a ValidationError saying why when it would be refused. Reads only."""
    source = _source(source_slug)
    target_slug = target_slug.strip()
    _check_target(source, target_slug)
    start = next_start(source)
    priorities = tuple(
        StrategicPriority.objects.filter(annual_plan=source)
        .order_by("number")
        .prefetch_related(
            "expected_results",
            "learning_questions",
            Prefetch(
                "initiatives",
                queryset=Initiative.objects.order_by("number").prefetch_related(
                    Prefetch(
                        "memberships", queryset=Membership.objects.select_related("user").order_by("role", "user_id")
                    ),
                    "expected_results",
                ),
            ),
        )
    )
    completed, statuses, last = _completed(source), _year_end_status(source), _last_values(source)
    indicators = tuple(
        CarriedIndicator(
            indicator=indicator,
            baseline=last[indicator.pk].value if indicator.pk in last else indicator.baseline,
            measured_in=last[indicator.pk].quarter.number if indicator.pk in last else None,
        )
        for indicator in Indicator.objects.filter(expected_result__priority__annual_plan=source)
        .select_related("expected_result__priority")
        .order_by("expected_result__priority__number", "expected_result__number", "number")
    )
    initiatives = [i for p in priorities for i in p.initiatives.all()]
    return Rollover(
        source=source,
        slug=target_slug,
        title=title.strip() or next_title(source, in_default_language(source, "title")),
        start_date=start,
        quarters=tuple((n, *quarter_bounds(start, n)) for n in range(1, 5)),
        priorities=priorities,
        results=sum(len(p.expected_results.all()) for p in priorities),
        questions=sum(len(p.learning_questions.all()) for p in priorities),
        organisational=tuple(
            OrganisationalPriority.objects.filter(annual_plan=source)
            .select_related("leadership__user")
            .order_by("number")
        ),
        indicators=indicators,
        carried=tuple(InitiativeAtYearEnd(i, statuses.get(i.pk)) for i in initiatives if i.pk not in completed),
        left=tuple(InitiativeAtYearEnd(i, statuses.get(i.pk)) for i in initiatives if i.pk in completed),
        events_left=source.events.count(),
    )


def _saved(record):
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def rollover_plan(*, user, source_slug: str, target_slug: str, title: str = "") -> AnnualPlan:
    """Make the next year's plan from ``source_slug`` as :func:`rollover_preview` says:
    all of it or, refused with a ValidationError, nothing. An editor's action on the site;
    ``user`` None is an administrator's command on the server (``manage.py rollover_plan``)."""
    if user is not None:
        require_editor(user)
    # The source's row is the queue: two roll-overs of one plan go one after the other,
    # and the second finds the next year made.
    AnnualPlan.objects.select_for_update().filter(slug=source_slug).first()
    plan = rollover_preview(source_slug=source_slug, target_slug=target_slug, title=title)
    source = plan.source
    new = _saved(
        AnnualPlan(
            strategic_plan=source.strategic_plan,
            slug=plan.slug,
            **next_titles(source, title),
            start_date=plan.start_date,
            language=source.language,
            **texts_of(source, "monitoring"),
        )
    )
    for number, start, end in plan.quarters:
        _saved(Quarter(annual_plan=new, number=number, start_date=start, end_date=end))
    results = {}
    for priority in plan.priorities:
        copy = _saved(
            StrategicPriority(
                annual_plan=new,
                number=priority.number,
                **texts_of(priority, "title", "short_title", "statement"),
            )
        )
        for result in priority.expected_results.all():
            results[result.pk] = _saved(ExpectedResult(priority=copy, number=result.number, **texts_of(result, "text")))
        for question in priority.learning_questions.all():
            _saved(LearningQuestion(priority=copy, number=question.number, **texts_of(question, "text")))
        priority.copy = copy
    for carried in plan.indicators:
        old = carried.indicator
        _saved(
            Indicator(
                expected_result=results[old.expected_result_id],
                number=old.number,
                **texts_of(old, "name", "unit", "description"),
                baseline=carried.baseline,
                target=None,
                direction=old.direction,
            )
        )
    copies = {p.pk: p.copy for p in plan.priorities}
    for carried in plan.carried:
        old = carried.initiative
        initiative = _saved(
            Initiative(
                priority=copies[old.priority_id],
                number=old.number,
                **texts_of(old, "title", "description"),
                previous=old,
            )
        )
        initiative.expected_results.set([results[r.pk] for r in old.expected_results.all()])
        for member in old.memberships.all():
            _saved(Membership(initiative=initiative, user=member.user, role=member.role))
    for priority in plan.organisational:
        copy = _saved(
            OrganisationalPriority(
                annual_plan=new,
                area=priority.area,
                number=priority.number,
                **texts_of(priority, "title", "description"),
            )
        )
        lead = organisational_lead(priority)
        if lead is not None:
            _saved(OrganisationalLead(organisational_priority=copy, user=lead))
    return new
