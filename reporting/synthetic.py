"""The builder of a synthetic plan (manage.py generate_synthetic_plan, whose docstring says
how it scales and why)."""

import datetime
import decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.utils import translation

from civicplan.roles import EDITORS, STAFF
from initiatives.models import (
    Indicator,
    IndicatorValue,
    Initiative,
    LearningReflection,
    Membership,
    ReviewState,
    Status,
    StatusUpdate,
)
from priorities.models import (
    AnnualPlan,
    Event,
    ExpectedResult,
    KeyChange,
    LearningQuestion,
    OrganisationalArea,
    OrganisationalPriority,
    Quarter,
    StrategicPlan,
    StrategicPriority,
    quarter_bounds,
)

from .synthetic_data import (
    EDITOR_USERNAME,
    FIRST_NAMES,
    INITIATIVE_THEMES,
    LANGUAGE,
    LAST_NAMES,
    NARRATIVES,
    NEXT_STEPS,
    PACES,
    PRIORITY_THEMES,
    PROGRESS,
    REFLECTION,
    REVIEW_CODES,
    REVIEWS,
    RISKS,
    SEED_EVENTS,
    SEED_MIX,
    STAFF_PER_PRIORITY,
    STAFF_PREFIX,
    START_DATE,
    STATUS_CODES,
    STATUSES,
    STRATEGIC_PLAN_SLUG,
    moment,
    write,
)


