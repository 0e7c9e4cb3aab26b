"""Email each initiative lead the quarterly updates still due from them.

An update is due while it is missing, a draft or returned by an editor: only a submitted
or approved update counts as written. One email per lead lists all of their initiatives
concerned with a link to each update form. Reads only; five queries whatever the data size.
A locked quarter takes no update, so nobody is reminded of it.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from initiatives.models import Initiative, ReviewState, StatusUpdate
from initiatives.querysets import lead_prefetch
from priorities.models import AnnualPlan, Quarter
from priorities.querysets import current_plan, reporting_quarter_number

WRITTEN = (ReviewState.SUBMITTED, ReviewState.APPROVED)


@dataclass
class Due:
    initiative: Initiative
    update: StatusUpdate | None
    path: str


@dataclass
class Reminder:
    lead: object
    items: list[Due] = field(default_factory=list)


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


class Command(BaseCommand):
    help = "Email each initiative lead the quarterly status updates still due from them (missing, draft or returned)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", metavar="SLUG", help="The annual plan (default: the current one).")
        parser.add_argument(
            "--quarter",
            type=int,
            choices=[1, 2, 3, 4],
            help="The quarter whose updates are due (default: the last quarter that has ended).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the reminders, send nothing.")

    def handle(self, *args, plan=None, quarter=None, dry_run=False, **options):
        # Emails and output in the site's language, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            self.remind(plan_slug=plan, quarter_number=quarter, dry_run=dry_run)

    def remind(self, *, plan_slug: str | None, quarter_number: int | None, dry_run: bool) -> None:
        today = timezone.localdate()
        if plan_slug:
            plan = AnnualPlan.objects.filter(slug=plan_slug).first()
            if plan is None:
                raise CommandError(_("No annual plan with the slug %(slug)s.") % {"slug": plan_slug})
        else:
            plan = current_plan(today)
            if plan is None:
                raise CommandError(_("There is no annual plan yet."))
        if quarter_number is None:
            quarter_number = reporting_quarter_number(plan, today)
        period = f"Q{quarter_number} {plan.slug}"
        quarter = Quarter.objects.select_related("lock").filter(annual_plan=plan, number=quarter_number).first()
        if quarter is None:
            raise CommandError(
                _("The plan %(slug)s has no Q%(number)d.") % {"slug": plan.slug, "number": quarter_number}
            )
        if quarter.locked:
            # Its update forms refuse every change: a reminder would send people to a dead end.
            self.stdout.write(_("%(period)s is locked: no reminder sent.") % {"period": period})
            return

        reminders: dict[int, Reminder] = {}
        unled: list[Initiative] = []
        for initiative in initiatives_due(plan=plan, quarter=quarter):
            update = initiative.this_quarter[0] if initiative.this_quarter else None
            if update is not None and update.review_state in WRITTEN:
                continue
            if not initiative.leads:
                unled.append(initiative)
                continue
            lead = initiative.leads[0].user
            reminders.setdefault(lead.pk, Reminder(lead=lead)).items.append(
                Due(initiative=initiative, update=update, path=form_link(initiative, quarter_number))
            )

        messages, sent = [], []
        for reminder in sorted(reminders.values(), key=lambda r: r.lead.username):
            lead = reminder.lead
            if not lead.is_active or not lead.email:
                reason = _("account inactive") if not lead.is_active else _("no email address")
                self.stderr.write(
                    self.style.WARNING(
                        _("Skipped %(user)s (%(reason)s): %(codes)s")
                        % {
                            "user": lead.username,
                            "reason": reason,
                            "codes": ", ".join(d.initiative.code for d in reminder.items),
                        }
                    )
                )
                continue
            subject, body = self.message(reminder, period=period)
            messages.append((subject, body, None, [lead.email]))
            sent.append(reminder)
            self.stdout.write(f"{lead.username} <{lead.email}>")
            for line in self.items(reminder):
                self.stdout.write(f"  {line['item']}")
                self.stdout.write(f"  {line['link']}")

        for initiative in unled:
            self.stdout.write(
                _("%(code)s %(title)s: %(state)s, no lead to remind")
                % {
                    "code": initiative.code,
                    "title": initiative.title,
                    "state": state_label(initiative.this_quarter[0] if initiative.this_quarter else None),
                }
            )

        if messages and not dry_run:
            send_mass_mail(messages, fail_silently=False)
        self.stdout.write(self.summary(sent, period=period, dry_run=dry_run))

    def items(self, reminder: Reminder) -> list[dict]:
        """Each initiative due, as the e-mail and the command's output list it: a line that
        names it and its state, and the indented address of its form."""
        return [
            {
                "item": f"- {due.initiative.code} {due.initiative.title} ({state_label(due.update)})",
                "link": f"  {due.path}",
            }
            for due in reminder.items
        ]

    def message(self, reminder: Reminder, *, period: str) -> tuple[str, str]:
        lead = reminder.lead
        subject = _("Quarterly update due for %(period)s") % {"period": period}
        body = render_to_string(
            "initiatives/email/reminder.txt",
            {"name": lead.get_short_name() or lead.username, "period": period, "lines": self.items(reminder)},
        )
        return subject, body

    def summary(self, sent: list[Reminder], *, period: str, dry_run: bool) -> str:
        people = ", ".join(
            ngettext("%(user)s (%(count)d initiative)", "%(user)s (%(count)d initiatives)", len(r.items))
            % {"user": r.lead.username, "count": len(r.items)}
            for r in sent
        )
        if dry_run:
            text = ngettext(
                "Dry run: %(count)d reminder would be sent for %(period)s",
                "Dry run: %(count)d reminders would be sent for %(period)s",
                len(sent),
            )
        else:
            text = ngettext(
                "%(count)d reminder sent for %(period)s",
                "%(count)d reminders sent for %(period)s",
                len(sent),
            )
        text %= {"count": len(sent), "period": period}
        return f"{text}: {people}" if people else f"{text}."
