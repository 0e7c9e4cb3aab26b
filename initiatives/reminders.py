"""Reminders of the quarterly updates still due, for ``manage.py remind_missing_updates``
and the round page's "remind those missing".

An update is due while it is missing, a draft or returned by an editor: only a submitted
or approved update counts as written. One e-mail per lead lists all of their initiatives
and organisational priorities concerned, with a link to each update form; after the
round's due date it says the update is overdue. Reads only; five queries to find who is
due, whatever the data size.
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

from priorities.models import AnnualPlan, OrganisationalPriority, Quarter, ReportingRound

from .models import Initiative, OrganisationalUpdate, ReviewedUpdate, ReviewState, StatusUpdate, organisational_lead
from .querysets import lead_prefetch
from .rounds import is_written


@dataclass
class Due:
    """An update a round asks for: of an initiative or of an organisational priority."""

    label: str  # "1.2 Its title", "Its title (Strategy)"
    short: str  # "1.2", "Its title"
    lead: object
    update: ReviewedUpdate | None
    path: str  # its form
    page: str  # the initiative's or organisational priority's page
    group: object  # its strategic priority; None for an organisational priority
    state: str = ""  # set by the tracker (rounds.tracker)
    overdue: bool = False

    @property
    def revision(self) -> bool:
        return self.update is not None and self.update.is_revision


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
    unled: list[Due] = field(default_factory=list)


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


def organisational_due(*, plan: AnnualPlan, quarter: Quarter) -> list[OrganisationalPriority]:
    """The plan's organisational priorities with their lead and their update for the
    quarter (``this_quarter``), in plan order: two queries."""
    return list(
        OrganisationalPriority.objects.filter(annual_plan=plan)
        .select_related("leadership__user")
        .prefetch_related(
            Prefetch("updates", queryset=OrganisationalUpdate.objects.filter(quarter=quarter), to_attr="this_quarter")
        )
        .order_by("number")
    )


def owed(*, plan: AnnualPlan, quarter: Quarter) -> list[Due]:
    """Every update the quarter's round asks for, initiatives first then organisational
    priorities, each with its lead, its update (or None) and its form's address."""
    items = [
        Due(
            label=f"{i.code} {i.title}",
            short=i.code,
            lead=i.leads[0].user if i.leads else None,
            update=i.this_quarter[0] if i.this_quarter else None,
            path=reverse("initiatives:update", args=[i.pk, quarter.number]),
            page=i.get_absolute_url(),
            group=i.priority,
        )
        for i in initiatives_due(plan=plan, quarter=quarter)
    ]
    items += [
        Due(
            label=f"{p.title} ({p.get_area_display()})",
            short=p.title,
            lead=organisational_lead(p),
            update=p.this_quarter[0] if p.this_quarter else None,
            path=reverse("initiatives:organisational_update", args=[plan.slug, p.area, quarter.number]),
            page=reverse("initiatives:organisational", args=[plan.slug, p.area]),
            group=None,
        )
        for p in organisational_due(plan=plan, quarter=quarter)
    ]
    return items


def state_label(update: ReviewedUpdate | None) -> str:
    if update is None:
        return _("no update")
    if update.review_state == ReviewState.RETURNED:
        comment = " ".join(update.review_comment.split())
        return _("returned: %(comment)s") % {"comment": comment} if comment else _("returned")
    return _("draft")


def site_link(path: str) -> str:
    """A page's address as an e-mail gives it: on the site's address when set."""
    site = getattr(settings, "SITE_URL", "") or ""
    return f"{site.rstrip('/')}{path}" if site else path


def reminders_for(*, plan: AnnualPlan, quarter: Quarter) -> Reminders:
    """Whom to remind of the quarter's updates (``quarter`` with its ``round`` selected)."""
    found = Reminders(period=f"{quarter.code} {plan.slug}", round=quarter.reporting_round)
    by_lead: dict[int, Reminder] = {}
    for item in owed(plan=plan, quarter=quarter):
        if is_written(item.update):
            continue
        if item.lead is None:
            found.unled.append(item)
            continue
        by_lead.setdefault(item.lead.pk, Reminder(lead=item.lead)).items.append(item)
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
    """Each update due, as the e-mail and the command's output list it: a line that names
    its initiative or organisational priority and its state, and the indented address of
    its form."""
    return [
        {
            "item": f"- {due.label} ({state_label(due.update)})",
            "link": f"  {site_link(due.path)}",
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
