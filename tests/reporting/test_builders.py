"""reporting.builders: the reports as data, checked value by value.

Every scenario is built through the factories with the minimum it needs; the plan is
loaded the way the views load it (``select_related("strategic_plan")``). The reports read
approved status updates only: anything else is "missing" with its review state kept.
"""

import datetime
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import translation

from initiatives.models import Indicator, ReviewState, Status, StatusUpdate
from priorities.models import AnnualPlan, StrategicPriority
from reporting.builders import build_annual_report, build_quarterly_report, changes_since, status_counts, trend
from reporting.data import QuarterRef, Reflection, Trend
from tests.factories import (
    AnnualPlanFactory,
    EventFactory,
    ExpectedResultFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    InitiativeFactory,
    LearningQuestionFactory,
    LearningReflectionFactory,
    MembershipFactory,
    PriorityFactory,
    StatusUpdateFactory,
    UserFactory,
    quarter_of,
)
from tests.helpers import PLAN_FIXTURE

pytestmark = pytest.mark.django_db

# One query each: the plan's quarters, initiatives (with their priority), leads (with
# their user), status updates (with their quarter), indicator values (with their
# quarter), indicators (with result and priority), expected results, learning questions,
# reflections, events of this quarter and the next (with quarter, priority and
# initiative), priorities, organisational priorities (with their lead) and their updates.
# The plan and its strategic plan are loaded before.
QUARTERLY_REPORT_QUERIES = 13
# The fourth quarter's report, the whole year's events, and the plan's own words (the
# strategic plan's key changes, the organisational priorities).
ANNUAL_REPORT_QUERIES = QUARTERLY_REPORT_QUERIES + 3

NO_COUNTS = (
    (Status.OFF_TRACK, 0),
    (Status.AT_RISK, 0),
    (Status.NOT_STARTED, 0),
    (Status.ON_TRACK, 0),
    (Status.COMPLETED, 0),
)


# --- helpers ---------------------------------------------------------------------------


def load(plan: AnnualPlan) -> AnnualPlan:
    return AnnualPlan.objects.select_related("strategic_plan").get(pk=plan.pk)


def report_for(plan: AnnualPlan, quarter: int):
    return build_quarterly_report(load(plan), quarter)


def update(initiative, quarter: int, status, review_state=ReviewState.APPROVED, **fields):
    return StatusUpdateFactory(
        initiative=initiative,
        quarter=quarter_of(initiative.priority.annual_plan, quarter),
        status=status,
        review_state=review_state,
        **fields,
    )


def measure(indicator, quarter: int, value) -> None:
    plan = indicator.expected_result.priority.annual_plan
    IndicatorValueFactory(indicator=indicator, quarter=quarter_of(plan, quarter), value=Decimal(value))


def row(report, code: str):
    return next(r for r in report.initiatives if r.code == code)


def indicator(report, code: str):
    return next(i for i in report.indicators if i.code == code)


def codes(rows) -> list[str]:
    return [r.code for r in rows]


def counts(*pairs) -> tuple:
    """NO_COUNTS with some statuses set: counts((Status.AT_RISK, 2))."""
    given = dict(pairs)
    return tuple((status, given.get(status, 0)) for status, _ in NO_COUNTS)


@pytest.fixture
def plan():
    return AnnualPlanFactory()


@pytest.fixture
def priority(plan):
    return PriorityFactory(annual_plan=plan, number=1, title="Générer des connaissances", short_title="Connaissances")


# --- the report's frame ----------------------------------------------------------------


def test_the_report_names_its_plan_and_quarters(plan, priority):
    report = report_for(plan, 2)

    assert report.plan_slug == "2022-23"
    assert report.plan_title == "Plan annuel 2022-2023"
    assert report.strategic_plan_title == "Plan stratégique 2022-2027"
    assert report.overall_goal == "Renforcer la société civile."
    assert report.quarter == QuarterRef(number=2, start=datetime.date(2022, 10, 1), end=datetime.date(2022, 12, 31))
    assert [q.code for q in report.quarters] == ["Q1", "Q2", "Q3", "Q4"]
    assert report.next_quarter == QuarterRef(3, datetime.date(2023, 1, 1), datetime.date(2023, 3, 31))
    assert report_for(plan, 4).next_quarter is None
    section = report.priorities[0]
    assert (section.number, section.title, section.short_title) == (1, "Générer des connaissances", "Connaissances")


def test_the_lead_is_the_full_name_else_the_username_else_empty(plan, priority):
    named, unnamed, nobody = (InitiativeFactory(priority=priority, number=n) for n in (1, 2, 3))
    MembershipFactory(initiative=named, user=UserFactory(username="amina", first_name="Amina", last_name="Diallo"))
    MembershipFactory(initiative=unnamed, user=UserFactory(username="kofi"))
    MembershipFactory(initiative=nobody, user=UserFactory(username="member"), role="member")

    report = report_for(plan, 1)

    assert [(r.code, r.lead) for r in report.initiatives] == [("1.1", "Amina Diallo"), ("1.2", "kofi"), ("1.3", "")]


