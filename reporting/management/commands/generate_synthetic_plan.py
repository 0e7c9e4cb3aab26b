"""Build a synthetic annual plan N times the size of the seed plan:
``manage.py generate_synthetic_plan --scale 20`` makes the plan ``synthetic-x20``. It is
made for the benchmark (``make bench``) and for trying the pages at a size the seed never
reaches. Its texts are invented, in French like the seed.

How it scales
-------------
The plan keeps the seed's five strategic priorities, and each priority holds N times the
seed's content for it: N "blocks", each the seed's mix for that priority (priority 3, for
one: three expected results with two indicators each, three initiatives, one learning
question). Growing the number of priorities instead (5N priorities of the seed's size)
would leave a priority's page the size of the seed's whatever N, and the benchmark's
"same number of queries at 1x and 20x" would prove nothing for it. This way the plan page,
a priority's page, the calendar, the API, the dashboard's review queue and the reports
all hold N times more. An initiative serves the expected results of its own block, as a
seed initiative serves those of its priority, so an initiative's page keeps about the
seed's size (its history grows with its priority's reflections).

At scale N, with the seed's figures at N = 1:

- one annual plan starting on 2022-07-01 like the seed, so that every quarter is past,
  and its four quarters; its strategic plan, ``synthetic-2022-2027``, is shared by every
  synthetic plan;
- 5 strategic priorities, 11N expected results, 5N learning questions, 14N initiatives,
  17N indicators, and 4 organisational priorities (one per area, and there are four);
- 21N events, in every quarter (6N, 6N, 5N and 4N in Q1 to Q4): the seed's calendar
  once per block, linked to priorities and initiatives as in the seed;
- for EVERY quarter, Q1 to Q4 (the demo progress stops at Q3): one status update per
  initiative (56N), one value per indicator (68N), one reflection per learning question
  (20N). Within a block the statuses follow the demo's mix (on track mostly, not started
  in Q1, then at risk, off track, completed); the review states are mostly approved: all
  in Q1 and Q2, 10 of 14 in Q3, 8 of 14 in Q4, so 46N approved, 6N submitted, 2N drafts
  and 2N returned;
- people: two staff per priority and block (10N, group "staff"), each initiative led by
  one of them with two team members (42N memberships), and one editor who reviews
  (``synthetic-editor``, group "editors"). They are shared by every synthetic plan and
  created when missing (``synthetic-staff-0001``, ...); their passwords are unusable,
  nobody signs in as them.

Through the same code paths as real data
----------------------------------------
Every object is built as a model instance and checked with ``full_clean()``: its fields
(lengths, choices, formats) and its ``clean()``, the rules across objects (a status
update's quarter in its initiative's plan, an event's dates inside its quarter...). Its
foreign keys and its ``Meta.constraints`` (unique, check) are left to the database, which
holds every one of them (the migrations made them) and checks each row as it is
inserted: checking them in Python as well costs one to three queries per constraint and
object, about ten times the whole run (N=20 on SQLite: some 12 s of CPU instead of 1).
The tests run the complete ``full_clean()`` on samples of every model. The rows of the
many-to-many tables (initiatives' expected results, users' groups) are not validated:
Django's related managers never do either.

The objects are then written with ``bulk_create``, parents first, all in one
transaction: the plan is there whole or not at all. ``bulk_create`` sends no signal, so
django-simple-history would record nothing; the command writes the history rows itself
with simple_history's ``bulk_create_with_history`` (one more bulk insert per model), so
that an initiative's history and the calendar feed's "last changed" read as they do for
real data. A quarterly record's history is dated after its quarter's end and signed by
its author.

A slug names one plan: the command refuses to run over an existing plan unless given
``--replace``, which deletes that plan (with its tracking, events and board updates) and
builds it anew in the same transaction. It never replaces a plan that is not synthetic.
"""

import datetime
import decimal
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from simple_history.utils import bulk_create_with_history

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
    EventKind,
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
from reporting.models import BoardUpdate

START_DATE = datetime.date(2022, 7, 1)
STRATEGIC_PLAN_SLUG = "synthetic-2022-2027"
STAFF_PREFIX = "synthetic-staff-"
EDITOR_USERNAME = "synthetic-editor"
HISTORY_REASON = "synthetic plan"
STAFF_PER_PRIORITY = 2

