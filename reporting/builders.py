"""(plan, quarter) -> the report as plain data. Every query of every report is here.

The reports read approved updates only (docs/user-guide.md, "Reviews"): an update that is a draft,
submitted or returned counts as "not yet approved" and has no status in a report, unless it is a
revision of an approved update, which is read as it was approved until the change is.
Indicator values and reflections have no review of their own and are read as written.
"""

from collections import defaultdict

from django.db.models import F
from django.utils import timezone

from civicplan.translations import translated
from initiatives.models import (
    Indicator,
    IndicatorValue,
    Initiative,
    LearningReflection,
    Membership,
    OrganisationalUpdate,
    ReviewState,
    Status,
    StatusUpdate,
    organisational_lead,
)
from priorities.models import (
    AnnualPlan,
    Event,
    ExpectedResult,
    KeyChange,
    LearningQuestion,
    OrganisationalPriority,
    StrategicPriority,
)

from .data import (
    STATUS_ORDER,
    STATUS_RANK,
    AnnualReport,
    Changes,
    EventRow,
    IndicatorRow,
    InitiativeRow,
    PlanWords,
    PrioritySection,
    QuarterEntry,
    QuarterlyReport,
    QuarterRef,
    Reflection,
    ResultRow,
    StatusChange,
    StatusCounts,
    Trend,
    year_end_entry,
)


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def trend(before: str | None, after: str | None) -> str:
    if after is None:
        return Trend.NONE
    if before is None:
        return Trend.NEW
    delta = STATUS_RANK[after] - STATUS_RANK[before]
    return Trend.BETTER if delta > 0 else Trend.WORSE if delta < 0 else Trend.SAME


def status_counts(quarter: int, rows) -> StatusCounts:
    statuses = [row.entry(quarter).status for row in rows]
    return StatusCounts(
        quarter=quarter,
        counts=tuple((status, statuses.count(status)) for status in STATUS_ORDER),
        missing=statuses.count(None),
    )


def _event_row(event: Event, priorities: dict[int, StrategicPriority]) -> EventRow:
    initiative = event.initiative
    for linked in (event, initiative):
        # Given its priority, unless that is another plan's (which validation refuses): read then.
        if linked is not None and linked.priority_id in priorities:
            linked.priority = priorities[linked.priority_id]
    priority = event.priority if event.priority_id else None
    return EventRow(
        slug=event.slug,
        title=translated(event, "title"),
        kind=event.kind,
        quarter=event.quarter_number,
        start=event.start_date,
        end=event.end_date,
        description=translated(event, "description"),
        priority_number=priority.number if priority else (initiative.priority.number if initiative else None),
        initiative_code=initiative.code if initiative else None,
    )


def _events(plan: AnnualPlan, quarters: list[int], priorities: dict[int, StrategicPriority]) -> list[EventRow]:
    events = (
        Event.objects.filter(annual_plan=plan, quarter__number__in=quarters)
        .select_related("initiative")
        .annotate(quarter_number=F("quarter__number"))
        .order_by("quarter__number", F("start_date").asc(nulls_last=True), "title", "slug")
    )
    return [_event_row(event, priorities) for event in events]


def _priorities(plan: AnnualPlan) -> dict[int, StrategicPriority]:
    """The plan's strategic priorities by id, in order: given to the rows that name theirs,
    which are then not read with each row (a report of a large plan reads thousands)."""
    return {priority.pk: priority for priority in StrategicPriority.objects.filter(annual_plan=plan).order_by("number")}


def _entries(updates: dict, key, upto: int) -> tuple[QuarterEntry, ...]:
    """One entry per quarter from Q1 to ``upto`` of the thing ``key`` (``updates`` by
    (key, quarter number)): an approved status, or what exists otherwise."""
    entries = []
    for quarter in range(1, upto + 1):
        update = updates.get((key, quarter))
        approved = update.approved_text if update is not None else None
        if update is None:
            entries.append(QuarterEntry(quarter=quarter, status=None, review_state=None))
        elif approved is None:
            entries.append(QuarterEntry(quarter=quarter, status=None, review_state=update.review_state))
        else:
            # The approved text: while a revision waits, the one approved before it.
            entries.append(
                QuarterEntry(
                    quarter=quarter,
                    status=approved.status,
                    review_state=ReviewState.APPROVED,
                    narrative=approved.narrative,
                    risks=approved.risks,
                    next_steps=approved.next_steps,
                )
            )
    return tuple(entries)


def _row(*, code: str, title: str, priority_number: int, lead, entries) -> InitiativeRow:
    before = entries[-2].status if len(entries) > 1 else None
    return InitiativeRow(
        code=code,
        title=title,
        priority_number=priority_number,
        lead=_person(lead),
        entries=entries,
        trend=trend(before, entries[-1].status),
    )