# --- 1. trends -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q1", "q2", "expected"),
    [
        (Status.AT_RISK, Status.ON_TRACK, Trend.BETTER),
        (Status.OFF_TRACK, Status.AT_RISK, Trend.BETTER),
        (Status.AT_RISK, Status.NOT_STARTED, Trend.BETTER),
        (Status.ON_TRACK, Status.COMPLETED, Trend.BETTER),
        (Status.ON_TRACK, Status.ON_TRACK, Trend.SAME),
        (Status.OFF_TRACK, Status.OFF_TRACK, Trend.SAME),
        (Status.ON_TRACK, Status.AT_RISK, Trend.WORSE),
        (Status.NOT_STARTED, Status.AT_RISK, Trend.WORSE),  # starting in trouble is worse than not starting
        (Status.AT_RISK, Status.OFF_TRACK, Trend.WORSE),
        (Status.COMPLETED, Status.ON_TRACK, Trend.WORSE),
        (None, Status.ON_TRACK, Trend.NEW),
        (None, Status.OFF_TRACK, Trend.NEW),
        (Status.ON_TRACK, None, Trend.NONE),
        (None, None, Trend.NONE),
    ],
)
def test_trend_compares_the_quarter_with_the_one_before(plan, priority, q1, q2, expected):
    initiative = InitiativeFactory(priority=priority, number=1)
    if q1 is not None:
        update(initiative, 1, q1)
    if q2 is not None:
        update(initiative, 2, q2)

    report = report_for(plan, 2)

    only = row(report, "1.1")
    assert [e.status for e in only.entries] == [q1, q2]
    assert only.status == q2
    assert only.trend == expected
    assert codes(report.better) == (["1.1"] if expected == Trend.BETTER else [])
    assert codes(report.worse) == (["1.1"] if expected == Trend.WORSE else [])


def test_trend_ranks_statuses_off_track_at_risk_not_started_on_track_completed():
    ranked = [Status.OFF_TRACK, Status.AT_RISK, Status.NOT_STARTED, Status.ON_TRACK, Status.COMPLETED]
    for i, before in enumerate(ranked):
        for j, after in enumerate(ranked):
            expected = Trend.BETTER if j > i else Trend.WORSE if j < i else Trend.SAME
            assert trend(before, after) == expected, (before, after)
        assert trend(None, before) == Trend.NEW
        assert trend(before, None) == Trend.NONE
    assert trend(None, None) == Trend.NONE


@pytest.mark.parametrize("review_state", [ReviewState.SUBMITTED, ReviewState.DRAFT, ReviewState.RETURNED])
def test_approved_in_q1_not_approved_in_q2_has_no_status_and_trend_none(plan, priority, review_state):
    initiative = InitiativeFactory(priority=priority, number=1)
    update(initiative, 1, Status.ON_TRACK, narrative="Lancé.", risks="Aucun.")
    update(initiative, 2, Status.AT_RISK, review_state=review_state, narrative="Brouillon.", risks="Retard.")

    only = row(report_for(plan, 2), "1.1")

    assert only.entry(1).status == Status.ON_TRACK
    assert only.entry(1).review_state == ReviewState.APPROVED
    assert only.entry(1).narrative == "Lancé."
    current = only.current
    assert current.quarter == 2
    assert current.status is None
    assert current.review_state == review_state
    # Nothing of an unapproved update reaches a report.
    assert (current.narrative, current.risks, current.next_steps) == ("", "", "")
    assert only.trend == Trend.NONE


def test_no_update_at_all_has_no_status_and_no_review_state(plan, priority):
    initiative = InitiativeFactory(priority=priority, number=1)
    update(initiative, 1, Status.ON_TRACK)

    only = row(report_for(plan, 2), "1.1")

    assert only.current.status is None
    assert only.current.review_state is None
    assert only.trend == Trend.NONE


def test_in_q1_every_approved_status_is_new(plan, priority):
    for number, status in enumerate([Status.ON_TRACK, Status.OFF_TRACK, Status.COMPLETED], start=1):
        update(InitiativeFactory(priority=priority, number=number), 1, status)
    InitiativeFactory(priority=priority, number=4)

    report = report_for(plan, 1)

    assert [(r.code, len(r.entries), r.trend) for r in report.initiatives] == [
        ("1.1", 1, Trend.NEW),
        ("1.2", 1, Trend.NEW),
        ("1.3", 1, Trend.NEW),
        ("1.4", 1, Trend.NONE),
    ]


def test_trend_reads_the_quarter_just_before_not_an_earlier_one(plan, priority):
    # Approved on track in Q1, only submitted in Q2, approved on track again in Q3: the
    # quarter before Q3 has no approved status, so Q3 is "new" rather than "same".
    initiative = InitiativeFactory(priority=priority, number=1)
    update(initiative, 1, Status.ON_TRACK)
    update(initiative, 2, Status.ON_TRACK, review_state=ReviewState.SUBMITTED)
    update(initiative, 3, Status.ON_TRACK)

    only = row(report_for(plan, 3), "1.1")

    assert [e.status for e in only.entries] == [Status.ON_TRACK, None, Status.ON_TRACK]
    assert only.trend == Trend.NEW


def test_a_later_quarters_update_is_not_in_an_earlier_report(plan, priority):
    initiative = InitiativeFactory(priority=priority, number=1)
    update(initiative, 1, Status.AT_RISK)
    update(initiative, 3, Status.COMPLETED)

    only = row(report_for(plan, 2), "1.1")

    assert len(only.entries) == 2
    assert only.entry(3) is None
    assert [e.status for e in only.entries] == [Status.AT_RISK, None]


# --- 2. status counts ------------------------------------------------------------------


