"""Board meetings: recording them (the service every path calls) and their pack as plain
data (the builder both the meeting's page and its PDF are drawn from).

The pack is what the board reads before the meeting, in the order of the meeting:

1. the published board update of the quarter the meeting reviews, as the board received
   it: the body of its stored HTML, byte for byte (its SHA-256 checked first; its headings
   taken one level down so that it nests in the pack's outline). Not re-rendered: a
   re-rendering reads the plan as it is now, and an update approved since publication
   would make the pack say something other than what the board was sent and what its
   SHA-256 vouches for. A draft is never in the pack;
2. the priority the meeting discusses in depth: each initiative's path through every
   quarter so far with its narratives, the expected results' indicators with a value per
   quarter, every learning question with every reflection so far;
3. the agenda.

Like the quarterly report (reporting/builders.py), the pack reads approved updates only,
whoever reads it: it is the board's document. Indicator values and reflections have no
review of their own and are read as written.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from civicplan.permissions import is_editor, require
from civicplan.translations import translated
from initiatives.models import Indicator, IndicatorValue, LearningReflection
from priorities.models import AnnualPlan, ExpectedResult, LearningQuestion

from . import charts, documents
from .builders import initiative_rows, status_counts
from .data import IndicatorRow, InitiativeRow, QuarterEntry, QuarterRef, Reflection, StatusCounts
from .models import AGENDA_MAX, AgendaItem, BoardMeeting, BoardUpdate

MEETING_BODY = "reporting/_meeting_body.html"

# The plain data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaRow:
    order: int
    title: str
    presenter: str
    notes: str


@dataclass(frozen=True)
class PublishedUpdate:
    """The published board update of the reviewed quarter, as the board received it."""

    quarter: int
    published_at: datetime.datetime
    published_by: str
    language: str
    fingerprint: str
    html_sha256: str
    # The body of the stored HTML (trusted: made by our templates, escaped, checked against
    # its SHA-256), or "" when the stored copy cannot be read: then the pack shows the
    # message and highlights, which are frozen with the publication too.
    body: str
    message: str
    highlights: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorHistory:
    indicator: IndicatorRow
    by_quarter: tuple[Decimal | None, ...]  # Q1 to the reviewed quarter, one each


@dataclass(frozen=True)
class ResultHistory:
    code: str
    text: str
    indicators: tuple[IndicatorHistory, ...]


@dataclass(frozen=True)
class QuestionRow:
    code: str
    text: str
    reflections: tuple[Reflection, ...]  # Q1 to the reviewed quarter, those written


@dataclass(frozen=True)
class InitiativePath:
    """An initiative in depth: its row (every quarter's approved status), the quarters
    whose approved update has a narrative, in order, and its latest approved update (whose
    risks and next steps the pack shows), if any."""

    row: InitiativeRow
    narrated: tuple[QuarterEntry, ...]
    latest: QuarterEntry | None


@dataclass(frozen=True)
class DeepDive:
    """The strategic priority in depth, from Q1 to the reviewed quarter."""

    number: int
    title: str
    short_title: str
    statement: str
    initiatives: tuple[InitiativeRow, ...]
    counts: tuple[StatusCounts, ...]  # Q1 to the reviewed quarter
    results: tuple[ResultHistory, ...]
    questions: tuple[QuestionRow, ...]

    @property
    def paths(self) -> tuple[InitiativePath, ...]:
        paths = []
        for row in self.initiatives:
            approved = [entry for entry in row.entries if entry.status is not None]
            narrated = tuple(entry for entry in approved if entry.narrative.strip())
            paths.append(InitiativePath(row=row, narrated=narrated, latest=approved[-1] if approved else None))
        return tuple(paths)


@dataclass(frozen=True)
class MeetingPack:
    pk: int
    plan_slug: str
    plan_title: str
    plan_language: str
    strategic_plan_title: str
    title: str
    date: datetime.date
    place: str
    quarter: QuarterRef  # the quarter reviewed
    board_update: PublishedUpdate | None  # None: none published for that quarter
    draft_update: bool  # a draft board update of that quarter exists (editors are told)
    deep_dive: DeepDive
    agenda: tuple[AgendaRow, ...]

    @property
    def quarters(self) -> tuple[int, ...]:
        return tuple(range(1, self.quarter.number + 1))


# The builder ------------------------------------------------------------------------------

_MAIN = re.compile(r"<main>(.*)</main>", re.DOTALL)
_HEADING = re.compile(r"<(/?)h([1-5])(?=[\s>])")


def stored_body(update: BoardUpdate) -> str:
    """The body of a published update's stored document (what is inside its <main>), its
    headings one level down; "" if the stored HTML is not what its SHA-256 says or has no
    body to take."""
    html = update.html
    if not html or documents.sha256(html) != update.html_sha256:
        return ""
    match = _MAIN.search(html)
    if match is None:
        return ""
    # Our own markup only: typed text was escaped at publication, so "<h" is always a tag.
    return _HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) + 1}", match.group(1)).strip()


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _board_update(meeting: BoardMeeting) -> tuple[PublishedUpdate | None, bool]:
    update = (
        BoardUpdate.objects.filter(quarter_id=meeting.quarter_id).select_related("published_by").defer("pdf").first()
    )
    if update is None:
        return None, False
    if not update.published:
        return None, True
    # Its words as published: in the language it was published in.
    with translation.override(update.language or settings.LANGUAGE_CODE):
        message, highlights = translated(update, "message"), tuple(update.highlight_list)
    return (
        PublishedUpdate(
            quarter=meeting.quarter.number,
            published_at=update.published_at,
            published_by=_person(update.published_by),
            language=update.language,
            fingerprint=update.fingerprint,
            html_sha256=update.html_sha256,
            body=stored_body(update),
            message=message,
            highlights=highlights,
        ),
        False,
    )


def _initiatives(priority, upto: int) -> tuple[InitiativeRow, ...]:
    """The priority's initiatives, each with its approved path from Q1 to ``upto``."""
    return tuple(initiative_rows(upto, priority=priority).get(priority.number, ()))


def _results(priority, upto: int) -> tuple[ResultHistory, ...]:
    values = defaultdict(list)
    for value in (
        IndicatorValue.objects.filter(indicator__expected_result__priority=priority, quarter__number__lte=upto)
        .select_related("quarter")
        .order_by("quarter__number")
    ):
        values[value.indicator_id].append((value.quarter.number, value.value))
    indicators = defaultdict(list)
    for indicator in (
        Indicator.objects.filter(expected_result__priority=priority)
        .select_related("expected_result__priority")
        .order_by("number")
    ):
        measured = dict(values[indicator.pk])
        row = IndicatorRow(
            code=indicator.code,
            name=translated(indicator, "name"),
            unit=translated(indicator, "unit"),
            direction=indicator.direction,
            baseline=indicator.baseline,
            target=indicator.target,
            values=tuple(values[indicator.pk]),
        )
        by_quarter = tuple(measured.get(quarter) for quarter in range(1, upto + 1))
        indicators[indicator.expected_result_id].append(IndicatorHistory(indicator=row, by_quarter=by_quarter))
    return tuple(
        ResultHistory(code=result.code, text=translated(result, "text"), indicators=tuple(indicators[result.pk]))
        for result in ExpectedResult.objects.filter(priority=priority).select_related("priority").order_by("number")
    )


def _questions(priority, upto: int) -> tuple[QuestionRow, ...]:
    reflections = defaultdict(list)
    for reflection in (
        LearningReflection.objects.filter(learning_question__priority=priority, quarter__number__lte=upto)
        .select_related("quarter")
        .order_by("quarter__number")
    ):
        reflections[reflection.learning_question_id].append(
            Reflection(quarter=reflection.quarter.number, text=reflection.text)
        )
    return tuple(
        QuestionRow(code=question.code, text=translated(question, "text"), reflections=tuple(reflections[question.pk]))
        for question in LearningQuestion.objects.filter(priority=priority).select_related("priority").order_by("number")
    )


def build_meeting_pack(meeting: BoardMeeting) -> MeetingPack:
    """The pack of ``meeting`` (loaded with :func:`meeting_queryset`), in a fixed number of
    queries whatever the plan's size: the board update, the initiatives, their leads, their
    updates, the indicator values, the indicators, the results, the learning questions,
    their reflections and the agenda (10)."""
    plan, quarter, priority = meeting.annual_plan, meeting.quarter, meeting.priority
    upto = quarter.number
    board_update, draft_update = _board_update(meeting)
    initiatives = _initiatives(priority, upto)
    deep_dive = DeepDive(
        number=priority.number,
        title=translated(priority, "title"),
        short_title=translated(priority, "short_title") or translated(priority, "title"),
        statement=translated(priority, "statement"),
        initiatives=initiatives,
        counts=tuple(status_counts(q, initiatives) for q in range(1, upto + 1)),
        results=_results(priority, upto),
        questions=_questions(priority, upto),
    )
    agenda = tuple(
        AgendaRow(order=item.order, title=item.title, presenter=item.presenter, notes=item.notes)
        for item in AgendaItem.objects.filter(meeting=meeting).order_by("order", "pk")
    )
    return MeetingPack(
        pk=meeting.pk,
        plan_slug=plan.slug,
        plan_title=translated(plan, "title"),
        plan_language=plan.language,
        strategic_plan_title=translated(plan.strategic_plan, "title"),
        title=meeting.title,
        date=meeting.date,
        place=meeting.place,
        quarter=QuarterRef(number=quarter.number, start=quarter.start_date, end=quarter.end_date),
        board_update=board_update,
        draft_update=draft_update,
        deep_dive=deep_dive,
        agenda=agenda,
    )


def meeting_queryset():
    """Meetings with what their page, their pack and the lists show of them (no query more)."""
    return BoardMeeting.objects.select_related("annual_plan__strategic_plan", "quarter", "priority")


def meeting_context(pack: MeetingPack) -> dict:
    """The body's context, for the page and the PDF alike."""
    dive = pack.deep_dive
    title = f"{dive.number}. {dive.short_title}"
    return {"pack": pack, "status_chart": charts.status_by_quarter(dive.counts, title=title)}


def pack_title(pack: MeetingPack) -> str:
    return _("Board meeting pack: %(title)s") % {"title": pack.title}


def meeting_document(pack: MeetingPack) -> str:
    """The pack as a standalone document: what its PDF is made from."""
    title = pack_title(pack)
    return documents.document(MEETING_BODY, meeting_context(pack), title=title, running_title=pack.title)


# Writes -----------------------------------------------------------------------------------

MEETING_FIELDS = ("date", "title", "place", "quarter", "priority")
AGENDA_FIELDS = ("title", "presenter", "notes")


def _item_errors(position: int, error: ValidationError) -> list[str]:
    prefix = _("Agenda item %(number)s") % {"number": position}
    if hasattr(error, "error_dict"):
        return [f"{prefix}: {message}" for messages in error.message_dict.values() for message in messages]
    return [f"{prefix}: {message}" for message in error.messages]


def board_meeting_save(
    *,
    user,
    plan: AnnualPlan,
    fields: dict,
    agenda: Sequence[dict],
    meeting: BoardMeeting | None = None,
    version: int | None = None,
) -> BoardMeeting:
    """Record a meeting of ``plan``'s board, or change ``meeting``: its ``fields`` (date,
    title, place, quarter, priority) and its whole agenda. ``agenda`` lists the items in
    their order, each a dict of title, presenter and notes, with the ``pk`` of an item kept;
    an item left out is removed; the items are numbered 1, 2, 3... in that order.

    All or nothing: the meeting and every item are checked before anything is written, and
    any error refuses the whole (a ValidationError by field; the agenda's under
    ``agenda``). ``version``: the meeting's version the editor started from; a save over
    someone else's since is refused (code ``stale``)."""
    require(is_editor(user))
    with transaction.atomic():
        if meeting is None:
            record = BoardMeeting(annual_plan=plan)
            existing = {}
        else:
            record = BoardMeeting.objects.select_for_update().filter(pk=meeting.pk, annual_plan=plan).first()
            if record is None:
                raise ValidationError(_("This meeting no longer exists."), code="gone")
            if version is not None and record.version != version:
                raise ValidationError(
                    _(
                        "Someone else saved this meeting since you opened it: nothing was saved. "
                        "Open it again to see their change, then make yours."
                    ),
                    code="stale",
                )
            existing = {item.pk: item for item in AgendaItem.objects.filter(meeting=record)}
        for name in MEETING_FIELDS:
            if name in fields:
                setattr(record, name, fields[name])
        errors: dict[str, list] = {}
        try:
            record.full_clean(exclude=["version"])
        except ValidationError as error:
            errors.update(error.update_error_dict({}))
        if len(agenda) > AGENDA_MAX:
            errors.setdefault("agenda", []).append(_("An agenda holds at most %(max)s items.") % {"max": AGENDA_MAX})
        items = []
        for position, data in enumerate(agenda, start=1):
            pk = data.get("pk")
            if pk is not None and pk not in existing:
                errors.setdefault("agenda", []).append(
                    _("Agenda item %(number)s is not one of this meeting's.") % {"number": position}
                )
                continue
            item = existing.pop(pk) if pk is not None else AgendaItem()
            item.order = position
            for name in AGENDA_FIELDS:
                setattr(item, name, data.get(name, ""))
            try:
                item.full_clean(exclude=["meeting"])
            except ValidationError as error:
                errors.setdefault("agenda", []).extend(_item_errors(position, error))
            items.append(item)
        if errors:
            raise ValidationError(errors)
        if meeting is not None:
            record.version += 1
        record.save()
        # What is left of the stored agenda was taken off it.
        AgendaItem.objects.filter(pk__in=list(existing)).delete()
        for item in items:
            item.meeting = record
            item.save()
    return record


def agenda_renumber(meeting: BoardMeeting) -> None:
    """Number ``meeting``'s items 1, 2, 3... in their order (the admin saves the numbers as
    typed; the site's service numbers them itself)."""
    items = AgendaItem.objects.filter(meeting=meeting).order_by("order", "pk")
    for position, item in enumerate(items, start=1):
        if item.order != position:
            item.order = position
            item.save(update_fields=["order"])