def initiative_rows(upto: int, priorities: dict[int, StrategicPriority] | None = None, **where):
    """Per priority number, the initiatives that ``where`` finds (lookups on Initiative:
    ``priority__annual_plan=plan`` for a plan's, ``priority=priority`` for one priority's),
    each with one entry per quarter from Q1 to ``upto``: three queries (and their
    priorities, unless given: ``_priorities``)."""
    through = {f"initiative__{lookup}": value for lookup, value in where.items()}
    initiatives = Initiative.objects.filter(**where).order_by("priority__number", "number")
    initiatives = list(initiatives if priorities is not None else initiatives.select_related("priority"))
    leads = {
        m.initiative_id: m.user
        for m in Membership.objects.filter(role=Membership.Role.LEAD, **through).select_related("user")
    }
    updates = {
        (u.initiative_id, u.quarter_number): u
        for u in StatusUpdate.objects.filter(quarter__number__lte=upto, **through).annotate(
            quarter_number=F("quarter__number")
        )
    }
    rows = defaultdict(list)
    for initiative in initiatives:
        if priorities is not None:
            initiative.priority = priorities[initiative.priority_id]
        rows[initiative.priority.number].append(
            _row(
                code=initiative.code,
                title=translated(initiative, "title"),
                priority_number=initiative.priority.number,
                lead=leads.get(initiative.pk),
                entries=_entries(updates, initiative.pk, upto),
            )
        )
    return rows


def _organisational_rows(plan: AnnualPlan, upto: int) -> tuple[InitiativeRow, ...]:
    """The organisational priorities, as initiatives are reported (two queries)."""
    updates = {
        (u.organisational_priority_id, u.quarter_number): u
        for u in OrganisationalUpdate.objects.filter(
            organisational_priority__annual_plan=plan, quarter__number__lte=upto
        ).annotate(quarter_number=F("quarter__number"))
    }
    return tuple(
        _row(
            code=priority.get_area_display(),
            title=translated(priority, "title"),
            priority_number=0,
            lead=organisational_lead(priority),
            entries=_entries(updates, priority.pk, upto),
        )
        for priority in OrganisationalPriority.objects.filter(annual_plan=plan)
        .select_related("leadership__user")
        .order_by("number")
    )


def _result_rows(plan: AnnualPlan, upto: int, priorities: dict[int, StrategicPriority]) -> dict[int, list[ResultRow]]:
    values = defaultdict(list)
    for indicator, quarter, value in (
        IndicatorValue.objects.filter(indicator__expected_result__priority__annual_plan=plan, quarter__number__lte=upto)
        .order_by("quarter__number")
        .values_list("indicator_id", "quarter__number", "value")
    ):
        values[indicator].append((quarter, value))
    results = list(ExpectedResult.objects.filter(priority__annual_plan=plan).order_by("priority__number", "number"))
    by_id = {}
    for result in results:
        result.priority = priorities[result.priority_id]
        by_id[result.pk] = result
    indicators = defaultdict(list)
    for indicator in Indicator.objects.filter(expected_result__priority__annual_plan=plan):
        indicator.expected_result = by_id[indicator.expected_result_id]
        indicators[indicator.expected_result_id].append(
            (
                indicator.number,
                IndicatorRow(
                    code=indicator.code,
                    name=translated(indicator, "name"),
                    unit=translated(indicator, "unit"),
                    direction=indicator.direction,
                    baseline=indicator.baseline,
                    target=indicator.target,
                    values=tuple(values[indicator.pk]),
                ),
            )
        )
    rows = defaultdict(list)
    for result in results:
        rows[result.priority.number].append(
            ResultRow(
                code=result.code,
                text=translated(result, "text"),
                indicators=tuple(row for _, row in sorted(indicators[result.pk], key=lambda pair: pair[0])),
            )
        )
    return rows


def _learning(
    plan: AnnualPlan, upto: int, priorities: dict[int, StrategicPriority]
) -> tuple[dict[int, str], dict[int, list[Reflection]]]:
    questions, reported = {}, {}  # reported: a priority's first question's id -> its number
    for question in LearningQuestion.objects.filter(priority__annual_plan=plan).order_by("priority__number", "number"):
        number = priorities[question.priority_id].number
        if number not in questions:  # a priority's first question is the one reported
            questions[number] = translated(question, "text")
            reported[question.pk] = number
    reflections = defaultdict(list)
    for question, quarter, text in (
        LearningReflection.objects.filter(learning_question__priority__annual_plan=plan, quarter__number__lte=upto)
        .order_by("learning_question__number", "quarter__number")
        .values_list("learning_question_id", "quarter__number", "text")
    ):
        if question in reported:
            reflections[reported[question]].append(Reflection(quarter=quarter, text=text))
    return questions, reflections


