"""The quarterly update's writes: all or nothing, no lost update, locked quarters, review."""

import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicplan import editing
from initiatives import services
from initiatives.models import IndicatorValue, Initiative, LearningReflection, ReviewState, Status, StatusUpdate
from priorities.models import Quarter, QuarterLock, QuarterLockChange

pytestmark = pytest.mark.django_db


def initiative(code: str) -> Initiative:
    priority, number = (int(n) for n in code.split("."))
    return Initiative.objects.get_by_natural_key("2022-23", priority, number)


def quarter(number: int) -> Quarter:
    return Quarter.objects.get_by_natural_key("2022-23", number)


def shown(state) -> str:
    """The fingerprint a quarterly form carries of ``state``."""
    return editing.fingerprint(services.quarterly_values(state))


def save(user, code, number, seen=None, submit=False, **fields):
    init, q = initiative(code), quarter(number)
    state = services.quarterly_state(initiative=init, quarter=q)
    data = services.QuarterlyInput(**{"status": Status.ON_TRACK, "narrative": "Avancé.", **fields})
    return services.quarterly_update_save(
        user=user,
        initiative=init,
        quarter=q,
        data=data,
        fingerprint=seen or shown(state),
        submit=submit,
    )


def test_a_lead_writes_a_new_update_with_values_and_reflection(users):
    lens = initiative("1.1")
    indicator_ids = list(services.quarterly_state(initiative=lens, quarter=quarter(4))["values"])
    assert not StatusUpdate.objects.filter(initiative=lens, quarter=quarter(4)).exists()

    update = save(
        users["staff"],
        "1.1",
        4,
        status=Status.AT_RISK,
        risks="Financement incertain.",
        indicator_values={indicator_ids[0]: decimal.Decimal("31")},
        reflection="Nos analyses servent aux campagnes.",
    )

    assert (update.status, update.version, update.review_state, update.author) == (
        Status.AT_RISK,
        1,
        ReviewState.DRAFT,
        users["staff"],
    )
    assert IndicatorValue.objects.get(indicator_id=indicator_ids[0], quarter=quarter(4)).value == 31
    reflection = LearningReflection.objects.get(learning_question__priority=lens.priority, quarter=quarter(4))
    assert reflection.text == "Nos analyses servent aux campagnes."
    assert update.history.count() == 1


def test_staff_cannot_write_an_initiative_they_do_not_run(users):
    before = StatusUpdate.objects.get(initiative=initiative("2.1"), quarter=quarter(3))
    with pytest.raises(PermissionDenied):
        save(users["staff"], "2.1", 3, narrative="Pas à moi.")
    assert StatusUpdate.objects.get(pk=before.pk).narrative == before.narrative


@pytest.mark.parametrize("username", ["board", "staff2"])
def test_board_and_other_staff_cannot_write(users, username):
    with pytest.raises(PermissionDenied):
        save(users[username], "1.1", 4)
    assert not StatusUpdate.objects.filter(initiative=initiative("1.1"), quarter=quarter(4)).exists()


def test_an_editor_writes_any_initiative(users):
    update = save(users["editor"], "2.1", 4, narrative="Écrit par l'éditrice.")
    assert update.author == users["editor"]


def test_a_member_who_is_not_the_lead_writes_too(users):
    assert save(users["staff"], "5.2", 4).initiative.code == "5.2"


def test_the_second_of_two_concurrent_saves_is_refused_with_what_changed(users):
    lens, q3 = initiative("1.1"), quarter(3)
    opened = services.quarterly_state(initiative=lens, quarter=q3)
    seen = shown(opened)
    before = StatusUpdate.objects.get(initiative=lens, quarter=q3)

    first = save(users["staff"], "1.1", 3, seen=seen, status=Status.AT_RISK, risks="A", narrative="Premier.")
    assert first.version == before.version + 1

    with pytest.raises(editing.EditConflict) as conflict:
        services.quarterly_update_save(
            user=users["editor"],
            initiative=lens,
            quarter=q3,
            data=services.QuarterlyInput(status=Status.ON_TRACK, narrative="Second."),
            fingerprint=seen,
        )
    assert conflict.value.current["narrative"] == "Premier."
    # Named as the form names them, and only those the first save changed (its next steps
    # were empty): not the indicators' values nor the reflection, which it left as they were.
    assert opened["next_steps"] != ""
    assert conflict.value.changed == ["status", "narrative", "risks", "next_steps"]
    after = StatusUpdate.objects.get(pk=before.pk)
    assert (after.narrative, after.status, after.version) == ("Premier.", Status.AT_RISK, first.version)