def test_status_counts_per_quarter_per_priority_and_plan_wide(plan, priority):
    second = PriorityFactory(annual_plan=plan, number=2)
    PriorityFactory(annual_plan=plan, number=3)  # no initiatives
    i11, i12, i13 = (InitiativeFactory(priority=priority, number=n) for n in (1, 2, 3))
    i21, i22 = (InitiativeFactory(priority=second, number=n) for n in (1, 2))
    update(i11, 1, Status.ON_TRACK)
    update(i11, 2, Status.AT_RISK)
    update(i12, 1, Status.AT_RISK)
    update(i12, 2, Status.ON_TRACK, review_state=ReviewState.SUBMITTED)  # missing in Q2
    # i13: no update in any quarter
    update(i21, 1, Status.OFF_TRACK)
    update(i21, 2, Status.OFF_TRACK)
    update(i22, 1, Status.NOT_STARTED, review_state=ReviewState.DRAFT)  # missing in Q1
    update(i22, 2, Status.COMPLETED)

    report = report_for(plan, 2)

    p1, p2, p3 = report.priorities
    assert [c.quarter for c in p1.counts] == [1, 2]
    assert p1.counts[0].counts == counts((Status.ON_TRACK, 1), (Status.AT_RISK, 1))
    assert p1.counts[0].missing == 1
    assert p1.counts[1].counts == counts((Status.AT_RISK, 1))
    assert p1.counts[1].missing == 2
    assert p2.counts[0].counts == counts((Status.OFF_TRACK, 1))
    assert p2.counts[0].missing == 1
    assert p2.counts[1].counts == counts((Status.OFF_TRACK, 1), (Status.COMPLETED, 1))
    assert p2.counts[1].missing == 0
    assert [(c.counts, c.missing, c.total) for c in p3.counts] == [(NO_COUNTS, 0, 0), (NO_COUNTS, 0, 0)]
    assert report.totals.quarter == 2
    assert report.totals.counts == (
        (Status.OFF_TRACK, 1),
        (Status.AT_RISK, 1),
        (Status.NOT_STARTED, 0),
        (Status.ON_TRACK, 0),
        (Status.COMPLETED, 1),
    )
    assert report.totals.missing == 2
    assert report.totals.total == 5
    assert report.totals.count(Status.COMPLETED) == 1
    # The plan-wide count of Q1, from the same rows.
    q1 = status_counts(1, report.initiatives)
    assert q1.counts == counts((Status.OFF_TRACK, 1), (Status.AT_RISK, 1), (Status.ON_TRACK, 1))
    assert q1.missing == 2


# --- 3. indicators ---------------------------------------------------------------------


@pytest.fixture
def result(priority):
    return ExpectedResultFactory(priority=priority, number=1)


def make_indicator(result, number: int, baseline, target, **fields) -> Indicator:
    return IndicatorFactory(
        expected_result=result, number=number, baseline=Decimal(baseline), target=Decimal(target), **fields
    )


@pytest.mark.parametrize(
    ("baseline", "target", "direction", "value", "progress", "percent", "reached"),
    [
        pytest.param("10", "20", "increase", "12", 0.2, 20, False, id="rising"),
        pytest.param("14", "7", "decrease", "9", 5 / 7, 71, False, id="falling"),
        pytest.param("10", "20", "increase", "20", 1.0, 100, True, id="at-target"),
        pytest.param("10", "20", "increase", "25", 1.5, 100, True, id="past-target"),
        pytest.param("14", "7", "decrease", "4", 10 / 7, 100, True, id="falling-past-target"),
        pytest.param("10", "20", "increase", "8", -0.2, 0, False, id="rising-wrong-way"),
        pytest.param("14", "7", "decrease", "16", -2 / 7, 0, False, id="falling-wrong-way"),
        pytest.param("10", "20", "increase", "10", 0.0, 0, False, id="at-baseline"),
    ],
)
def test_indicator_progress_runs_from_baseline_to_target_either_way(
    plan, result, baseline, target, direction, value, progress, percent, reached
):
    ind = make_indicator(result, 1, baseline, target, direction=direction, unit="jours")
    measure(ind, 1, value)

    row_ = indicator(report_for(plan, 1), "1.1.1")

    assert (row_.direction, row_.unit, row_.baseline, row_.target) == (
        direction,
        "jours",
        Decimal(baseline),
        Decimal(target),
    )
    assert row_.values == ((1, Decimal(value)),)
    assert row_.latest == (1, Decimal(value))
    assert row_.progress == pytest.approx(progress)
    assert row_.progress_at(1) == pytest.approx(progress)
    assert row_.progress_percent == percent
    assert row_.reached is reached


def test_an_indicator_with_no_value_has_no_progress(plan, result):
    make_indicator(result, 1, "10", "20")

    row_ = indicator(report_for(plan, 4), "1.1.1")

    assert row_.values == ()
    assert row_.latest is None
    assert [row_.value_at(q) for q in (1, 2, 3, 4)] == [None, None, None, None]
    assert row_.progress_at(4) is None
    assert row_.progress is None
    assert row_.progress_percent is None
    assert row_.reached is False


