"""Writes of the quarterly tracking: each a small keyword-only function that checks who
may do it, validates with full_clean() and writes in one transaction: all or nothing.

A quarter's writes take its row lock (``select_for_update``), so a save racing a lock,
or two saves of the same update, are put one after the other; the second then finds the
values it started from changed and is refused, naming them, never overwriting.
"""

import decimal
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicplan import versions
from civicplan.editing import (
    EDITED_FIELDS,
    DeleteConflict,
    EditConflict,
    changed_fields,
    editable,
    locked_row,
    next_number,
    require_editor,
    update_fields,
)
from civicplan.permissions import is_editor
from civicplan.translations import in_each_language
from priorities.models import ExpectedResult, OrganisationalPriority, Quarter, QuarterLock, QuarterLockChange

from .models import (
    Indicator,
    IndicatorValue,
    Initiative,
    LearningReflection,
    Membership,
    OrganisationalLead,
    OrganisationalUpdate,
    ReviewedUpdate,
    ReviewState,
    StatusUpdate,
)
from .permissions import can_write_initiative, can_write_organisational


class QuarterLocked(ValidationError):
    def __init__(self, quarter):
        super().__init__(
            _("%(quarter)s is locked: it takes no change. Ask an editor to unlock it.") % {"quarter": quarter.code}
        )


@dataclass(frozen=True)
class QuarterlyInput:
    """What a staff member writes for an initiative in a quarter."""

    status: str
    narrative: str = ""
    risks: str = ""
    next_steps: str = ""
    indicator_values: dict[int, decimal.Decimal | None] = field(default_factory=dict)
    reflection: str | None = None  # None: the form had no reflection field


def _locked_quarter(quarter: Quarter) -> Quarter:
    """The quarter's row, locked for this transaction; refused if the quarter is locked."""
    quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
    if QuarterLock.objects.filter(quarter=quarter).exists():
        raise QuarterLocked(quarter)
    return quarter


def _words_of(update: ReviewedUpdate | None) -> dict:
    """An update's version, status and words, as a quarterly state holds them."""
    return {
        "version": update.version if update else 0,
        "status": update.status if update else "",
        "narrative": update.narrative if update else "",
        "risks": update.risks if update else "",
        "next_steps": update.next_steps if update else "",
    }


def quarterly_state(*, initiative: Initiative, quarter: Quarter) -> dict:
    """What the quarterly form shows and what a save must find unchanged: the update, the
    values of the indicators of the results the initiative serves, the reflection on its
    priority's learning question."""
    update = StatusUpdate.objects.filter(initiative=initiative, quarter=quarter).first()
    indicators = Indicator.objects.filter(expected_result__initiatives=initiative).distinct()
    values = {v.indicator_id: v.value for v in IndicatorValue.objects.filter(indicator__in=indicators, quarter=quarter)}
    question = initiative.priority.learning_questions.order_by("number").first()
    reflection = None
    if question is not None:
        reflection = (
            LearningReflection.objects.filter(learning_question=question, quarter=quarter)
            .values_list("text", flat=True)
            .first()
            or ""
        )
    return _words_of(update) | {
        "values": {pk: values.get(pk) for pk in indicators.values_list("pk", flat=True)},
        "reflection": reflection,
    }


def indicator_field(indicator_id: int) -> str:
    """The name of an indicator's value in the quarterly form and its fingerprint."""
    return f"indicator_{indicator_id}"


def quarterly_values(state: dict) -> dict:
    """A quarterly state (:func:`quarterly_state`) named as the form's fields are: what the
    form's fingerprint is made of, and what a conflict names."""
    values = {name: state[name] for name in ("status", "narrative", "risks", "next_steps")}
    values |= {indicator_field(pk): value for pk, value in sorted(state["values"].items())}
    if state["reflection"] is not None:
        values["reflection"] = state["reflection"]
    return values