class Builder:
    """Builds one synthetic plan, level by level: each level is validated, then written."""

    def __init__(self, *, scale: int, slug: str):
        self.scale = scale
        self.slug = slug

    def build(self) -> dict[str, int]:
        # The synthetic text is French, the plan's language: it is written into the French
        # columns (django-modeltranslation writes ``title`` into the active language's).
        with translation.override(LANGUAGE):
            self.make_people()
            self.make_plan()
            self.make_structure()
            self.make_tracking()
            self.make_events()
        return {
            "priorities": len(self.priorities),
            "expected results": len(self.results),
            "learning questions": len(self.questions),
            "initiatives": len(self.initiatives),
            "memberships": len(self.memberships),
            "indicators": len(self.indicators),
            "status updates": len(self.updates),
            "indicator values": len(self.values),
            "reflections": len(self.reflections),
            "events": len(self.events),
        }

    # People ------------------------------------------------------------------------

    def make_people(self) -> None:
        count = STAFF_PER_PRIORITY * len(SEED_MIX) * self.scale
        usernames = [f"{STAFF_PREFIX}{n:04d}" for n in range(1, count + 1)]
        people = self.users(usernames, STAFF)
        self.staff = [people[name] for name in usernames]
        self.editor = self.users([EDITOR_USERNAME], EDITORS)[EDITOR_USERNAME]

    def users(self, usernames: list[str], group_name: str) -> dict:
        """The users of these names, made when missing, each in the group."""
        User = get_user_model()
        try:
            group = Group.objects.get(name=group_name)
        except Group.DoesNotExist as error:
            raise CommandError(f"The group {group_name!r} is missing: run the migrations first.") from error
        users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        new = []
        for name in usernames:
            if name in users:
                continue
            n = int(name.rsplit("-", 1)[-1]) if name[-1].isdigit() else 0
            user = User(
                username=name,
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)],
                email=f"{name}@example.org",
            )
            user.set_unusable_password()
            new.append(user)
        users |= {u.username: u for u in write(User, new)}
        through = User.groups.through
        grouped = set(through.objects.filter(group=group, user__in=users.values()).values_list("user_id", flat=True))
        write(through, [through(user=u, group=group) for u in users.values() if u.pk not in grouped])
        return users

    def person(self, block: int, priority: int, which: int):
        """One of the two staff of a priority in a block."""
        return self.staff[((block * len(SEED_MIX)) + priority - 1) * STAFF_PER_PRIORITY + which]

    # The plan and its structure ----------------------------------------------------

    def make_plan(self) -> None:
        strategic = StrategicPlan.objects.filter(slug=STRATEGIC_PLAN_SLUG).first()
        if strategic is None:
            strategic = write(
                StrategicPlan,
                [
                    StrategicPlan(
                        slug=STRATEGIC_PLAN_SLUG,
                        title="Plan stratégique synthétique 2022-2027",
                        start_year=2022,
                        end_year=2027,
                        overall_goal="Renforcer la société civile et l'action civique (données synthétiques).",
                        goal_description="Un plan inventé pour mesurer l'application à grande échelle.",
                    )
                ],
            )[0]
            write(
                KeyChange,
                [
                    KeyChange(strategic_plan=strategic, number=n, title=f"Changement clé {n}", description="Inventé.")
                    for n in range(1, 4)
                ],
            )
        self.plan = write(
            AnnualPlan,
            [
                AnnualPlan(
                    strategic_plan=strategic,
                    slug=self.slug,
                    title=f"Plan annuel synthétique 2022-2023 (×{self.scale})",
                    start_date=START_DATE,
                    language=LANGUAGE,
                    context=f"Un plan synthétique {self.scale} fois plus grand que le plan 2022-23, pour les mesures.",
                    monitoring="Suivi trimestriel par les responsables des initiatives, revu par les éditeurs.",
                    calendar_note="Calendrier synthétique",
                )
            ],
        )[0]
        self.quarters = {}
        for quarter in write(
            Quarter,
            [
                Quarter(annual_plan=self.plan, number=n, start_date=start, end_date=end)
                for n in range(1, 5)
                for start, end in [quarter_bounds(START_DATE, n)]
            ],
        ):
            self.quarters[quarter.number] = quarter
        write(
            OrganisationalPriority,
            [
                OrganisationalPriority(
                    annual_plan=self.plan,
                    area=area,
                    number=n,
                    title=str(label),
                    description=f"Priorité organisationnelle synthétique : {str(label).lower()}.",
                )
                for n, (area, label) in enumerate(OrganisationalArea.choices, start=1)
            ],
        )

    def make_structure(self) -> None:
        self.priorities = {
            p.number: p
            for p in write(
                StrategicPriority,
                [
                    StrategicPriority(
                        annual_plan=self.plan,
                        number=p,
                        title=f"Priorité synthétique {p} : {theme}",
                        short_title=theme,
                        statement=f"Énoncé de la priorité synthétique {p}, {self.scale} fois plus fournie que la "
                        "priorité du plan 2022-23 dont elle reprend la composition.",
                    )
                    for p, theme in PRIORITY_THEMES.items()
                ],
            )
        }
        # Keyed by (priority, block, number within the block), 0-based block, 1-based number.
        results, questions, initiatives = {}, {}, {}
        for block in range(self.scale):
            for p, (initiative_count, result_specs) in SEED_MIX.items():
                priority = self.priorities[p]
                for r in range(1, len(result_specs) + 1):
                    number = block * len(result_specs) + r
                    results[p, block, r] = ExpectedResult(
                        priority=priority,
                        number=number,
                        text=f"Résultat attendu {p}.{number} : les membres et partenaires utilisent davantage nos "
                        "analyses et nos outils pour défendre l'espace civique.",
                    )
                questions[p, block] = LearningQuestion(
                    priority=priority,
                    number=block + 1,
                    text=f"Question d'apprentissage {p}.{block + 1} : qu'avons-nous appris de nos contributions ?",
                )
                for i in range(1, initiative_count + 1):
                    number = block * initiative_count + i
                    initiatives[p, block, i] = Initiative(
                        priority=priority,
                        number=number,
                        title=f"Initiative {p}.{number} : {INITIATIVE_THEMES[(number + p) % len(INITIATIVE_THEMES)]}",
                        description="Une initiative synthétique : ses activités, ses partenaires et ses livrables "
                        "reprennent la forme de celles du plan 2022-23.",
                    )
        write(ExpectedResult, list(results.values()))
        write(LearningQuestion, list(questions.values()))
        write(Initiative, list(initiatives.values()))
        self.results, self.questions, self.initiatives = results, questions, initiatives

        # Each initiative serves the expected results of its own block, as in the seed.
        through = Initiative.expected_results.through
        write(
            through,
            [
                through(initiative=initiative, expectedresult=self.results[p, block, r])
                for (p, block, _i), initiative in initiatives.items()
                for r in range(1, len(SEED_MIX[p][1]) + 1)
            ],
        )

        memberships = []
        for (p, block, i), initiative in initiatives.items():
            lead = (i - 1) % STAFF_PER_PRIORITY
            team = (self.person(block, p, 1 - lead), self.person(block, p % len(SEED_MIX) + 1, 0))
            memberships.append(
                Membership(initiative=initiative, user=self.person(block, p, lead), role=Membership.Role.LEAD)
            )
            memberships += [Membership(initiative=initiative, user=u, role=Membership.Role.MEMBER) for u in team]
        self.memberships = write(Membership, memberships)
        self.leads = {m.initiative_id: m.user for m in self.memberships if m.role == Membership.Role.LEAD}

        indicators = {}
        for (p, block, r), result in results.items():
            for n, (unit, baseline, target) in enumerate(SEED_MIX[p][1][r - 1], start=1):
                indicators[p, block, r, n] = Indicator(
                    expected_result=result,
                    number=n,
                    name=f"Indicateur {result.code}.{n} : {unit} (synthétique)",
                    unit=unit,
                    baseline=decimal.Decimal(baseline),
                    target=decimal.Decimal(target),
                    direction=Indicator.Direction.INCREASE if target > baseline else Indicator.Direction.DECREASE,
                    description="Mesuré chaque trimestre par le responsable de la priorité.",
                )
        self.indicators = indicators
        write(Indicator, list(indicators.values()))

    # A year of tracking ------------------------------------------------------------

    def make_tracking(self) -> None:
        updates, values, reflections = [], [], []
        for number, quarter in self.quarters.items():
            due = quarter.end_date + datetime.timedelta(days=5)
            for block in range(self.scale):
                slot = 0
                for p, (initiative_count, result_specs) in SEED_MIX.items():
                    for i in range(1, initiative_count + 1):
                        # Each block turns the mix by one, so blocks differ but counts do not.
                        turn = (slot + block) % 14
                        updates.append(
                            self.status_update(
                                self.initiatives[p, block, i],
                                quarter,
                                STATUS_CODES[STATUSES[number][turn]],
                                REVIEW_CODES[REVIEWS[number][turn]],
                                due,
                            )
                        )
                        slot += 1
                    author = self.person(block, p, 0)
                    for r, specs in enumerate(result_specs, start=1):
                        for n in range(1, len(specs) + 1):
                            indicator = self.indicators[p, block, r, n]
                            values.append(
                                self.indicator_value(indicator, quarter, author, due, pace=(r + n + block) % 3)
                            )
                    reflection = LearningReflection(
                        learning_question=self.questions[p, block],
                        quarter=quarter,
                        text=REFLECTION.format(quarter=quarter.code, code=self.questions[p, block].code),
                        author=author,
                    )
                    reflection._history_user = author
                    reflection._history_date = moment(due, 11)
                    reflections.append(reflection)
        self.updates = write(StatusUpdate, updates)
        self.values = write(IndicatorValue, values)
        self.reflections = write(LearningReflection, reflections)

    def status_update(self, initiative, quarter, status, review, due) -> StatusUpdate:
        author = self.leads[initiative.pk]
        update = StatusUpdate(
            initiative=initiative,
            quarter=quarter,
            status=status,
            narrative=NARRATIVES[initiative.number % len(NARRATIVES)].format(
                code=initiative.code, quarter=quarter.code
            ),
            risks=RISKS if status in (Status.AT_RISK, Status.OFF_TRACK) else "",
            next_steps=NEXT_STEPS,
            review_state=review,
            author=author,
            version=1,
        )
        updated = moment(due)
        if review != ReviewState.DRAFT:
            update.submitted_at = updated
            update.version = 2
        if review in (ReviewState.APPROVED, ReviewState.RETURNED):
            update.reviewed_by = self.editor
            update.reviewed_at = updated = moment(due + datetime.timedelta(days=3))
            update.version = 3
        if review == ReviewState.RETURNED:
            update.review_comment = "Merci de préciser les risques et le calendrier de rattrapage."
        update._history_user = author
        update._history_date = updated
        return update

    def indicator_value(self, indicator, quarter, author, due, *, pace: int) -> IndicatorValue:
        share = decimal.Decimal(str(PROGRESS[quarter.number - 1] * PACES[pace]))
        value = (indicator.baseline + (indicator.target - indicator.baseline) * share).quantize(decimal.Decimal("0.01"))
        record = IndicatorValue(
            indicator=indicator,
            quarter=quarter,
            value=max(value, decimal.Decimal(0)),
            note="Valeur consolidée à partir des rapports des partenaires." if pace == 1 else "",
            author=author,
        )
        record._history_user = author
        record._history_date = moment(due, 10)
        return record

    def make_events(self) -> None:
        events = []
        for block in range(self.scale):
            for seed in SEED_EVENTS:
                quarter = self.quarters[seed.quarter]
                start = end = None
                if seed.offset is not None:
                    start = quarter.start_date + datetime.timedelta(days=seed.offset)
                    end = start + datetime.timedelta(days=seed.days) if seed.days else None
                events.append(
                    Event(
                        annual_plan=self.plan,
                        quarter=quarter,
                        slug=f"{seed.slug}-{block + 1}",
                        title=seed.title if self.scale == 1 else f"{seed.title} ({block + 1})",
                        kind=seed.kind,
                        start_date=start,
                        end_date=end,
                        priority=self.priorities[seed.priority] if seed.priority else None,
                        initiative=self.initiatives[seed.priority, block, seed.initiative] if seed.initiative else None,
                    )
                )
        self.events = write(Event, events)