def test_an_indicator_without_a_target_is_measured_but_has_no_progress(plan, result):
    """A plan rolled over leaves the targets to set: the values are kept, no progress is
    computed, and the board is not told it crossed a target it does not have."""
    ind = IndicatorFactory(expected_result=result, number=1, baseline=Decimal("10"), target=None)
    measure(ind, 1, "12")
    measure(ind, 2, "40")

    report = report_for(plan, 2)
    row_ = indicator(report, "1.1.1")

    assert (row_.target, row_.target_to_set) == (None, True)
    assert row_.latest == (2, Decimal("40"))
    assert [row_.progress_at(q) for q in (1, 2)] == [None, None]
    assert (row_.progress, row_.progress_percent, row_.reached) == (None, None, False)
    assert changes_since(report, 1).targets_crossed == ()


def test_value_at_takes_the_latest_value_in_or_before_the_quarter(plan, result):
    ind = make_indicator(result, 1, "10", "20")
    measure(ind, 1, "12")
    measure(ind, 3, "16")

    q3 = indicator(report_for(plan, 3), "1.1.1")
    assert q3.values == ((1, Decimal("12")), (3, Decimal("16")))
    assert q3.value_at(1) == (1, Decimal("12"))
    assert q3.value_at(2) == (1, Decimal("12"))  # Q2 measured nothing: Q1's value stands
    assert q3.value_at(3) == (3, Decimal("16"))
    assert q3.progress_at(2) == pytest.approx(0.2)
    assert q3.progress == pytest.approx(0.6)
    assert q3.progress_percent == 60

    q4 = indicator(report_for(plan, 4), "1.1.1")
    assert q4.value_at(4) == (3, Decimal("16"))
    assert q4.latest == (3, Decimal("16"))


def test_a_later_quarters_value_is_not_in_an_earlier_report(plan, result):
    early = make_indicator(result, 1, "10", "20")
    measure(early, 1, "12")
    measure(early, 3, "25")
    late = make_indicator(result, 2, "10", "20")
    measure(late, 3, "18")

    report = report_for(plan, 2)

    assert indicator(report, "1.1.1").values == ((1, Decimal("12")),)
    assert indicator(report, "1.1.1").progress == pytest.approx(0.2)
    assert indicator(report, "1.1.1").reached is False
    assert indicator(report, "1.1.2").values == ()
    assert indicator(report, "1.1.2").progress is None


def test_results_and_indicators_are_in_number_order_under_their_priority(plan, priority):
    second = PriorityFactory(annual_plan=plan, number=2)
    r12 = ExpectedResultFactory(priority=priority, number=2, text="Deuxième")
    r11 = ExpectedResultFactory(priority=priority, number=1, text="Premier")
    r21 = ExpectedResultFactory(priority=second, number=1, text="Autre")
    make_indicator(r11, 2, "0", "5")
    make_indicator(r11, 1, "0", "5")
    make_indicator(r12, 1, "0", "5")
    make_indicator(r21, 1, "0", "5")

    report = report_for(plan, 1)

    p1, p2 = report.priorities
    assert [(r.code, r.text, [i.code for i in r.indicators]) for r in p1.results] == [
        ("1.1", "Premier", ["1.1.1", "1.1.2"]),
        ("1.2", "Deuxième", ["1.2.1"]),
    ]
    assert [(r.code, [i.code for i in r.indicators]) for r in p2.results] == [("2.1", ["2.1.1"])]


# --- 4. missing updates and needs attention --------------------------------------------


def test_missing_lists_no_update_and_not_yet_approved_and_needs_attention_is_worst_first(plan, priority):
    second = PriorityFactory(annual_plan=plan, number=2)
    i11, i12, i13, i14, i15 = (InitiativeFactory(priority=priority, number=n) for n in range(1, 6))
    i21, i22 = (InitiativeFactory(priority=second, number=n) for n in (1, 2))
    update(i11, 2, Status.AT_RISK)
    update(i12, 2, Status.OFF_TRACK)
    update(i13, 2, Status.ON_TRACK)
    # i14: nothing written
    update(i15, 2, Status.OFF_TRACK, review_state=ReviewState.SUBMITTED)  # not approved: not in trouble yet
    update(i21, 2, Status.OFF_TRACK)
    update(i22, 2, Status.AT_RISK, review_state=ReviewState.RETURNED)
    update(i22, 1, Status.AT_RISK)  # approved last quarter only

    report = report_for(plan, 2)

    assert [(r.code, r.current.review_state) for r in report.missing] == [
        ("1.4", None),
        ("1.5", ReviewState.SUBMITTED),
        ("2.2", ReviewState.RETURNED),
    ]
    assert [(r.code, r.status) for r in report.needs_attention] == [
        ("1.2", Status.OFF_TRACK),
        ("2.1", Status.OFF_TRACK),
        ("1.1", Status.AT_RISK),
    ]
    assert report.totals.missing == 3


def test_nothing_missing_and_nothing_needing_attention(plan, priority):
    update(InitiativeFactory(priority=priority, number=1), 1, Status.ON_TRACK)
    update(InitiativeFactory(priority=priority, number=2), 1, Status.NOT_STARTED)

    report = report_for(plan, 1)

    assert report.missing == ()
    assert report.needs_attention == ()
    assert report.totals.missing == 0


# --- 5. empty quarter, plan without progress ------------------------------------------