@transaction.atomic
def quarterly_update_save(
    *,
    user,
    initiative: Initiative,
    quarter: Quarter,
    data: QuarterlyInput,
    fingerprint: str,
    submit: bool = False,
) -> StatusUpdate:
    """Save an initiative's quarterly update, its indicator values and its reflection.

    ``fingerprint`` is the :func:`~civicplan.editing.fingerprint` of the
    :func:`quarterly_values` the user started from; if someone else changed any of them
    since, nothing is saved and :class:`~civicplan.editing.EditConflict` names those.
    """
    if not can_write_initiative(user, initiative):
        raise PermissionDenied
    quarter = _locked_quarter(quarter)
    if initiative.priority.annual_plan_id != quarter.annual_plan_id:
        raise ValidationError(_("The quarter belongs to another annual plan."))
    current = quarterly_state(initiative=initiative, quarter=quarter)
    changed = changed_fields(fingerprint, quarterly_values(current))
    if changed:
        raise EditConflict(current=current, changed=changed)

    update = _write_update(
        StatusUpdate.objects.select_for_update().filter(initiative=initiative, quarter=quarter).first()
        or StatusUpdate(initiative=initiative, quarter=quarter),
        user=user,
        data=data,
        submit=submit,
    )

    allowed = set(current["values"])
    for indicator_id, value in data.indicator_values.items():
        if indicator_id not in allowed:
            raise ValidationError(_("That indicator is not one of this initiative's results."))
        if value is None:
            IndicatorValue.objects.filter(indicator_id=indicator_id, quarter=quarter).delete()
            continue
        record = IndicatorValue.objects.filter(indicator_id=indicator_id, quarter=quarter).first()
        if record is None:
            record = IndicatorValue(indicator_id=indicator_id, quarter=quarter)
        if record.pk is None or record.value != value:
            record.value = value
            record.author = user
            record.full_clean()
            record.save()

    question = initiative.priority.learning_questions.order_by("number").first()
    if data.reflection is not None and question is not None:
        text = data.reflection.strip()
        record = LearningReflection.objects.filter(learning_question=question, quarter=quarter).first()
        if text and (record is None or record.text != text):
            record = record or LearningReflection(learning_question=question, quarter=quarter)
            record.text = text
            record.author = user
            record.full_clean()
            record.save()
        elif not text and record is not None:
            record.delete()
    return update


def _write_update(update: ReviewedUpdate, *, user, data: QuarterlyInput, submit: bool) -> ReviewedUpdate:
    """Write the words and status of an update (new or read for update), as a draft or
    submitted; validated on save by the model's rules (locks, risks, text, revisions)."""
    update.version = update.version + 1 if update.pk else 1
    update.status = data.status
    update.narrative = data.narrative
    update.risks = data.risks
    update.next_steps = data.next_steps
    update.author = user
    if submit:
        update.review_state = ReviewState.SUBMITTED
        update.submitted_at = timezone.now()
    else:
        update.review_state = ReviewState.DRAFT
    update.full_clean()
    update.save()
    return update


def organisational_state(*, priority: OrganisationalPriority, quarter: Quarter) -> dict:
    """What an organisational priority's quarterly form shows and a save must find
    unchanged (as :func:`quarterly_state`, with no indicators and no reflection)."""
    update = OrganisationalUpdate.objects.filter(organisational_priority=priority, quarter=quarter).first()
    return _words_of(update) | {"values": {}, "reflection": None}


@transaction.atomic
def organisational_update_save(
    *,
    user,
    priority: OrganisationalPriority,
    quarter: Quarter,
    data: QuarterlyInput,
    fingerprint: str,
    submit: bool = False,
) -> OrganisationalUpdate:
    """Save an organisational priority's quarterly update, as :func:`quarterly_update_save`
    does an initiative's: its lead or an editor, all or nothing, conflicts named."""
    lead_id = OrganisationalLead.objects.filter(organisational_priority=priority).values_list("user_id", flat=True)
    if not can_write_organisational(user, lead_id.first()):
        raise PermissionDenied
    quarter = _locked_quarter(quarter)
    if priority.annual_plan_id != quarter.annual_plan_id:
        raise ValidationError(_("The quarter belongs to another annual plan."))
    current = organisational_state(priority=priority, quarter=quarter)
    changed = changed_fields(fingerprint, quarterly_values(current))
    if changed:
        raise EditConflict(current=current, changed=changed)
    return _write_update(
        OrganisationalUpdate.objects.select_for_update()
        .filter(organisational_priority=priority, quarter=quarter)
        .first()
        or OrganisationalUpdate(organisational_priority=priority, quarter=quarter),
        user=user,
        data=data,
        submit=submit,
    )


@transaction.atomic
def organisational_lead_set(*, user, priority: OrganisationalPriority, lead) -> None:
    """An editor names (or, with None, removes) an organisational priority's lead."""
    require_editor(user)
    if lead is None:
        OrganisationalLead.objects.filter(organisational_priority=priority).delete()
        return
    OrganisationalLead.objects.update_or_create(organisational_priority=priority, defaults={"user": lead})


@transaction.atomic
def status_update_approve(*, user, update: ReviewedUpdate) -> ReviewedUpdate:
    """An editor approves a submitted update (of an initiative or an organisational
    priority): the reports read approved updates."""
    return _review(user=user, update=update, state=ReviewState.APPROVED, comment="")