def build_quarterly_report(
    plan: AnnualPlan, quarter: int, priorities: dict[int, StrategicPriority] | None = None
) -> QuarterlyReport:
    """The quarterly trend report of ``plan`` (loaded with ``select_related("strategic_plan")``)
    for quarter ``quarter`` (1-4), in a fixed number of queries whatever the plan's size
    (with its priorities, if given: ``_priorities``)."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1-4, not {quarter}")
    quarters = tuple(
        QuarterRef(number=q.number, start=q.start_date, end=q.end_date) for q in plan.quarters.order_by("number")
    )
    priorities = _priorities(plan) if priorities is None else priorities
    initiatives = initiative_rows(quarter, priorities, priority__annual_plan=plan)
    results = _result_rows(plan, quarter, priorities)
    questions, reflections = _learning(plan, quarter, priorities)
    events = _events(plan, [quarter, quarter + 1], priorities)
    this_quarter = tuple(e for e in events if e.quarter == quarter)
    sections = []
    for priority in priorities.values():
        rows = tuple(initiatives[priority.number])
        sections.append(
            PrioritySection(
                number=priority.number,
                title=translated(priority, "title"),
                short_title=translated(priority, "short_title") or translated(priority, "title"),
                statement=translated(priority, "statement"),
                initiatives=rows,
                counts=tuple(status_counts(q, rows) for q in range(1, quarter + 1)),
                results=tuple(results[priority.number]),
                learning_question=questions.get(priority.number, ""),
                reflections=tuple(reflections[priority.number]),
                events=tuple(e for e in this_quarter if e.priority_number == priority.number),
            )
        )
    everyone = [row for section in sections for row in section.initiatives]
    return QuarterlyReport(
        plan_slug=plan.slug,
        plan_title=translated(plan, "title"),
        strategic_plan_title=translated(plan.strategic_plan, "title"),
        overall_goal=translated(plan.strategic_plan, "overall_goal"),
        quarter=next(q for q in quarters if q.number == quarter),
        quarters=quarters,
        generated_at=timezone.now(),
        priorities=tuple(sections),
        totals=status_counts(quarter, everyone),
        events=this_quarter,
        next_events=tuple(e for e in events if e.quarter == quarter + 1),
        organisational=_organisational_rows(plan, quarter),
    )


def year_end_counts(rows) -> StatusCounts:
    """How many initiatives stood at each status at the year's end (:func:`year_end_entry`)."""
    statuses = [entry.status if entry is not None else None for entry in map(year_end_entry, rows)]
    return StatusCounts(
        quarter=4,
        counts=tuple((status, statuses.count(status)) for status in STATUS_ORDER),
        missing=statuses.count(None),
    )


def _plan_words(plan: AnnualPlan) -> PlanWords:
    """Two queries: the strategic plan's key changes, the year's organisational priorities."""
    strategic = plan.strategic_plan
    return PlanWords(
        language=plan.language,
        goal_description=strategic.goal_description,
        context=plan.context,
        key_changes=tuple(
            (change.title, change.description) for change in KeyChange.objects.filter(strategic_plan=strategic)
        ),
        organisational_priorities=tuple(
            (p.number, p.title, p.description) for p in OrganisationalPriority.objects.filter(annual_plan=plan)
        ),
        monitoring=plan.monitoring,
        closing_statement=strategic.closing_statement,
    )


def build_annual_report(plan: AnnualPlan) -> AnnualReport:
    priorities = _priorities(plan)
    year = build_quarterly_report(plan, 4, priorities)
    return AnnualReport(
        year=year,
        events=tuple(_events(plan, [1, 2, 3, 4], priorities)),
        year_end_totals=year_end_counts(year.initiatives),
        year_end_by_priority=tuple(year_end_counts(section.initiatives) for section in year.priorities),
        words=_plan_words(plan),
    )


def changes_since(report: QuarterlyReport, since: int | None) -> Changes:
    """What changed between quarter ``since`` and the report's quarter: computed from the
    report's data, never typed. ``since`` None compares with nothing (the first update)."""
    if since is None or not 1 <= since < report.quarter.number:
        return Changes(since=None, status_changes=(), new_risks=(), completed=(), targets_crossed=())
    status_changes, new_risks, completed = [], [], []
    for row in report.initiatives:
        before, after = row.entry(since), row.current
        if after.status != before.status and after.status is not None:
            status_changes.append(StatusChange(initiative=row, before=before.status, after=after.status))
        if after.risks.strip() and after.risks.strip() != before.risks.strip():
            new_risks.append(row)
        if after.status == Status.COMPLETED and before.status != Status.COMPLETED:
            completed.append(row)
    crossed = []
    for indicator in report.indicators:
        now, then = indicator.progress_at(report.quarter.number), indicator.progress_at(since)
        if now is not None and now >= 1 and (then is None or then < 1):
            crossed.append(indicator)
    return Changes(
        since=since,
        status_changes=tuple(status_changes),
        new_risks=tuple(new_risks),
        completed=tuple(completed),
        targets_crossed=tuple(crossed),
    )