def test_an_empty_fourth_quarter_has_every_status_none(plan, priority):
    second = PriorityFactory(annual_plan=plan, number=2)
    initiatives = [InitiativeFactory(priority=priority, number=n) for n in (1, 2)]
    initiatives.append(InitiativeFactory(priority=second, number=1))
    for initiative in initiatives:
        for quarter in (1, 2, 3):
            update(initiative, quarter, Status.AT_RISK)

    report = report_for(plan, 4)

    assert len(report.initiatives) == 3
    assert [(r.code, r.status, r.current.review_state, r.trend) for r in report.initiatives] == [
        ("1.1", None, None, Trend.NONE),
        ("1.2", None, None, Trend.NONE),
        ("2.1", None, None, Trend.NONE),
    ]
    assert all(r.entry(3).status == Status.AT_RISK for r in report.initiatives)
    assert report.totals.counts == NO_COUNTS
    assert report.totals.missing == 3
    assert codes(report.missing) == ["1.1", "1.2", "2.1"]
    assert report.needs_attention == ()
    assert report.better == report.worse == ()
    assert changes_since(report, 3).status_changes == ()


def test_a_plan_with_structure_only_builds_every_quarter_and_the_year(plan, priority):
    second = PriorityFactory(annual_plan=plan, number=2)
    for p in (priority, second):
        for n in (1, 2):
            InitiativeFactory(priority=p, number=n)
        make_indicator(ExpectedResultFactory(priority=p, number=1), 1, "0", "10")
        LearningQuestionFactory(priority=p, text=f"Question {p.number}")

    for quarter in (1, 2, 3, 4):
        report = report_for(plan, quarter)
        assert report.quarter.number == quarter
        assert len(report.initiatives) == 4
        assert all(len(r.entries) == quarter for r in report.initiatives)
        assert {(e.status, e.review_state) for r in report.initiatives for e in r.entries} == {(None, None)}
        assert {r.trend for r in report.initiatives} == {Trend.NONE}
        assert report.totals.counts == NO_COUNTS
        assert report.totals.missing == 4
        assert [(i.code, i.progress) for i in report.indicators] == [("1.1.1", None), ("2.1.1", None)]
        assert [(s.learning_question, s.reflections, s.reflection) for s in report.priorities] == [
            ("Question 1", (), None),
            ("Question 2", (), None),
        ]
        assert report.events == report.next_events == ()
        assert changes_since(report, quarter - 1 or None).empty

    annual = build_annual_report(load(plan))
    assert annual.year.quarter.number == 4
    assert annual.events == ()
    assert codes(annual.carried_over) == ["1.1", "1.2", "2.1", "2.2"]


def test_a_plan_without_priorities_builds(plan):
    report = report_for(plan, 2)

    assert report.priorities == ()
    assert report.initiatives == ()
    assert report.totals.total == 0
    assert build_annual_report(load(plan)).carried_over == ()


def test_the_year_carries_over_every_initiative_not_completed(plan, priority):
    """Issue 13: an initiative's year-end status is its last approved status of the year;
    completed in any quarter counts as completed (1.3 was reported so in Q3 and not after)."""
    done, going, silent, unapproved, earlier = (InitiativeFactory(priority=priority, number=n) for n in (1, 2, 3, 4, 5))
    update(done, 4, Status.COMPLETED)
    update(going, 4, Status.ON_TRACK)
    update(silent, 3, Status.COMPLETED)  # completed in Q3, nothing in Q4
    update(unapproved, 4, Status.COMPLETED, review_state=ReviewState.SUBMITTED)
    update(earlier, 2, Status.AT_RISK, risks="Budget.")  # nothing approved after Q2

    annual = build_annual_report(load(plan))

    assert codes(annual.carried_over) == ["1.2", "1.4", "1.5"]
    year_end = {row.code: entry and (entry.quarter, entry.status) for row, entry in annual.year_end}
    assert year_end == {
        "1.1": (4, Status.COMPLETED),
        "1.2": (4, Status.ON_TRACK),
        "1.3": (3, Status.COMPLETED),
        "1.4": None,
        "1.5": (2, Status.AT_RISK),
    }
    assert dict(annual.year_end_totals.counts)[Status.COMPLETED] == 2
    assert (annual.year_end_totals.missing, annual.year_end_totals.total) == (1, 5)
    assert annual.year_end_by_priority == (annual.year_end_totals,)


# --- 6. reflections and events --------------------------------------------------------


def test_the_section_reflection_is_the_quarters_and_reflections_stop_at_the_quarter(plan, priority):
    second = PriorityFactory(annual_plan=plan, number=2)
    question = LearningQuestionFactory(priority=priority, text="Qu'apprenons-nous ?")
    for quarter, text in [(1, "Premier trimestre."), (3, "Troisième trimestre."), (4, "Fin d'année.")]:
        LearningReflectionFactory(learning_question=question, quarter=quarter_of(plan, quarter), text=text)

    q2, q3 = report_for(plan, 2), report_for(plan, 3)

    assert q2.priorities[0].learning_question == "Qu'apprenons-nous ?"
    assert q2.priorities[0].reflections == (Reflection(1, "Premier trimestre."),)
    assert q2.priorities[0].reflection is None  # nothing written in Q2
    assert q3.priorities[0].reflections == (
        Reflection(1, "Premier trimestre."),
        Reflection(3, "Troisième trimestre."),
    )
    assert q3.priorities[0].reflection == Reflection(3, "Troisième trimestre.")
    assert report_for(plan, 4).priorities[0].reflection == Reflection(4, "Fin d'année.")
    assert report_for(plan, 1).priorities[0].reflection == Reflection(1, "Premier trimestre.")
    assert (q3.priorities[1].number, q3.priorities[1].learning_question, q3.priorities[1].reflections) == (
        second.number,
        "",
        (),
    )