# Per priority, as in the seed: its number of initiatives, and its expected results, each
# given by its indicators (unit, baseline, target; a target below the baseline means
# "lower is better").
SEED_MIX = {
    1: (3, ((("initiatives", 12, 30),), (("citations", 120, 200), ("références", 25, 45)))),
    2: (3, ((("actions", 4, 10),), (("organisations", 40, 90), ("jours", 10, 5)))),
    3: (
        3,
        (
            (("jours", 14, 7), ("militants", 150, 220)),
            (("donateurs", 6, 15), ("utilisateurs", 1200, 2000)),
            (("offres", 2, 8), ("%", 30, 50)),
        ),
    ),
    4: (2, ((("études de cas", 0, 6),), (("étapes", 0, 5),))),
    5: (3, ((("modèles", 1, 4), ("%", 60, 80)), (("alliances", 3, 8),))),
}
PRIORITY_THEMES = {
    1: "Connaissances et analyses en temps opportun",
    2: "Plaidoyer ciblé",
    3: "Écosystèmes durables et de soutien d'urgence",
    4: "Discours public et récits de la société civile",
    5: "Contre-pouvoir avec les groupes les plus touchés",
}
INITIATIVE_THEMES = (
    "analyses régionales de l'espace civique",
    "accompagnement des membres dans leur plaidoyer",
    "fonds de solidarité pour les groupes non enregistrés",
    "formation aux récits de la société civile",
    "alliances avec les mouvements de jeunes",
    "veille des restrictions et alertes rapides",
    "dialogue avec les donateurs sur le financement flexible",
)


@dataclass(frozen=True)
class SeedEvent:
    quarter: int
    slug: str
    title: str
    kind: str
    priority: int | None = None
    initiative: int | None = None  # its number within the priority, in a block
    offset: int | None = None  # days from the quarter's first day, when dated
    days: int = 0  # how many days after the first it ends


# The seed's calendar (6, 6, 5 and 4 events in Q1 to Q4), with a date in every quarter.
SEED_EVENTS = (
    SeedEvent(
        1, "q1-forum-politique", "Forum politique de haut niveau (FPHN)", EventKind.INTERNATIONAL, 2, None, 4, 10
    ),
    SeedEvent(1, "q1-assemblee-generale", "Assemblée générale de l'ONU", EventKind.INTERNATIONAL, 2, None, 81, 6),
    SeedEvent(1, "q1-campagne-temoin", "Activités de campagne #SoyezMonTémoin", EventKind.CAMPAIGN, 5),
    SeedEvent(
        1, "q1-journee-jeunesse", "Réseautage, Journée internationale de la jeunesse", EventKind.NETWORK, 5, None, 42
    ),
    SeedEvent(1, "q1-audit", "Audit financier et rapports IITA", EventKind.GOVERNANCE),
    SeedEvent(1, "q1-retraite", "Retraite inter-régionale Innovation For Change", EventKind.NETWORK, 3, 3),
    SeedEvent(2, "q2-conseil-droits", "Conseil des droits de l'homme", EventKind.INTERNATIONAL, 2, 1),
    SeedEvent(2, "q2-semaine-redevabilite", "Semaine mondiale de la redevabilité", EventKind.CAMPAIGN, 4, 1),
    SeedEvent(2, "q2-mois-membres", "Mois des membres", EventKind.NETWORK, None, None, 31, 29),
    SeedEvent(2, "q2-rapport-reunion", "Rapport sur la liberté de réunion pacifique", EventKind.PUBLICATION, 1, 2),
    SeedEvent(2, "q2-lancement-campagne", "Lancement de la campagne annuelle", EventKind.CAMPAIGN, 2, 3),
    SeedEvent(2, "q2-examen-plan", "Examen du plan stratégique précédent", EventKind.GOVERNANCE),
    SeedEvent(3, "q3-rapport-socs", "Rapport sur l'état de la société civile", EventKind.PUBLICATION, 1, 3),
    SeedEvent(3, "q3-conseil-droits", "Conseil des droits de l'homme", EventKind.INTERNATIONAL, 2, 1),
    SeedEvent(
        3, "q3-condition-femme", "Commission de la condition de la femme", EventKind.INTERNATIONAL, 2, None, 64, 11
    ),
    SeedEvent(3, "q3-journee-femme", "Journée internationale de la femme", EventKind.CAMPAIGN, None, None, 66),
    SeedEvent(3, "q3-fair-share", "Contribution au rapport Fair Share Monitor", EventKind.PUBLICATION),
    SeedEvent(4, "q4-rapport-pouvoir", "Rapport « Pouvoir du peuple sous attaque »", EventKind.PUBLICATION, 1, 2),
    SeedEvent(4, "q4-conseil-droits", "Conseil des droits de l'homme", EventKind.INTERNATIONAL, 2, 1),
    SeedEvent(4, "q4-planification", "Planification et budget de l'année suivante", EventKind.GOVERNANCE),
    SeedEvent(4, "q4-elections", "Élections du Conseil", EventKind.GOVERNANCE, None, None, 60),
)

