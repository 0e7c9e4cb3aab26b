"""The 2022-23 plan fixture holds the whole seed plan, cleanly, and reloads without changing anything.

The expected titles and counts below are written from the seed
(``seed/000_323864c4d5182dd7.txt``), not read from the fixture, so that a fixture
that drifts from the seed fails here. ``fixtures/README.md`` lists the editorial
decisions these tests pin down.
"""

import datetime

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.db import models
from django.utils import translation

from initiatives.models import Initiative
from priorities.models import (
    AnnualPlan,
    Event,
    ExpectedResult,
    KeyChange,
    LearningQuestion,
    OrganisationalPriority,
    Quarter,
    StrategicPlan,
    StrategicPriority,
)

# Loaded by path: it does not depend on FIXTURE_DIRS.
FIXTURE = settings.BASE_DIR / "fixtures" / "annual_plan_2022_23.json"
PLAN_APPS = ("priorities", "initiatives")

PRIORITY_TITLES = [
    "Générer des connaissances et des analyses en temps opportun sur les actions de la société civile "
    "en relation avec l'espace civique et démocratique",
    "Coordonner un plaidoyer ciblé pour défendre et élargir l'espace civique et démocratique",
    "Contribuer à renforcer les écosystèmes durables et de soutien d'urgence pour les militants et les "
    "organisations vulnérables",
    "Renforcer le discours public sur l'espace civique et les récits de la société civile",
    "Construire un contre-pouvoir avec les groupes les plus touchés et leurs mouvements",
]

INITIATIVE_TITLES = {
    1: ["CIVICUS Lens", "CIVICUS Monitor", "État de la Société Civile"],
    2: [
        "Renforcer les normes et standards pour l'espace civique",
        "Plaidoyer ciblé",
        "75e anniversaire de la DUDH",
    ],
    3: [
        "Renforcer le soutien à la société civile dans des contextes de restriction",
        "Faire en sorte que l'allocation des ressources de l'espace civique soit plus équitable et plus efficace",
        "Améliorer les mécanismes de soutien & de solidarité",
    ],
    4: [
        "Contribuer à renforcer la confiance du public dans la société civile",
        "Améliorer notre compréhension des changements dans le discours public et au niveau de l'engagement du public",
    ],
    5: [
        "Renforcer la solidarité",
        "Soutenir les mobilisations pour le changement",
        "Concevoir conjointement des outils pour le changement",
    ],
}

EXPECTED_RESULTS_PER_PRIORITY = [2, 2, 3, 2, 2]

QUARTER_DATES = {
    1: (datetime.date(2022, 7, 1), datetime.date(2022, 9, 30)),
    2: (datetime.date(2022, 10, 1), datetime.date(2022, 12, 31)),
    3: (datetime.date(2023, 1, 1), datetime.date(2023, 3, 31)),
    4: (datetime.date(2023, 4, 1), datetime.date(2023, 6, 30)),
}

EVENTS_PER_QUARTER = {1: 6, 2: 6, 3: 5, 4: 4}

# Seed words that were extraction glitches or a translation slip, fixed in the fixture.
GLITCHES = [
    "**",
    "contribuentelles",
    "comblelacunes",
    "cidessus",
    "2022- 2027",
    "révélés de la société civile",
    "Activités événements",
    "2001-2002",
    "2022-23AA",
    "Question d'apprentissage",
    "Question apprentissage",
]
# What UTF-8 French text looks like when it was decoded as Latin-1 or escaped twice.
MOJIBAKE = ["Ã", "Â", "\ufffd", "\\u00"]


def load_plan():
    call_command("loaddata", str(FIXTURE), verbosity=0)


@pytest.fixture(autouse=True)
def _read_in_french():
    """The seed's words are the plan's French: ``title`` reads ``title_fr`` (the tests run in
    English, which reads the fixture's English; tests/priorities/test_plan_languages.py)."""
    with translation.override("fr"):
        yield


@pytest.fixture
def plan(db):
    load_plan()
    return AnnualPlan.objects.get(slug="2022-23")


def plan_models():
    return [model for label in PLAN_APPS for model in apps.get_app_config(label).get_models()]


def text_values():
    """Every non-empty text of every loaded object: (label, text)."""
    for model in plan_models():
        text_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        for obj in model.objects.all():
            for field in text_fields:
                value = getattr(obj, field.attname)
                if value:
                    yield f"{model._meta.label} {obj.pk} {field.name}", value


def snapshot():
    """Row counts, primary keys and a natural-key dump of every model of the plan's apps."""
    counts, pks, dumps = {}, {}, {}
    for model in plan_models():
        label = model._meta.label
        rows = model.objects.order_by("pk")
        counts[label] = rows.count()
        pks[label] = list(rows.values_list("pk", flat=True))
        dumps[label] = serializers.serialize("json", rows, use_natural_foreign_keys=True, use_natural_primary_keys=True)
    return counts, pks, dumps