def test_the_first_learning_question_is_the_sections(plan, priority):
    LearningQuestionFactory(priority=priority, number=2, text="Seconde question")
    LearningQuestionFactory(priority=priority, number=1, text="Première question")

    assert report_for(plan, 1).priorities[0].learning_question == "Première question"


@pytest.fixture
def calendar(plan, priority):
    """Events of Q1 (2022-07-01 to 2022-09-30), Q2, Q3 and Q4, linked in every way."""
    second = PriorityFactory(annual_plan=plan, number=2)
    initiative = InitiativeFactory(priority=second, number=1)
    InitiativeFactory(priority=priority, number=1)

    def event(slug, quarter, start=None, **fields):
        return EventFactory(annual_plan=plan, quarter=quarter_of(plan, quarter), slug=slug, start_date=start, **fields)

    event("undated", 1, title="Sans date")
    event("assemblee", 1, datetime.date(2022, 9, 20), title="Assemblée", priority=priority, kind="governance")
    event("atelier", 1, datetime.date(2022, 7, 5), title="Atelier", initiative=initiative)
    event(
        "forum",
        1,
        datetime.date(2022, 8, 10),
        title="Forum",
        end_date=datetime.date(2022, 8, 12),
        description="Trois jours.",
    )
    event("rapport", 2, datetime.date(2022, 11, 1), title="Rapport", priority=priority)
    event("campagne", 3, datetime.date(2023, 2, 1), title="Campagne", initiative=initiative)
    event("bilan", 4, datetime.date(2023, 6, 1), title="Bilan")


def test_report_events_are_the_quarters_and_next_events_the_next_quarters(plan, calendar):
    q1 = report_for(plan, 1)

    # By date, the undated last.
    assert [e.slug for e in q1.events] == ["atelier", "forum", "assemblee", "undated"]
    assert [e.slug for e in q1.next_events] == ["rapport"]
    forum = q1.events[1]
    assert (forum.title, forum.kind, forum.quarter, forum.start, forum.end, forum.description) == (
        "Forum",
        "other",
        1,
        datetime.date(2022, 8, 10),
        datetime.date(2022, 8, 12),
        "Trois jours.",
    )
    assert [(e.slug, e.priority_number, e.initiative_code) for e in q1.events] == [
        ("atelier", 2, "2.1"),
        ("forum", None, None),
        ("assemblee", 1, None),
        ("undated", None, None),
    ]
    assert [e.slug for e in report_for(plan, 3).next_events] == ["bilan"]
    q4 = report_for(plan, 4)
    assert [e.slug for e in q4.events] == ["bilan"]
    assert q4.next_events == ()


def test_section_events_are_this_quarters_linked_to_the_priority(plan, calendar):
    q1 = report_for(plan, 1)

    assert [e.slug for e in q1.priorities[0].events] == ["assemblee"]  # linked directly
    assert [e.slug for e in q1.priorities[1].events] == ["atelier"]  # through initiative 2.1
    q3 = report_for(plan, 3)
    assert q3.priorities[0].events == ()
    assert [e.slug for e in q3.priorities[1].events] == ["campagne"]


def test_the_annual_report_has_the_whole_years_events_in_order(plan, calendar):
    annual = build_annual_report(load(plan))

    assert [(e.quarter, e.slug) for e in annual.events] == [
        (1, "atelier"),
        (1, "forum"),
        (1, "assemblee"),
        (1, "undated"),
        (2, "rapport"),
        (3, "campagne"),
        (4, "bilan"),
    ]
    assert [e.slug for e in annual.year.events] == ["bilan"]


def test_another_plans_events_and_updates_stay_out(plan, priority):
    other = AnnualPlanFactory(slug="2023-24", title="Plan annuel 2023-2024", start_date=datetime.date(2023, 7, 1))
    other_priority = PriorityFactory(annual_plan=other, number=1)
    update(InitiativeFactory(priority=other_priority, number=1), 1, Status.ON_TRACK)
    EventFactory(annual_plan=other, quarter=quarter_of(other, 1), slug="ailleurs")
    InitiativeFactory(priority=priority, number=1)

    report = report_for(plan, 1)

    assert codes(report.initiatives) == ["1.1"]
    assert report.initiatives[0].status is None
    assert report.events == ()


# --- 7. changes_since ------------------------------------------------------------------