# A block's 14 initiatives in the seed's order (1.1, 1.2, 1.3, 2.1, ... 5.3), quarter by
# quarter: the demo's mix of statuses (Not started, on Track, at Risk, Off track,
# Completed) and the review states, mostly approved (Approved, Submitted, Draft,
# Returned). Per quarter, 14 letters, one per initiative.
STATUS_CODES = {"N": Status.NOT_STARTED, "T": Status.ON_TRACK, "R": Status.AT_RISK, "O": Status.OFF_TRACK}
STATUS_CODES |= {"C": Status.COMPLETED}
STATUSES = {1: "TTTTTNTTRTNTTT", 2: "TRTTRTRTORTTRR", 3: "TTCTRTTRRTTTOT", 4: "CTCTTCTTRCTTOT"}
REVIEW_CODES = {"A": ReviewState.APPROVED, "S": ReviewState.SUBMITTED, "D": ReviewState.DRAFT}
REVIEW_CODES |= {"R": ReviewState.RETURNED}
REVIEWS = {1: "A" * 14, 2: "A" * 14, 3: "AAAARASAADASAA", 4: "ASARAASASADAAS"}
# How far towards its target an indicator is at the end of each quarter, and paces that
# make some indicators lag and others pass their target.
PROGRESS = (0.2, 0.45, 0.7, 0.95)
PACES = (1.0, 0.6, 1.2)

NARRATIVES = (
    "Les activités prévues pour {code} au {quarter} ont été menées avec les membres et les partenaires "
    "régionaux : deux ateliers, une note d'analyse diffusée à l'alliance et le suivi des engagements pris "
    "lors de la dernière réunion.",
    "Au {quarter}, l'équipe de {code} a consolidé les contributions reçues, publié une synthèse et préparé "
    "les prochaines étapes avec les groupes concernés ; la participation des membres reste soutenue.",
    "Le {quarter} a été consacré pour {code} à la collecte des données et aux entretiens avec les acteurs "
    "de terrain ; les premiers résultats ont été partagés avec le secrétariat et discutés avec le Conseil.",
)
RISKS = (
    "Le financement d'un partenaire n'est pas confirmé et l'équipe est réduite ce trimestre ; un plan de "
    "rattrapage est proposé et sera suivi chaque mois."
)
NEXT_STEPS = "Finaliser les livrables du trimestre, partager les résultats avec les membres et préparer le bilan."
REFLECTION = (
    "Au {quarter}, les échanges avec les membres montrent que nos analyses sont davantage reprises quand elles "
    "sont co-construites avec eux ; nous testerons cette approche sur la question {code} au trimestre suivant."
)
FIRST_NAMES = ("Amina", "Bruno", "Chiara", "Daniel", "Esi", "Farid", "Grace", "Hugo", "Imani", "Jonas")
LAST_NAMES = ("Ndiaye", "Okafor", "Silva", "Nguyen", "Haddad", "Mensah", "Rossi", "Kamau", "Dubois", "Mwangi")