@transaction.atomic
def status_update_return(*, user, update: ReviewedUpdate, comment: str) -> ReviewedUpdate:
    """An editor returns a submitted update to its author, saying why."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the update is returned: its author will read it.")})
    return _review(user=user, update=update, state=ReviewState.RETURNED, comment=comment.strip())


def _review(*, user, update: ReviewedUpdate, state: str, comment: str) -> ReviewedUpdate:
    if not is_editor(user):
        raise PermissionDenied
    _locked_quarter(update.quarter)
    update = type(update).objects.select_for_update().get(pk=update.pk)
    if update.review_state != ReviewState.SUBMITTED:
        raise ValidationError(
            _("Only a submitted update can be reviewed; this one is %(state)s.")
            % {"state": update.get_review_state_display().lower()}
        )
    update.review_state = state
    update.review_comment = comment
    update.reviewed_by = user
    update.reviewed_at = timezone.now()
    update.version += 1
    update.full_clean()
    update.save()
    return update


@transaction.atomic
def quarter_lock(*, user, quarter: Quarter, reason: str = "") -> QuarterLock:
    if not is_editor(user):
        raise PermissionDenied
    quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
    if QuarterLock.objects.filter(quarter=quarter).exists():
        raise ValidationError(_("%(quarter)s is already locked.") % {"quarter": quarter.code})
    lock = QuarterLock.objects.create(quarter=quarter, locked_by=user, reason=reason.strip())
    QuarterLockChange.objects.create(quarter=quarter, locked=True, changed_by=user, reason=reason.strip())
    return lock


@transaction.atomic
def quarter_unlock(*, user, quarter: Quarter, reason: str) -> None:
    if not is_editor(user):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the quarter is unlocked: it is recorded.")})
    quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
    deleted, _count = QuarterLock.objects.filter(quarter=quarter).delete()
    if not deleted:
        raise ValidationError(_("%(quarter)s is not locked.") % {"quarter": quarter.code})
    QuarterLockChange.objects.create(quarter=quarter, locked=False, changed_by=user, reason=reason.strip())


@transaction.atomic
def initiative_update(*, user, initiative: Initiative, expected_results, lead, members, **texts):
    """An editor changes an initiative's words (``title_fr``, ``title_en``, ``description_fr``...:
    each language's own, never one language's text written as another's), the results it
    serves and its team."""
    if not is_editor(user):
        raise PermissionDenied
    editable(Initiative, texts, in_each_language("title", "description"))
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    for name, value in texts.items():
        setattr(initiative, name, (value or "").strip())
    initiative.full_clean()
    initiative.save()
    results = list(expected_results)
    if any(r.priority_id != initiative.priority_id for r in results):
        raise ValidationError({"expected_results": _("An initiative serves the results of its own priority.")})
    initiative.expected_results.set(results)
    wanted = {m.pk: Membership.Role.MEMBER for m in members}
    if lead is not None:
        wanted[lead.pk] = Membership.Role.LEAD
    initiative.memberships.exclude(user_id__in=wanted).delete()
    # The lead changes in two steps: the one-lead constraint holds at every moment.
    initiative.memberships.filter(role=Membership.Role.LEAD).exclude(user_id=lead.pk if lead else None).update(
        role=Membership.Role.MEMBER
    )
    versions.changed()  # QuerySet.update sends no signal
    for user_id, role in wanted.items():
        Membership.objects.update_or_create(initiative=initiative, user_id=user_id, defaults={"role": role})
    return initiative


# --- The results' indicators, edited by editors like the rest of the plan's structure ---

EDITED_FIELDS[Indicator] = (
    *in_each_language("name", "unit"),
    "baseline",
    "target",
    "direction",
    *in_each_language("description"),
)


@transaction.atomic
def indicator_create(*, user, result: ExpectedResult, **fields) -> Indicator:
    """Add an indicator to an expected result, numbered after its last one."""
    require_editor(user)
    fields = editable(Indicator, fields)
    # Additions to one result wait for each other, so that two never take the same number.
    result = locked_row(ExpectedResult, result.pk)
    indicator = Indicator(expected_result=result, number=next_number(result.indicators), **fields)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_update(*, user, indicator: Indicator, fingerprint: str, **fields) -> Indicator:
    """Change an indicator's name, unit, baseline, target, direction or description; the
    model refuses a target equal to the baseline."""
    require_editor(user)
    return update_fields(indicator, fingerprint=fingerprint, fields=fields)


def indicator_dependents(indicator: Indicator) -> dict:
    """What goes with an indicator when it is deleted: its values, and how many of them are
    in locked quarters."""
    return indicator.values.aggregate(
        values=Count("pk"), locked_values=Count("pk", filter=Q(quarter__lock__isnull=False))
    )


@transaction.atomic
def indicator_delete(*, user, indicator: Indicator, values_seen: int) -> None:
    """Delete an indicator with its values; refused unless the editor confirmed the number
    of values that go with it now."""
    require_editor(user)
    # The row lock holds back a value being recorded meanwhile (its foreign key waits for it).
    indicator = locked_row(Indicator, indicator.pk)
    dependents = indicator_dependents(indicator)
    if dependents["values"] != values_seen:
        raise DeleteConflict(dependents=dependents)
    indicator.delete()