def test_changes_since_lists_status_changes_risks_completions_and_targets(plan, priority, result):
    i = {n: InitiativeFactory(priority=priority, number=n) for n in range(1, 9)}
    update(i[1], 1, Status.ON_TRACK)
    update(i[1], 2, Status.AT_RISK, risks="Financement incertain.")  # worse, with a new risk
    update(i[2], 1, Status.ON_TRACK, risks="Retard.")
    update(i[2], 2, Status.ON_TRACK, risks="  Retard.\n")  # the same risk
    update(i[3], 1, Status.ON_TRACK)
    update(i[3], 2, Status.COMPLETED)  # completed
    update(i[4], 1, Status.COMPLETED)
    update(i[4], 2, Status.COMPLETED)  # completed already
    update(i[5], 1, Status.ON_TRACK)
    update(i[5], 2, Status.OFF_TRACK, review_state=ReviewState.SUBMITTED, risks="Non lu.")  # not approved
    update(i[6], 2, Status.NOT_STARTED)  # first status
    update(i[7], 1, Status.AT_RISK, risks="Partenaire absent.")
    update(i[7], 2, Status.AT_RISK, risks="Élections.")  # another risk
    update(i[8], 1, Status.AT_RISK, risks="Partenaire absent.")
    update(i[8], 2, Status.ON_TRACK, risks="   ")  # better, blank risks
    rising = {n: make_indicator(result, n, "10", "20") for n in range(1, 5)}
    measure(rising[1], 1, "15")
    measure(rising[1], 2, "20")  # crossed
    measure(rising[2], 1, "22")
    measure(rising[2], 2, "25")  # reached already
    measure(rising[3], 2, "21")  # crossed, nothing measured before
    measure(rising[4], 1, "12")
    measure(rising[4], 2, "18")  # not there yet
    falling = make_indicator(result, 5, "14", "7", direction="decrease")
    measure(falling, 1, "9")
    measure(falling, 2, "7")  # crossed downwards
    make_indicator(result, 6, "0", "1")  # never measured

    report = report_for(plan, 2)
    changes = changes_since(report, 1)

    assert changes.since == 1
    assert [(c.initiative.code, c.before, c.after) for c in changes.status_changes] == [
        ("1.1", Status.ON_TRACK, Status.AT_RISK),
        ("1.3", Status.ON_TRACK, Status.COMPLETED),
        ("1.6", None, Status.NOT_STARTED),
        ("1.8", Status.AT_RISK, Status.ON_TRACK),
    ]
    assert codes(changes.new_risks) == ["1.1", "1.7"]
    assert codes(changes.completed) == ["1.3"]
    assert codes(changes.targets_crossed) == ["1.1.1", "1.1.3", "1.1.5"]
    assert changes.empty is False


def test_changes_since_compares_with_the_given_quarter_not_the_one_before(plan, priority, result):
    initiative = InitiativeFactory(priority=priority, number=1)
    update(initiative, 1, Status.ON_TRACK)
    update(initiative, 2, Status.AT_RISK, risks="Retard.")
    update(initiative, 3, Status.ON_TRACK, risks="Retard.")
    ind = make_indicator(result, 1, "10", "20")
    measure(ind, 1, "12")
    measure(ind, 2, "21")
    measure(ind, 3, "23")

    report = report_for(plan, 3)

    since_q1 = changes_since(report, 1)
    assert since_q1.status_changes == ()  # on track then and now
    assert codes(since_q1.new_risks) == ["1.1"]
    assert codes(since_q1.targets_crossed) == ["1.1.1"]
    since_q2 = changes_since(report, 2)
    assert [(c.before, c.after) for c in since_q2.status_changes] == [(Status.AT_RISK, Status.ON_TRACK)]
    assert since_q2.new_risks == ()
    assert since_q2.targets_crossed == ()


def test_no_changes_when_nothing_changed(plan, priority):
    initiative = InitiativeFactory(priority=priority, number=1)
    update(initiative, 1, Status.ON_TRACK, risks="Retard.")
    update(initiative, 2, Status.ON_TRACK, risks="Retard.")

    changes = changes_since(report_for(plan, 2), 1)

    assert changes.since == 1
    assert changes.empty is True


@pytest.mark.parametrize(("quarter", "since"), [(2, None), (1, None), (2, 2), (2, 3), (4, 4)])
def test_changes_since_nothing_or_a_later_quarter_is_empty(plan, priority, quarter, since):
    initiative = InitiativeFactory(priority=priority, number=1)
    update(initiative, 1, Status.ON_TRACK)
    update(initiative, 2, Status.COMPLETED, risks="Aucun.")

    changes = changes_since(report_for(plan, quarter), since)

    assert changes.since is None
    assert (changes.status_changes, changes.new_risks, changes.completed, changes.targets_crossed) == ((), (), (), ())
    assert changes.empty is True


# --- 8. a fixed number of queries -----------------------------------------------------


def populate(plan, priorities: int, initiatives: int, indicators: int, events: int) -> None:
    """``priorities`` priorities each with ``initiatives`` initiatives (a lead, approved
    updates in Q1 and Q2, a submitted one in Q3), ``indicators`` indicators over two
    results (values in Q1 and Q2), a learning question with reflections, and ``events``
    events in Q2 and Q3 linked to the priority, to an initiative and to nothing."""
    for p in range(1, priorities + 1):
        priority = PriorityFactory(annual_plan=plan, number=p)
        question = LearningQuestionFactory(priority=priority)
        for quarter in (1, 2):
            LearningReflectionFactory(learning_question=question, quarter=quarter_of(plan, quarter))
        first = None
        for n in range(1, initiatives + 1):
            initiative = InitiativeFactory(priority=priority, number=n)
            first = first or initiative
            MembershipFactory(initiative=initiative, user=UserFactory(username=f"{plan.slug}-lead-{p}-{n}"))
            update(initiative, 1, Status.ON_TRACK)
            update(initiative, 2, Status.AT_RISK, risks="Risque.")
            update(initiative, 3, Status.ON_TRACK, review_state=ReviewState.SUBMITTED)
        results = [ExpectedResultFactory(priority=priority, number=r) for r in (1, 2)]
        for n in range(1, indicators + 1):
            ind = make_indicator(results[n % 2], n, "0", "10")
            measure(ind, 1, "4")
            measure(ind, 2, "11")
        for n in range(events):
            links = [{"priority": priority}, {"initiative": first}, {}][n % 3]
            EventFactory(annual_plan=plan, quarter=quarter_of(plan, 2 + n % 2), slug=f"p{p}-e{n}", **links)