def _moment(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def _write(model, objects: list, *, batch_size: int = 500) -> list:
    """Validate every object with full_clean(), then insert them all in bulk (and their
    history rows, for a model with history)."""
    if not model._meta.auto_created:
        # The foreign keys and the constraints are the database's to check (see the
        # module's docstring): in Python they would cost queries for each object.
        relations = {field.name for field in model._meta.concrete_fields if field.is_relation}
        for obj in objects:
            obj.full_clean(exclude=relations, validate_constraints=False)
    if getattr(model._meta, "simple_history_manager_attribute", None):
        return bulk_create_with_history(objects, model, batch_size=batch_size, default_change_reason=HISTORY_REASON)
    return model.objects.bulk_create(objects, batch_size=batch_size)


class Command(BaseCommand):
    help = (
        "Build a synthetic annual plan N times the size of the seed plan (default slug synthetic-x<N>), "
        "with a full year of tracking; refuses an existing slug unless given --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, required=True, help="N: how many times the seed plan's size.")
        parser.add_argument("--slug", help="The annual plan's slug (default: synthetic-x<N>).")
        parser.add_argument(
            "--replace", action="store_true", help="Delete the synthetic plan of that slug first, if there is one."
        )

    def handle(self, *args, scale: int, slug: str | None = None, replace: bool = False, **options):
        if scale < 1:
            raise CommandError(f"--scale must be 1 or more, not {scale}.")
        slug = slug or f"synthetic-x{scale}"
        started = time.perf_counter()
        try:
            with transaction.atomic():
                existing = AnnualPlan.objects.select_related("strategic_plan").filter(slug=slug).first()
                if existing is not None:
                    if not replace:
                        raise CommandError(
                            f"An annual plan with the slug {slug!r} exists already: give --replace to delete it "
                            "and build it anew, or choose another --slug."
                        )
                    self.delete_plan(existing)
                counts = Builder(scale=scale, slug=slug).build()
        except ValidationError as error:
            raise CommandError(f"A synthetic object failed its model's validation: {error}") from error
        except IntegrityError as error:
            raise CommandError(f"The database refused a synthetic row (nothing was written): {error}") from error
        seconds = time.perf_counter() - started
        if options.get("verbosity", 1) >= 1:
            made = ", ".join(f"{count} {name}" for name, count in counts.items())
            self.stdout.write(f"Built the synthetic plan {slug} (scale {scale}) in {seconds:.1f} s: {made}.")

    def delete_plan(self, plan: AnnualPlan) -> None:
        if plan.strategic_plan.slug != STRATEGIC_PLAN_SLUG:
            raise CommandError(
                f"The plan {plan.slug!r} is not a synthetic plan (its strategic plan is "
                f"{plan.strategic_plan.slug!r}): --replace only ever deletes synthetic plans."
            )
        # The quarters are protected by what is recorded in them: those go first.
        BoardUpdate.objects.filter(annual_plan=plan).delete()
        StatusUpdate.objects.filter(quarter__annual_plan=plan).delete()
        IndicatorValue.objects.filter(quarter__annual_plan=plan).delete()
        LearningReflection.objects.filter(quarter__annual_plan=plan).delete()
        Event.objects.filter(annual_plan=plan).delete()
        try:
            plan.delete()
        except ProtectedError as error:
            raise CommandError(f"The plan {plan.slug!r} cannot be deleted: {error.args[0]}") from error


class Builder:
    """Builds one synthetic plan, level by level: each level is validated, then written."""

    def __init__(self, *, scale: int, slug: str):
        self.scale = scale
        self.slug = slug

    def build(self) -> dict[str, int]:
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
        users |= {u.username: u for u in _write(User, new)}
        through = User.groups.through
        grouped = set(through.objects.filter(group=group, user__in=users.values()).values_list("user_id", flat=True))
        _write(through, [through(user=u, group=group) for u in users.values() if u.pk not in grouped])
        return users

    def person(self, block: int, priority: int, which: int):
        """One of the two staff of a priority in a block."""
        return self.staff[((block * len(SEED_MIX)) + priority - 1) * STAFF_PER_PRIORITY + which]

    # The plan and its structure ----------------------------------------------------

    def make_plan(self) -> None:
        strategic = StrategicPlan.objects.filter(slug=STRATEGIC_PLAN_SLUG).first()
        if strategic is None:
            strategic = _write(
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
            _write(
                KeyChange,
                [
                    KeyChange(strategic_plan=strategic, number=n, title=f"Changement clé {n}", description="Inventé.")
                    for n in range(1, 4)
                ],
            )
        self.plan = _write(
            AnnualPlan,
            [
                AnnualPlan(
                    strategic_plan=strategic,
                    slug=self.slug,
                    title=f"Plan annuel synthétique 2022-2023 (×{self.scale})",
                    start_date=START_DATE,
                    language="fr",
                    context=f"Un plan synthétique {self.scale} fois plus grand que le plan 2022-23, pour les mesures.",
                    monitoring="Suivi trimestriel par les responsables des initiatives, revu par les éditeurs.",
                    calendar_note="Calendrier synthétique",
                )
            ],
        )[0]
        self.quarters = {}
        for quarter in _write(
            Quarter,
            [
                Quarter(annual_plan=self.plan, number=n, start_date=start, end_date=end)
                for n in range(1, 5)
                for start, end in [quarter_bounds(START_DATE, n)]
            ],
        ):
            self.quarters[quarter.number] = quarter
        _write(
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
            for p in _write(
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
        _write(ExpectedResult, list(results.values()))
        _write(LearningQuestion, list(questions.values()))
        _write(Initiative, list(initiatives.values()))
        self.results, self.questions, self.initiatives = results, questions, initiatives

        # Each initiative serves the expected results of its own block, as in the seed.
        through = Initiative.expected_results.through
        _write(
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
        self.memberships = _write(Membership, memberships)
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
        _write(Indicator, list(indicators.values()))

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
                    reflection._history_date = _moment(due, 11)
                    reflections.append(reflection)
        self.updates = _write(StatusUpdate, updates)
        self.values = _write(IndicatorValue, values)
        self.reflections = _write(LearningReflection, reflections)

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
        updated = _moment(due)
        if review != ReviewState.DRAFT:
            update.submitted_at = updated
            update.version = 2
        if review in (ReviewState.APPROVED, ReviewState.RETURNED):
            update.reviewed_by = self.editor
            update.reviewed_at = updated = _moment(due + datetime.timedelta(days=3))
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
        record._history_date = _moment(due, 10)
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
        self.events = _write(Event, events)
