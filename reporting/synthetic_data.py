"""What a synthetic plan is made of (manage.py generate_synthetic_plan, whose docstring
says how it scales): the seed's mix per priority, themes, statuses and reviews by quarter,
invented texts and names, and the helpers that write validated objects in bulk."""

import datetime
from dataclasses import dataclass

from simple_history.utils import bulk_create_with_history

from civicplan import versions
from initiatives.models import (
    ReviewState,
    Status,
)
from priorities.models import (
    EventKind,
)

START_DATE = datetime.date(2022, 7, 1)
STRATEGIC_PLAN_SLUG = "synthetic-2022-2027"
# The language the synthetic text is written in: the plan's, as the 2022-23 plan's.
LANGUAGE = "fr"
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


def moment(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def write(model, objects: list, *, batch_size: int = 500) -> list:
    """Validate every object with full_clean(), then insert them all in bulk (and their
    history rows, for a model with history). Bulk inserts send no signal: the data version
    is moved here."""
    versions.changed()
    if not model._meta.auto_created:
        # The foreign keys and the constraints are the database's to check (see the
        # module's docstring): in Python they would cost queries for each object.
        relations = {field.name for field in model._meta.concrete_fields if field.is_relation}
        for obj in objects:
            obj.full_clean(exclude=relations, validate_constraints=False)
    if getattr(model._meta, "simple_history_manager_attribute", None):
        return bulk_create_with_history(objects, model, batch_size=batch_size, default_change_reason=HISTORY_REASON)
    return model.objects.bulk_create(objects, batch_size=batch_size)