def test_the_quarterly_report_runs_the_same_number_of_queries_whatever_the_plans_size(django_assert_num_queries):
    small = AnnualPlanFactory(slug="small", start_date=datetime.date(2022, 7, 1))
    large = AnnualPlanFactory(slug="large", start_date=datetime.date(2023, 7, 1))
    populate(small, priorities=1, initiatives=1, indicators=1, events=1)
    populate(large, priorities=5, initiatives=6, indicators=4, events=6)

    small_plan, large_plan = load(small), load(large)
    with django_assert_num_queries(QUARTERLY_REPORT_QUERIES):
        small_report = build_quarterly_report(small_plan, 2)
    with django_assert_num_queries(QUARTERLY_REPORT_QUERIES):
        large_report = build_quarterly_report(large_plan, 2)

    # The two reports hold what was built, reading every relation that could cost a query.
    assert (len(small_report.initiatives), len(large_report.initiatives)) == (1, 30)
    assert (len(small_report.indicators), len(large_report.indicators)) == (1, 20)
    assert (len(small_report.events), len(large_report.events)) == (1, 15)
    assert len(large_report.next_events) == 15
    assert large_report.initiatives[-1].lead == "large-lead-5-6"
    assert large_report.initiatives[-1].current.risks == "Risque."
    assert large_report.indicators[-1].code == "5.2.3"
    assert large_report.indicators[-1].reached is True
    linked = sorted(e.initiative_code for e in large_report.events if e.initiative_code)
    assert linked == ["1.1", "2.1", "3.1", "4.1", "5.1"]
    assert sum(len(s.events) for s in large_report.priorities) == 10
    assert [len(s.reflections) for s in large_report.priorities] == [2] * 5


def test_the_annual_report_runs_a_fixed_number_of_queries(django_assert_num_queries):
    small = AnnualPlanFactory(slug="small", start_date=datetime.date(2022, 7, 1))
    large = AnnualPlanFactory(slug="large", start_date=datetime.date(2023, 7, 1))
    populate(small, priorities=1, initiatives=1, indicators=1, events=1)
    populate(large, priorities=4, initiatives=5, indicators=3, events=6)

    small_plan, large_plan = load(small), load(large)
    with django_assert_num_queries(ANNUAL_REPORT_QUERIES):
        build_annual_report(small_plan)
    with django_assert_num_queries(ANNUAL_REPORT_QUERIES):
        annual = build_annual_report(large_plan)
    assert len(annual.events) == 24
    assert len(annual.carried_over) == 20


# --- 9. the real fixtures -------------------------------------------------------------


@pytest.mark.parametrize("quarter", [1, 2, 3])
def test_the_demo_reports_count_what_the_database_holds(demo_progress, quarter):
    plan = AnnualPlan.objects.select_related("strategic_plan").get(slug="2022-23")

    report = build_quarterly_report(plan, quarter)

    assert len(report.priorities) == 5
    assert len(report.initiatives) == 14
    approved = Counter(
        StatusUpdate.objects.filter(
            initiative__priority__annual_plan=plan, quarter__number=quarter, review_state="approved"
        ).values_list("status", flat=True)
    )
    assert dict(report.totals.counts) == {status: approved[status] for status in Status.values}
    assert report.totals.missing == 14 - sum(approved.values())
    assert report.totals.total == 14


def test_the_demo_q2_report(demo_progress):
    plan = AnnualPlan.objects.select_related("strategic_plan").get(slug="2022-23")

    report = build_quarterly_report(plan, 2)

    # Computed by hand from fixtures/demo_progress_2022_23.json: every Q2 update is approved.
    assert report.totals.counts == counts((Status.OFF_TRACK, 1), (Status.AT_RISK, 6), (Status.ON_TRACK, 7))
    assert report.totals.missing == 0
    assert [len(s.initiatives) for s in report.priorities] == [
        StrategicPriority.objects.get(annual_plan=plan, number=n).initiatives.count() for n in range(1, 6)
    ]


def test_the_demo_priority_titles_keep_their_accents(demo_progress):
    plan = AnnualPlan.objects.select_related("strategic_plan").get(slug="2022-23")

    with translation.override("fr"):  # the plan's French, the seed's words
        report = build_quarterly_report(plan, 2)
        in_database = list(StrategicPriority.objects.filter(annual_plan=plan).order_by("number").values_list("title"))
        strategic_plan_title = plan.strategic_plan.title
    assert [(s.title,) for s in report.priorities] == in_database
    fixture = json.loads(PLAN_FIXTURE.read_text(encoding="utf-8"))
    in_fixture = [o["fields"]["title_fr"] for o in fixture if o["model"] == "priorities.strategicpriority"]
    assert sorted(s.title for s in report.priorities) == sorted(in_fixture)
    assert report.priorities[0].title.startswith("Générer des connaissances")
    assert report.strategic_plan_title == strategic_plan_title


# --- 10. the quarter must be 1-4 ------------------------------------------------------


@pytest.mark.parametrize("quarter", [0, 5, -1])
def test_a_quarter_outside_1_to_4_is_refused(plan, quarter):
    with pytest.raises(ValueError, match="quarter must be 1-4"):
        report_for(plan, quarter)
