"""Email each initiative lead the quarterly updates still due from them: those of the
open reporting round by default (initiatives/reminders.py says what is due and how the
e-mail reads). A locked quarter takes no update, so nobody is reminded of it.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from initiatives import reminders as due
from priorities.models import AnnualPlan, Quarter
from priorities.querysets import current_plan


class Command(BaseCommand):
    help = "Email each initiative lead the quarterly status updates still due from them (missing, draft or returned)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", metavar="SLUG", help="The annual plan (default: the one whose round is open).")
        parser.add_argument(
            "--quarter",
            type=int,
            choices=[1, 2, 3, 4],
            help="The quarter whose updates are due (default: the open round's).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the reminders, send nothing.")

    def handle(self, *args, plan=None, quarter=None, dry_run=False, **options):
        # Emails and output in the site's language, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            self.remind(plan_slug=plan, quarter_number=quarter, dry_run=dry_run)

    def remind(self, *, plan_slug: str | None, quarter_number: int | None, dry_run: bool) -> None:
        if plan_slug:
            plan = AnnualPlan.objects.filter(slug=plan_slug).first()
            if plan is None:
                raise CommandError(_("No annual plan with the slug %(slug)s.") % {"slug": plan_slug})
        else:
            plan = current_plan()
            if plan is None:
                raise CommandError(_("There is no annual plan yet."))
        quarters = Quarter.objects.select_related("lock", "round").filter(annual_plan=plan)
        if quarter_number is None:
            quarter = quarters.filter(round__closed_at__isnull=True, round__isnull=False).first()
            if quarter is None:
                raise CommandError(
                    _("No reporting round of %(slug)s is open: open one on its round page, or name a --quarter.")
                    % {"slug": plan.slug}
                )
        else:
            quarter = quarters.filter(number=quarter_number).first()
            if quarter is None:
                raise CommandError(
                    _("The plan %(slug)s has no Q%(number)d.") % {"slug": plan.slug, "number": quarter_number}
                )
        period = f"{quarter.code} {plan.slug}"
        if quarter.locked:
            # Its update forms refuse every change: a reminder would send people to a dead end.
            self.stdout.write(_("%(period)s is locked: no reminder sent.") % {"period": period})
            return

        found = due.reminders_for(plan=plan, quarter=quarter)
        for reminder, reason in found.skipped:
            self.stderr.write(
                self.style.WARNING(
                    _("Skipped %(user)s (%(reason)s): %(codes)s")
                    % {
                        "user": reminder.lead.username,
                        "reason": reason,
                        "codes": ", ".join(d.short for d in reminder.items),
                    }
                )
            )
        for reminder in found.to_send:
            self.stdout.write(f"{reminder.lead.username} <{reminder.lead.email}>")
            for line in due.lines(reminder):
                self.stdout.write(f"  {line['item']}")
                self.stdout.write(f"  {line['link']}")
        for item in found.unled:
            self.stdout.write(
                _("%(label)s: %(state)s, no lead to remind")
                % {"label": item.label, "state": due.state_label(item.update)}
            )
        if not dry_run:
            due.send(found, today=timezone.localdate())
        self.stdout.write(self.summary(found.to_send, period=period, dry_run=dry_run))

    def summary(self, sent: list[due.Reminder], *, period: str, dry_run: bool) -> str:
        people = ", ".join(
            ngettext("%(user)s (%(count)d update)", "%(user)s (%(count)d updates)", len(r.items))
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