@pytest.mark.django_db
def test_strategic_plan_and_key_changes(plan):
    strategic_plan = StrategicPlan.objects.get()
    assert strategic_plan.slug == "2022-2027"
    assert strategic_plan.title == "Plan stratégique 2022-2027"
    assert (strategic_plan.start_year, strategic_plan.end_year) == (2022, 2027)
    assert strategic_plan.overall_goal == (
        "Renforcer la société civile et l'action civique pour un espace civique et démocratique élargi."
    )
    assert strategic_plan.goal_description.startswith("Nous avons désormais un objectif unique")
    assert strategic_plan.closing_statement.startswith("Le plan actualisé devrait renforcer notre contribution")
    assert plan.strategic_plan == strategic_plan
    assert list(KeyChange.objects.values_list("number", "title")) == [
        (1, "La détermination d'un objectif global"),
        (
            2,
            "L'accent mis sur la lutte contre les effets combinés des restrictions de l'espace civique et des "
            "formes structurelles de discrimination",
        ),
        (3, "Une articulation de nos contributions à un changement systémique à long terme"),
    ]


@pytest.mark.django_db
def test_annual_plan_and_its_quarters(plan):
    assert AnnualPlan.objects.count() == 1
    assert Quarter.objects.count() == 4
    assert plan.title == "Plan annuel 2022-2023"
    assert plan.start_date == datetime.date(2022, 7, 1)
    assert plan.end_date == datetime.date(2023, 6, 30)
    assert plan.language == "fr"
    assert plan.context.startswith("En amont de notre processus de planification annuelle")
    assert plan.monitoring.startswith("Nous suivons les progrès réalisés par rapport à ce plan")
    assert plan.calendar_note == "Ce calendrier sera mis à jour tout au long de l'année"
    quarters = {q.number: (q.start_date, q.end_date) for q in plan.quarters.all()}
    assert quarters == QUARTER_DATES
    assert not plan.quarters.filter(lock__isnull=False).exists()


@pytest.mark.django_db
def test_counts_match_the_seed(plan):
    assert StrategicPriority.objects.filter(annual_plan=plan).count() == 5
    priorities = list(plan.priorities.order_by("number"))
    assert [p.number for p in priorities] == [1, 2, 3, 4, 5]
    assert [p.initiatives.count() for p in priorities] == [3, 3, 3, 2, 3]
    assert Initiative.objects.count() == 14
    assert [p.expected_results.count() for p in priorities] == EXPECTED_RESULTS_PER_PRIORITY
    assert ExpectedResult.objects.count() == 11
    assert [p.learning_questions.count() for p in priorities] == [1, 1, 1, 1, 1]
    assert LearningQuestion.objects.count() == 5
    assert list(OrganisationalPriority.objects.order_by("number").values_list("number", "area", "title")) == [
        (1, "strategy", "Une stratégie"),
        (2, "people", "Des personnes"),
        (3, "systems", "Des systèmes"),
        (4, "sustainability", "Durabilité"),
    ]
    assert Event.objects.count() == 21
    per_quarter = {q.number: q.events.count() for q in plan.quarters.all()}
    assert per_quarter == EVENTS_PER_QUARTER


@pytest.mark.django_db
def test_priority_titles_are_the_seeds(plan):
    assert list(plan.priorities.order_by("number").values_list("title", flat=True)) == PRIORITY_TITLES
    # The seed's list says "révélés", its section 4 says "récits": "récits" is the right word.
    assert "récits" in plan.priorities.get(number=4).title
    assert list(plan.priorities.order_by("number").values_list("short_title", flat=True)) == [
        "Connaissances et analyses en temps opportun",
        "Plaidoyer ciblé",
        "Écosystèmes durables et de soutien d'urgence",
        "Discours public et récits de la société civile",
        "Contre-pouvoir avec les groupes les plus touchés",
    ]


@pytest.mark.django_db
def test_initiative_titles_are_the_seeds(plan):
    titles = {
        number: list(
            Initiative.objects.filter(priority__number=number).order_by("number").values_list("title", flat=True)
        )
        for number in INITIATIVE_TITLES
    }
    assert titles == INITIATIVE_TITLES


