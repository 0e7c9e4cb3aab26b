"""Editors saving the same quarterly update at the same moment, each in its own thread with
its own database connection: one save wins, every other is refused as a conflict and
leaves no trace, whatever the order the database puts them in.

PostgreSQL only: SQLite serialises every write on one file lock, so there is no race to
test there; CI runs this on PostgreSQL.
"""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from civicplan import editing
from civicplan.roles import EDITORS
from initiatives import services
from initiatives.models import LearningReflection, Status, StatusUpdate
from tests.factories import (
    InitiativeFactory,
    LearningQuestionFactory,
    PriorityFactory,
    StatusUpdateFactory,
    UserFactory,
    quarter_of,
)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises all writes, so concurrent saves cannot race "
        "(CI runs this on PostgreSQL; locally set DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 60  # seconds a thread may wait at the barrier or for its save


def editors(count: int) -> list:
    group, _created = Group.objects.get_or_create(name=EDITORS)
    people = [UserFactory(username=f"editor-{n}") for n in range(count)]
    for person in people:
        person.groups.add(group)
    return people


def save_all_at_once(people, *, initiative, quarter, seen) -> dict:
    """Every person saves their own words, all starting from ``seen``, released together.

    Returns {username: the saved update, or the exception raised}."""
    barrier = threading.Barrier(len(people), timeout=TIMEOUT)
    outcomes = {}

    def save(person):
        try:
            connection.ensure_connection()  # connected before the start, so that they race
            barrier.wait()
            outcomes[person.username] = services.quarterly_update_save(
                user=person,
                initiative=initiative,
                quarter=quarter,
                data=services.QuarterlyInput(
                    status=Status.ON_TRACK,
                    narrative=f"Récit de {person.username}.",
                    reflection=f"Réflexion de {person.username}.",
                ),
                fingerprint=seen,
            )
        except Exception as error:  # every outcome is asserted below
            outcomes[person.username] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a save is still waiting: a lock was never released"
    return outcomes


@pytest.mark.parametrize("existing", [True, False], ids=["update-exists", "first-update"])
@pytest.mark.parametrize("count", [2, 10])
def test_one_of_the_concurrent_saves_wins_and_the_others_are_refused(count, existing):
    priority = PriorityFactory(number=1)
    initiative = InitiativeFactory(priority=priority, number=1)
    LearningQuestionFactory(priority=priority)
    quarter = quarter_of(priority.annual_plan, 2)
    if existing:
        StatusUpdateFactory(initiative=initiative, quarter=quarter, narrative="Avant.", version=3)
    start = services.quarterly_state(initiative=initiative, quarter=quarter)
    assert start["version"] == (3 if existing else 0)
    history_before = StatusUpdate.history.count()
    people = editors(count)

    outcomes = save_all_at_once(
        people, initiative=initiative, quarter=quarter, seen=editing.fingerprint(services.quarterly_values(start))
    )

    winners = [name for name, outcome in outcomes.items() if isinstance(outcome, StatusUpdate)]
    losers = [name for name, outcome in outcomes.items() if isinstance(outcome, editing.EditConflict)]
    assert len(outcomes) == count
    assert len(winners) == 1, outcomes
    assert len(losers) == count - 1, outcomes  # no deadlock, no integrity error: a conflict each
    (winner,) = winners
    for name in losers:
        # Named as the form names them: what the winner wrote, not what it left alone.
        assert {"narrative", "reflection"} <= set(outcomes[name].changed)
        assert not {"risks", "next_steps"} & set(outcomes[name].changed)
        assert outcomes[name].current["narrative"] == f"Récit de {winner}."

    update = StatusUpdate.objects.get(initiative=initiative, quarter=quarter)
    assert update.narrative == f"Récit de {winner}."
    assert update.author.username == winner
    assert update.version == start["version"] + 1
    reflection = LearningReflection.objects.get(quarter=quarter)
    assert reflection.text == f"Réflexion de {winner}."
    assert StatusUpdate.history.count() == history_before + 1
    assert StatusUpdate.history.filter(id=update.pk).latest("history_id").narrative == update.narrative
    stored = [
        *StatusUpdate.objects.values_list("narrative", flat=True),
        *StatusUpdate.history.values_list("narrative", flat=True),
        *LearningReflection.objects.values_list("text", flat=True),
        *LearningReflection.history.values_list("text", flat=True),
    ]
    for name in losers:
        assert f"Récit de {name}." not in stored
        assert f"Réflexion de {name}." not in stored