def test_a_shared_indicator_value_changed_by_someone_else_is_a_conflict(users):
    """Two initiatives of priority 1 report the same indicator: neither overwrites the other."""
    lens, monitor, q4 = initiative("1.1"), initiative("1.2"), quarter(4)
    opened = services.quarterly_state(initiative=monitor, quarter=q4)
    indicator_id = next(iter(opened["values"]))
    save(users["staff"], "1.1", 4, indicator_values={indicator_id: decimal.Decimal("20")})
    assert services.quarterly_state(initiative=lens, quarter=q4)["values"][indicator_id] == 20

    with pytest.raises(editing.EditConflict) as conflict:
        services.quarterly_update_save(
            user=users["staff"],
            initiative=monitor,
            quarter=q4,
            data=services.QuarterlyInput(
                status=Status.ON_TRACK, indicator_values={indicator_id: decimal.Decimal("99")}
            ),
            fingerprint=shown(opened),
        )
    assert conflict.value.changed == [services.indicator_field(indicator_id)]
    assert IndicatorValue.objects.get(indicator_id=indicator_id, quarter=q4).value == 20
    assert not StatusUpdate.objects.filter(initiative=monitor, quarter=q4).exists()


def test_a_bad_value_saves_nothing_at_all(users):
    """The update is saved before the values: a bad value must roll the update back too."""
    lens, q4 = initiative("1.1"), quarter(4)
    indicator_id = next(iter(services.quarterly_state(initiative=lens, quarter=q4)["values"]))
    with pytest.raises(ValidationError):
        save(users["staff"], "1.1", 4, indicator_values={indicator_id: decimal.Decimal("1e20")})
    assert not StatusUpdate.objects.filter(initiative=lens, quarter=q4).exists()
    assert not IndicatorValue.objects.filter(quarter=q4).exists()


def test_a_locked_quarter_refuses_every_write(users):
    q3 = quarter(3)
    services.quarter_lock(user=users["editor"], quarter=q3, reason="Envoyé au Conseil")
    before = StatusUpdate.objects.get(initiative=initiative("1.1"), quarter=q3)

    with pytest.raises(services.QuarterLocked, match="Q3 is locked"):
        save(users["staff"], "1.1", 3, narrative="Trop tard.")
    submitted = StatusUpdate.objects.filter(quarter=q3, review_state=ReviewState.SUBMITTED).first()
    with pytest.raises(services.QuarterLocked):
        services.status_update_approve(user=users["editor"], update=submitted)

    assert StatusUpdate.objects.get(pk=before.pk).narrative == before.narrative
    assert StatusUpdate.objects.get(pk=submitted.pk).review_state == ReviewState.SUBMITTED


def test_unlocking_needs_a_reason_and_is_recorded(users):
    q2 = quarter(2)
    services.quarter_lock(user=users["editor"], quarter=q2)
    assert QuarterLock.objects.filter(quarter=q2).exists()

    with pytest.raises(ValidationError):
        services.quarter_unlock(user=users["editor"], quarter=q2, reason="  ")
    assert quarter(2).locked

    services.quarter_unlock(user=users["editor"], quarter=q2, reason="Correction d'un chiffre")
    assert not quarter(2).locked
    changes = list(QuarterLockChange.objects.filter(quarter=q2).order_by("changed_at", "pk"))
    assert [(c.locked, c.changed_by.username, c.reason) for c in changes] == [
        (True, "editor", ""),
        (False, "editor", "Correction d'un chiffre"),
    ]


@pytest.mark.parametrize("username", ["staff", "board"])
def test_only_editors_lock(users, username):
    with pytest.raises(PermissionDenied):
        services.quarter_lock(user=users[username], quarter=quarter(1))
    assert not quarter(1).locked


def test_review_approve_and_return(users):
    q4 = quarter(4)
    update = save(users["staff"], "1.1", 4, submit=True)
    assert update.review_state == ReviewState.SUBMITTED and update.submitted_at

    with pytest.raises(PermissionDenied):
        services.status_update_approve(user=users["staff"], update=update)
    with pytest.raises(ValidationError):
        services.status_update_return(user=users["editor"], update=update, comment="")

    returned = services.status_update_return(user=users["editor"], update=update, comment="Précisez les risques.")
    assert (returned.review_state, returned.review_comment, returned.reviewed_by) == (
        ReviewState.RETURNED,
        "Précisez les risques.",
        users["editor"],
    )
    with pytest.raises(ValidationError):  # only a submitted update is reviewed
        services.status_update_approve(user=users["editor"], update=returned)

    again = save(users["staff"], "1.1", 4, submit=True, narrative="Risques précisés.")
    approved = services.status_update_approve(user=users["editor"], update=again)
    assert approved.review_state == ReviewState.APPROVED
    assert StatusUpdate.objects.get(initiative=initiative("1.1"), quarter=q4).version == approved.version
    # Every change was recorded: created, submitted, returned, resubmitted, approved.
    assert [h.review_state for h in approved.history.order_by("history_date")] == [
        ReviewState.SUBMITTED,
        ReviewState.RETURNED,
        ReviewState.SUBMITTED,
        ReviewState.APPROVED,
    ]