@pytest.mark.django_db
def test_expected_results_include_the_ones_flattened_out_of_their_column(plan):
    """Sections 1, 3 and 4 print some results before their heading; they still belong to the priority."""
    first_words = {
        (r.priority.number, r.number): r.text.split(" ", 4)[:4]
        for r in ExpectedResult.objects.select_related("priority")
    }
    assert first_words[(1, 1)] == ["Nos", "connaissances", "et", "nos"]
    assert first_words[(3, 1)] == ["Les", "militants", "bénéficient", "d'un"]
    assert first_words[(3, 3)] == ["Les", "offres", "de", "CIVICUS"]
    assert first_words[(4, 1)] == ["Nous", "aurons", "une", "meilleure"]
    assert first_words[(5, 2)] == ["Des", "alliances", "et", "actions"]


@pytest.mark.django_db
def test_each_initiative_serves_its_own_prioritys_results(plan):
    for initiative in Initiative.objects.select_related("priority"):
        served = set(initiative.expected_results.values_list("pk", flat=True))
        own = set(initiative.priority.expected_results.values_list("pk", flat=True))
        assert served == own, initiative


@pytest.mark.django_db
def test_every_event_date_lies_in_its_quarter(plan):
    dated = {}
    for event in Event.objects.select_related("quarter"):
        for day in (event.start_date, event.end_date):
            if day is not None:
                assert event.quarter.contains(day), (event.slug, day, event.quarter)
        if event.start_date:
            dated[event.slug] = (event.start_date, event.end_date)
    assert dated == {
        "q1-forum-politique-de-haut-niveau": (datetime.date(2022, 7, 5), datetime.date(2022, 7, 15)),
        "q1-assemblee-generale-de-l-onu": (datetime.date(2022, 9, 20), datetime.date(2022, 9, 26)),
        "q1-journee-internationale-de-la-jeunesse": (datetime.date(2022, 8, 12), None),
        "q3-commission-condition-de-la-femme": (datetime.date(2023, 3, 6), datetime.date(2023, 3, 17)),
        "q3-journee-internationale-de-la-femme": (datetime.date(2023, 3, 8), None),
    }


@pytest.mark.django_db
def test_event_links_to_priorities_and_initiatives(plan):
    links = {
        e.slug: (
            e.priority.number if e.priority else None,
            e.initiative.code if e.initiative else None,
        )
        for e in Event.objects.select_related("priority", "initiative__priority")
    }
    assert links["q3-rapport-etat-de-la-societe-civile"] == (1, "1.3")
    assert links["q4-rapport-pouvoir-du-peuple-sous-attaque"] == (1, "1.2")
    assert links["q2-rapport-liberte-de-reunion-pacifique"] == (1, "1.2")
    assert links["q2-semaine-mondiale-de-la-redevabilite"] == (4, "4.1")
    assert links["q1-campagnes-soyezmontemoin-et-revolution-de-la-solidarite"] == (5, None)
    assert links["q1-audit-financier-et-rapports-iita"] == (None, None)
    for slug, (priority, initiative) in links.items():
        if initiative is not None:
            assert initiative.startswith(f"{priority}."), slug


@pytest.mark.django_db
def test_every_loaded_object_passes_full_clean(plan):
    checked = 0
    for model in plan_models():
        for obj in model.objects.all():
            obj.full_clean()
            checked += 1
    assert checked == 69


@pytest.mark.django_db
def test_no_markdown_glitch_or_mojibake_in_any_text(plan):
    texts = list(text_values())
    assert len(texts) > 100
    for where, value in texts:
        for bad in GLITCHES + MOJIBAKE:
            assert bad not in value, (where, bad, value)
        assert "*" not in value, (where, value)
        assert value == value.strip(), where
        assert "\n" not in value, where


@pytest.mark.django_db
def test_fixed_words_and_accents_are_there(plan):
    assert "contribuent-elles" in LearningQuestion.objects.get(priority__number=1).text
    assert "comble-lacunes" in LearningQuestion.objects.get(priority__number=4).text
    assert "ci-dessus" in OrganisationalPriority.objects.get(area="sustainability").description
    assert "œuvrer" in Initiative.objects.get(priority__number=2, number=1).description
    assert "Plan Stratégique révisé pour la période 2022-2027 (PDF anglais)" in plan.context
    titles = set(Event.objects.values_list("title", flat=True))
    assert "Audit financier 2021-2022 et rapports IITA (Initiative internationale pour la transparence de l'aide)" in (
        titles
    )
    assert (
        "Activités et événements de campagne liés à #SoyezMonTémoin et #RévolutiondeLaSolidaritéAvecLesMilitants"
        in titles
    )
    assert "Élections et vote des membres du Conseil" in titles
    assert "Rapport « Pouvoir du peuple sous attaque »" in titles


@pytest.mark.django_db
def test_loading_twice_changes_nothing(plan):
    counts, pks, dumps = snapshot()
    assert counts["priorities.Event"] == 21
    load_plan()
    assert snapshot() == (counts, pks, dumps)
