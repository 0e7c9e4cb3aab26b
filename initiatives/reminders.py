"""Reminders of the quarterly updates still due, for ``manage.py remind_missing_updates``
and the round page's "remind those missing".

An update is due while it is missing, a draft or returned by an editor: only a submitted
or approved update counts as written. One e-mail per lead lists all of their initiatives
concerned, with a link to each update form; after the round's due date it says the
update is overdue. Reads only; three queries to find who is due, whatever the data size.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from priorities.models import AnnualPlan, Quarter, ReportingRound

from .models import Initiative, ReviewState, StatusUpdate
from .querysets import lead_prefetch
from .rounds import is_written


@dataclass
class Due:
    initiative: Initiative
    update: StatusUpdate | None
    path: str


@dataclass
class Reminder:
    lead: object
    items: list[Due] = field(default_factory=list)


@dataclass
class Reminders:
    """Who is reminded of what, for one quarter of a plan."""

    period: str
    round: ReportingRound | None
    to_send: list[Reminder] = field(default_factory=list)
    skipped: list[tuple[Reminder, str]] = field(default_factory=list)  # (reminder, why)
    unled: list[Initiative] = field(default_factory=list)


def initiatives_due(*, plan: AnnualPlan, quarter: Quarter) -> list[Initiative]:
    """The plan's initiatives with their lead (``leads``) and their update for the quarter
    (``this_quarter``), in plan order: three queries."""
    return list(
        Initiative.objects.filter(priority__annual_plan=plan)
        .select_related("priority")
        .prefetch_related(
            lead_prefetch(),
            Prefetch(
                "status_updates",
                queryset=StatusUpdate.objects.filter(quarter=quarter),
                to_attr="this_quarter",
            ),
        )
        .order_by("priority__number", "number")
    )


def state_label(update: StatusUpdate | None) -> str:
    if update is None:
        return _("no update")
    if update.review_state == ReviewState.RETURNED:
        comment = " ".join(update.review_comment.split())
        return _("returned: %(comment)s") % {"comment": comment} if comment else _("returned")
    return _("draft")


def form_link(initiative: Initiative, quarter_number: int) -> str:
    path = reverse("initiatives:update", args=[initiative.pk, quarter_number])
    site = getattr(settings, "SITE_URL", "") or ""
    return f"{site.rstrip('/')}{path}" if site else path


def reminders_for(*, plan: AnnualPlan, quarter: Quarter) -> Reminders:
    """Whom to remind of the quarter's updates (``quarter`` with its ``round`` selected)."""
    found = Reminders(period=f"Q{quarter.number} {plan.slug}", round=quarter.reporting_round)
    by_lead: dict[int, Reminder] = {}
    for initiative in initiatives_due(plan=plan, quarter=quarter):
        update = initiative.this_quarter[0] if initiative.this_quarter else None
        if is_written(update):
            continue
        if not initiative.leads:
            found.unled.append(initiative)
            continue
        lead = initiative.leads[0].user
        by_lead.setdefault(lead.pk, Reminder(lead=lead)).items.append(
            Due(initiative=initiative, update=update, path=form_link(initiative, quarter.number))
        )
    for reminder in sorted(by_lead.values(), key=lambda r: r.lead.username):
        lead = reminder.lead
        if not lead.is_active:
            found.skipped.append((reminder, _("account inactive")))
        elif not lead.email:
            found.skipped.append((reminder, _("no email address")))
        else:
            found.to_send.append(reminder)
    return found


def lines(reminder: Reminder) -> list[dict]:
    """Each initiative due, as the e-mail and the command's output list it: a line that
    names it and its state, and the indented address of its form."""
    return [
        {
            "item": f"- {due.initiative.code} {due.initiative.title} ({state_label(due.update)})",
            "link": f"  {due.path}",
        }
        for due in reminder.items
    ]


def message(reminder: Reminder, *, reminders: Reminders, today: datetime.date) -> tuple[str, str]:
    lead = reminder.lead
    round_ = reminders.round
    overdue = round_ is not None and round_.is_past_due(today)
    if overdue:
        subject = _("Overdue: quarterly update for %(period)s") % {"period": reminders.period}
    else:
        subject = _("Quarterly update due for %(period)s") % {"period": reminders.period}
    body = render_to_string(
        "initiatives/email/reminder.txt",
        {
            "name": lead.get_short_name() or lead.username,
            "period": reminders.period,
            "lines": lines(reminder),
            "due_date": date_format(round_.due_date, "j F Y") if round_ is not None else "",
            "overdue": overdue,
        },
    )
    return subject, body


def send(reminders: Reminders, *, today: datetime.date) -> int:
    """Send the reminders (one e-mail per lead), in the site's language whoever asks; how
    many went."""
    with translation.override(settings.LANGUAGE_CODE):
        mails = [(*message(r, reminders=reminders, today=today), None, [r.lead.email]) for r in reminders.to_send]
    if mails:
        send_mass_mail(mails, fail_silently=False)
    return len(mails)
